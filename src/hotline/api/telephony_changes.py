"""What the telephony routers (`extensions`, `trunks`, `dids`) share: refusals as HTTP errors,
and committing a change so that the running SIP switch takes it.

A change is committed with its audit entry, then every callable in
`app.state.telephony_listeners` is called, with no arguments, on the event loop: the switch
registers one that loads a new `TelephonySnapshot`. A listener that fails is logged; the
change stays committed (the switch keeps its previous snapshot until the next change).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from anyio import from_thread
from fastapi import HTTPException, Request, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hotline.api.resources import commit_audited
from hotline.store.accounts import Principal
from hotline.store.telephony import TelephonyConflict, TelephonyError

log = logging.getLogger("hotline.api")

TelephonyListener = Callable[[], None]
"""Called after each committed telephony change (see the module's docstring)."""


def refused(error: TelephonyError) -> HTTPException:
    """The HTTP error for a refused change: 409 for a clash with existing data, else 422."""
    code = (status.HTTP_409_CONFLICT if isinstance(error, TelephonyConflict)
            else status.HTTP_422_UNPROCESSABLE_CONTENT)
    return HTTPException(code, str(error))


def commit_change(
    request: Request,
    session: Session,
    principal: Principal,
    action: str,
    entity: str,
    key: object,
    before: BaseModel | None,
    after: BaseModel | None,
) -> None:
    """Audit and commit the change, then tell the listeners."""
    commit_audited(session, principal, action, entity, key, before, after)
    listeners: list[TelephonyListener] = request.app.state.telephony_listeners
    for listener in list(listeners):
        try:
            from_thread.run_sync(listener)
        except Exception:
            log.exception("a telephony listener failed after %s %s %s; the switch may hold "
                          "the previous configuration", action, entity, key)
