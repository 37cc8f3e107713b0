"""Configuration changes reach the running contact center without a restart.

An administrator's change is stored and handed to the tenant's interaction server in one step:
the change is flushed, the tenant's whole configuration is read back from the session (so the
server sees exactly what is about to be committed), and the server takes it — or refuses it,
say a queue that still has callers in it, and then the request fails with 409 and nothing is
committed. Should the commit itself fail, the server goes back to the configuration it had.

Endpoints run in worker threads, while the server belongs to the event loop: the hand-over
runs on the loop (`anyio.from_thread.run_sync`), never beside it.
"""

from __future__ import annotations

import logging
from typing import Annotated

from anyio import from_thread
from fastapi import Depends, HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hotline.core.errors import CoreError
from hotline.core.model import Tenant
from hotline.runtime import Runtime, TenantRuntime
from hotline.store.accounts import Principal, record_audit
from hotline.store.config_repo import load_tenant

log = logging.getLogger("hotline.api")


class LiveConfig:
    """Commits configuration changes and applies them to the tenant's running server."""

    def __init__(self, runtime: Runtime | None) -> None:
        self._runtime = runtime

    def commit(
        self,
        session: Session,
        principal: Principal,
        action: str,
        entity: str,
        key: object,
        before: BaseModel | None,
        after: BaseModel | None,
    ) -> None:
        """Audit the change, give it to the running server, and commit."""
        record_audit(session, principal, action, entity, key, before, after)
        running = self._runtime.get(principal.tenant) if self._runtime is not None else None
        if running is None:
            session.commit()
            return
        session.flush()
        tenant = load_tenant(session, principal.tenant_id)
        previous = running.tenant
        try:
            from_thread.run_sync(running.reconfigure, tenant)
        except CoreError as error:
            session.rollback()
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"the running contact center cannot take this change now: {error}",
            ) from error
        try:
            session.commit()
        except BaseException:
            _restore(running, previous)
            raise


def _restore(running: TenantRuntime, previous: Tenant) -> None:
    try:
        from_thread.run_sync(running.reconfigure, previous)
    except CoreError:
        log.exception("tenant %s: the running configuration no longer matches the database; "
                      "restart the server", running.name)


def live_config(request: Request) -> LiveConfig:
    return LiveConfig(getattr(request.app.state, "runtime", None))


Live = Annotated[LiveConfig, Depends(live_config)]
