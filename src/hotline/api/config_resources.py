"""The five endpoints every configuration resource has, built for one `config_repo` entity.

`config_router` gives `/api/<resource>` its list, create, get, patch and delete endpoints:
readers (`Staff` or `AnyUser`) list and get, admins change. Changes are checked against the
tenant's whole configuration by `config_repo`, go to the audit log with the record before
and after, labelled with the entity's name (e.g. "DNIS route"), and reach the tenant's running
interaction server at once (`live_config`).

FastAPI reads each endpoint's parameters from its signature at runtime, so the signatures are
built here from real objects (the schemas, the path key and the role check of the resource)
and set as `__signature__`; this module deliberately has no `from __future__ import
annotations`.
"""

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Response, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hotline.api.auth import Admin
from hotline.api.live_config import Live, LiveConfig
from hotline.api.session import DbSession
from hotline.store.accounts import Principal
from hotline.store.config_repo import ConfigEntity

CreateT = TypeVar("CreateT", bound=BaseModel)
UpdateT = TypeVar("UpdateT", bound=BaseModel)
ReadT = TypeVar("ReadT", bound=BaseModel)

_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def typed_endpoint(
    func: _Endpoint, name: str, doc: str, params: dict[str, Any], returns: Any
) -> _Endpoint:
    """`func` as FastAPI should see it: named `name`, documented by `doc`, taking `params`
    (keyword arguments, each with the annotation FastAPI reads) and returning `returns`."""
    signature = inspect.Signature(
        [
            inspect.Parameter(key, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            for key, annotation in params.items()
        ],
        return_annotation=returns,
    )
    for attribute, value in (
        ("__name__", name),
        ("__qualname__", name),
        ("__doc__", doc),
        ("__signature__", signature),
        ("__annotations__", {**params, "return": returns}),
    ):
        setattr(func, attribute, value)
    return func


def config_router(
    *,
    tag: str,
    singular: str,
    repo: ConfigEntity[CreateT, UpdateT, ReadT],
    key_name: str,
    key_type: Any,
    readers: Any,
) -> APIRouter:
    """The router for `/api/<tag>`, whose records `repo` keeps.

    `singular` names one record in the endpoints' names (`get_<singular>`); `key_name` is the
    path parameter naming one (`/api/<tag>/{<key_name>}`) and `key_type` its annotated type
    (`NameKey`, `NumberKey`); `readers` is the role check for listing and getting (`Staff` or
    `AnyUser`). The schemas and the label in the audit log are the entity's own.
    """
    router = APIRouter(prefix=f"/api/{tag}", tags=[tag])
    entity = repo.label
    one = f"{'an' if entity[0] in 'aeiou' else 'a'} {entity}"
    key_path = f"/{{{key_name}}}"

    def list_all(principal: Principal, session: Session) -> list[ReadT]:
        return repo.read_all(session, principal.tenant_id)

    def create(body: CreateT, principal: Principal, session: Session, live: LiveConfig) -> ReadT:
        created = repo.create(session, principal.tenant_id, body)
        key = getattr(created, repo.key)
        live.commit(session, principal, "create", entity, key, None, created)
        return created

    def get(principal: Principal, session: Session, **path: str) -> ReadT:
        return repo.read(session, principal.tenant_id, path[key_name])

    def update(body: UpdateT, principal: Principal, session: Session, live: LiveConfig,
               **path: str) -> ReadT:
        key = path[key_name]
        before = repo.read(session, principal.tenant_id, key)
        after = repo.update(session, principal.tenant_id, key, body)
        live.commit(session, principal, "update", entity, key, before, after)
        return after

    def delete(principal: Principal, session: Session, live: LiveConfig, **path: str
               ) -> Response:
        key = path[key_name]
        before = repo.read(session, principal.tenant_id, key)
        repo.delete(session, principal.tenant_id, key)
        live.commit(session, principal, "delete", entity, key, before, None)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    read_schema = repo.read_schema
    router.get("")(typed_endpoint(
        list_all, f"list_{tag}", f"Every {entity} of the tenant.",
        {"principal": readers, "session": DbSession}, list[read_schema],  # type: ignore[valid-type]
    ))
    router.post("", status_code=status.HTTP_201_CREATED)(typed_endpoint(
        create, f"create_{singular}", f"Add {one}.",
        {"body": repo.create_schema, "principal": Admin, "session": DbSession, "live": Live},
        read_schema,
    ))
    router.get(key_path)(typed_endpoint(
        get, f"get_{singular}", f"One {entity}.",
        {key_name: key_type, "principal": readers, "session": DbSession}, read_schema,
    ))
    router.patch(key_path)(typed_endpoint(
        update, f"update_{singular}", "Change the fields given; the others keep their values.",
        {key_name: key_type, "body": repo.update_schema, "principal": Admin,
         "session": DbSession, "live": Live},
        read_schema,
    ))
    router.delete(key_path, status_code=status.HTTP_204_NO_CONTENT)(typed_endpoint(
        delete, f"delete_{singular}", f"Remove {one} that nothing refers to any more.",
        {key_name: key_type, "principal": Admin, "session": DbSession, "live": Live},
        Response,
    ))
    return router
