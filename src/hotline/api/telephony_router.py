"""The five endpoints every telephony resource has (`extensions`, `trunks`, `dids`), built for
one of them over its functions in `hotline.store.telephony`.

`telephony_router` gives `/api/<tag>` its list, create, get, replace (`PUT`) and delete
endpoints: `readers` list and get, `writers` change. A change refused by the store
(`TelephonyError`) is a 409 or 422 and changes nothing (`telephony_changes.refused`); a change
made is committed with its audit entry, labelled with the resource's singular name, and the
running SIP switch takes it at once (`telephony_changes.commit_change`).

What differs between the resources is given explicitly by each: the store functions, the 404
for a missing record, the audit action of a replacement, the body of the 201 response (an
extension's generated password, shown once: `Created`) and endpoints of its own (`own_routes`,
such as `/api/extensions/mine`).

As in `config_resources`, FastAPI reads each endpoint's parameters from a signature built here
from real objects and set as `__signature__`.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hotline.api.config_resources import typed_endpoint
from hotline.api.session import DbSession
from hotline.api.telephony_changes import commit_change, refused
from hotline.store.accounts import Principal
from hotline.store.telephony import TelephonyError

RowT = TypeVar("RowT")
CreateT = TypeVar("CreateT", bound=BaseModel)
ReplaceT = TypeVar("ReplaceT", bound=BaseModel)
ReadT = TypeVar("ReadT", bound=BaseModel)


@dataclass(frozen=True)
class Created(Generic[RowT]):
    """What a resource's `create` returns when the 201 response is not the new record as read:
    the new row, and the response."""

    row: RowT
    response: BaseModel


class TelephonyDocs(NamedTuple):
    """The endpoints' descriptions in the OpenAPI schema."""

    list_all: str
    create: str
    get: str
    replace: str
    delete: str


def update_action(_body: BaseModel) -> str:
    """The audit action of a replacement, whatever it changed."""
    return "update"


def delete_row(session: Session, row: object) -> None:
    """Delete the row; nothing refers to it that would refuse."""
    session.delete(row)
    session.flush()


def telephony_router(
    *,
    tag: str,
    singular: str,
    key_name: str,
    key_type: Any,
    readers: Any,
    writers: Any,
    read_schema: type[ReadT],
    create_schema: type[CreateT],
    replace_schema: type[ReplaceT],
    rows: Callable[[Session, int], Sequence[RowT]],
    row: Callable[[Session, int, str], RowT | None],
    read: Callable[[RowT], ReadT],
    create: Callable[[Session, int, CreateT], RowT | Created[RowT]],
    replace: Callable[[Session, RowT, ReplaceT], None],
    delete: Callable[[Session, RowT], None],
    missing: Callable[[str], HTTPException],
    docs: TelephonyDocs,
    created_schema: Any = None,
    replace_action: Callable[[ReplaceT], str] = update_action,
    own_routes: APIRouter | None = None,
) -> APIRouter:
    """The router for `/api/<tag>`.

    `singular` names one record in the endpoints' names (`get_<singular>`) and in the audit
    log; `key_name` is the path parameter naming one (`/api/<tag>/{<key_name>}`, also the
    row's attribute) and `key_type` its annotated type. `readers` and `writers` are the role
    checks (`Staff`, `Admin`). `rows`, `row`, `read`, `create`, `replace` and `delete` are the
    store's: `create` returns the new row, or a `Created` when the response is not the row as
    read, its schema then `created_schema`. `missing` is the 404 for a key the tenant does not
    have. `replace_action` is the audit action of a replacement (by default "update").
    `own_routes` are the resource's own endpoints, added before `/{<key_name>}` so that a fixed
    path (`/mine`) is not taken for a key.
    """
    router = APIRouter(prefix=f"/api/{tag}", tags=[tag])
    key_path = f"/{{{key_name}}}"

    def found(session: Session, principal: Principal, key: str) -> RowT:
        found_row = row(session, principal.tenant_id, key)
        if found_row is None:
            raise missing(key)
        return found_row

    def list_all(principal: Principal, session: Session) -> list[ReadT]:
        return [read(each) for each in rows(session, principal.tenant_id)]

    def create_one(body: CreateT, principal: Principal, session: Session,
                   request: Request) -> BaseModel:
        try:
            result = create(session, principal.tenant_id, body)
        except TelephonyError as error:
            raise refused(error) from error
        new_row = result.row if isinstance(result, Created) else result
        after = read(new_row)
        commit_change(request, session, principal, "create", singular,
                      getattr(new_row, key_name), None, after)
        return result.response if isinstance(result, Created) else after

    def get_one(principal: Principal, session: Session, **path: str) -> ReadT:
        return read(found(session, principal, path[key_name]))

    def replace_one(body: ReplaceT, principal: Principal, session: Session, request: Request,
                    **path: str) -> ReadT:
        key = path[key_name]
        changed = found(session, principal, key)
        before = read(changed)
        try:
            replace(session, changed, body)
        except TelephonyError as error:
            raise refused(error) from error
        after = read(changed)
        commit_change(request, session, principal, replace_action(body), singular, key,
                      before, after)
        return after

    def delete_one(principal: Principal, session: Session, request: Request,
                   **path: str) -> Response:
        key = path[key_name]
        deleted = found(session, principal, key)
        before = read(deleted)
        try:
            delete(session, deleted)
        except TelephonyError as error:
            raise refused(error) from error
        commit_change(request, session, principal, "delete", singular, key, before, None)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    key = {key_name: key_type}
    change = {"principal": writers, "session": DbSession, "request": Request}
    router.get("")(typed_endpoint(
        list_all, f"list_{tag}", docs.list_all,
        {"principal": readers, "session": DbSession}, list[read_schema],  # type: ignore[valid-type]
    ))
    router.post("", status_code=status.HTTP_201_CREATED)(typed_endpoint(
        create_one, f"create_{singular}", docs.create,
        {"body": create_schema, **change}, created_schema or read_schema,
    ))
    if own_routes is not None:
        router.include_router(own_routes)
    router.get(key_path)(typed_endpoint(
        get_one, f"get_{singular}", docs.get,
        {**key, "principal": readers, "session": DbSession}, read_schema,
    ))
    router.put(key_path)(typed_endpoint(
        replace_one, f"replace_{singular}", docs.replace,
        {**key, "body": replace_schema, **change}, read_schema,
    ))
    router.delete(key_path, status_code=status.HTTP_204_NO_CONTENT)(typed_endpoint(
        delete_one, f"delete_{singular}", docs.delete, {**key, **change}, Response,
    ))
    return router
