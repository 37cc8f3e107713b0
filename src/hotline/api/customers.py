"""`/api/customers`: customer records (C1), looked up by phone, e-mail or account number.

Who sees and changes what (personal data goes no further than each role needs):
- agents look customers up (`/lookup`, the screen pop), search them and read them, and add or
  correct one during a call (name, phones, e-mails, account numbers, address, tags) — the
  address is theirs to see because repairs and appointments are dispatched to it;
- agents neither read nor write `notes` (internal remarks: the field comes back null) and
  cannot set the tier (VIP raises routing priority): supervisors and admins can;
- only admins delete customers and export or import the CSV (the whole customer base at once).

Every change, and every export and import, goes to the audit log. A phone, e-mail or account
number that another customer of the tenant already has is refused with a 409 naming them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hotline.api.auth import Admin, AnyUser
from hotline.api.resources import RecordId, commit_audited, not_found, read_body
from hotline.api.session import DbSession
from hotline.store import customers
from hotline.store.account_tables import Role
from hotline.store.accounts import Principal
from hotline.store.customer_tables import CONTACT, NAME, TAG
from hotline.store.customers import (
    CustomerConflict,
    CustomerCreate,
    CustomerImportError,
    CustomerPage,
    CustomerRead,
    CustomerUpdate,
    Tier,
)

router = APIRouter(prefix="/api/customers", tags=["customers"])

MAX_PAGE = 200
MAX_CSV_BYTES = 8 * 1024 * 1024
MAX_CSV_ROWS = 50_000
_STAFF_FIELDS = ("tier", "notes")


class ImportProblem(BaseModel):
    """What is wrong with one row of a CSV import (row 1 is the header)."""

    row: int
    problems: list[str]


class ImportResult(BaseModel):
    """How many customers an import added."""

    imported: int


def _is_staff(principal: Principal) -> bool:
    return principal.role in (Role.SUPERVISOR, Role.ADMIN)


def _shown(principal: Principal, customer: CustomerRead) -> CustomerRead:
    """The customer as `principal` may see them (agents do not see notes)."""
    return customer if _is_staff(principal) else customer.model_copy(update={"notes": None})


def _staff_only(principal: Principal, fields: set[str]) -> None:
    refused = sorted(fields & set(_STAFF_FIELDS))
    if refused and not _is_staff(principal):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"only supervisors and admins set {' and '.join(refused)}; "
                            f"you are {principal.role.value}")


def _conflict(error: CustomerConflict) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(error))


@router.get("")
def search_customers(
    principal: AnyUser,
    session: DbSession,
    name: Annotated[str | None, Query(max_length=NAME, description="Name starts with this "
                                                                    "(any case).")] = None,
    tag: Annotated[str | None, Query(max_length=TAG, description="Carries this tag.")] = None,
    tier: Tier | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> CustomerPage:
    """The tenant's customers matching every filter given, by name, a page at a time."""
    page = customers.search(session, principal.tenant_id, name=name, tag=tag, tier=tier,
                            limit=limit, offset=offset)
    return page.model_copy(update={"items": [_shown(principal, c) for c in page.items]})


@router.post("", status_code=status.HTTP_201_CREATED,
             responses={409: {"description": "A phone, e-mail or account number is taken"}})
def create_customer(body: CustomerCreate, principal: AnyUser,
                    session: DbSession) -> CustomerRead:
    """Add a customer. Agents may not set `tier` or `notes`."""
    _staff_only(principal, {name for name in _STAFF_FIELDS
                            if body.model_dump()[name] != CustomerCreate.model_fields[name]
                            .default})
    try:
        after = customers.create(session, principal.tenant_id, body)
    except CustomerConflict as error:
        raise _conflict(error) from None
    commit_audited(session, principal, "create", "customer", after.id, None, after)
    return _shown(principal, after)


@router.get("/lookup", responses={404: {"description": "No customer has this value"}})
def lookup_customer(
    principal: AnyUser,
    session: DbSession,
    phone: Annotated[str | None, Query(max_length=64, examples=["+86 139-1234-5678"])] = None,
    email: Annotated[str | None, Query(max_length=CONTACT)] = None,
    account: Annotated[str | None, Query(max_length=64)] = None,
) -> CustomerRead:
    """The customer with this phone number, e-mail address or account number (exactly one)."""
    try:
        found = customers.lookup(session, principal.tenant_id, phone=phone, email=email,
                                 account=account)
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no customer of this tenant has it")
    return _shown(principal, found)


@router.get("/export.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The customers"}})
def export_customers(principal: Admin, session: DbSession) -> Response:
    """Every customer of the tenant as CSV (UTF-8; the columns `import` reads)."""
    text = "".join(customers.export_csv(session, principal.tenant_id))
    commit_audited(session, principal, "export", "customer", "csv", None, None)
    return Response(text.encode(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="customers.csv"'})


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {
        "type": "string", "description": "Header row: "
                                          + ", ".join(customers.COLUMNS)}}}}},
    responses={413: {"description": "Too large"}, 415: {"description": "Not text/csv"},
               422: {"description": "Rows that cannot be imported; nothing was stored"}},
)
async def import_customers(request: Request, principal: Admin,
                           session: DbSession) -> ImportResult:
    """Add the customers of a CSV body (UTF-8, `Content-Type: text/csv`, at most 8 MiB and
    50,000 rows): all of them, or — when any row is bad — none, with every bad row listed."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "text/csv":
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            "send the CSV with Content-Type: text/csv")
    body = await read_body(request, MAX_CSV_BYTES, "the CSV")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"the CSV is not UTF-8 (byte {error.start})") from None
    return await run_in_threadpool(_import, session, principal, text)


def _import(session: Session, principal: Principal, text: str) -> ImportResult:
    try:
        numbered, invalid = customers.parse_csv(text, MAX_CSV_ROWS)
        added = customers.import_customers(session, principal.tenant_id, numbered, invalid)
    except CustomerImportError as error:
        session.rollback()
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [
            ImportProblem(row=row, problems=problems).model_dump()
            for row, problems in error.problems]) from None
    result = ImportResult(imported=added)
    commit_audited(session, principal, "import", "customer", "csv", None, result)
    return result

@router.get("/{customer_id}")
def get_customer(customer_id: RecordId, principal: AnyUser,
                 session: DbSession) -> CustomerRead:
    """One customer."""
    found = customers.get(session, principal.tenant_id, customer_id)
    if found is None:
        raise not_found("customer", customer_id)
    return _shown(principal, found)


@router.patch("/{customer_id}",
              responses={409: {"description": "A phone, e-mail or account number is taken"}})
def update_customer(customer_id: RecordId, body: CustomerUpdate, principal: AnyUser,
                    session: DbSession) -> CustomerRead:
    """Change the fields given; a list given replaces the old one. Agents may not change
    `tier` or `notes`."""
    _staff_only(principal, body.model_fields_set)
    try:
        changed = customers.update(session, principal.tenant_id, customer_id, body)
    except CustomerConflict as error:
        raise _conflict(error) from None
    if changed is None:
        raise not_found("customer", customer_id)
    before, after = changed
    commit_audited(session, principal, "update", "customer", customer_id, before, after)
    return _shown(principal, after)


@router.delete("/{customer_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_customer(customer_id: RecordId, principal: Admin, session: DbSession) -> Response:
    """Remove a customer with their phones, e-mails, account numbers and tags."""
    before = customers.remove(session, principal.tenant_id, customer_id)
    if before is None:
        raise not_found("customer", customer_id)
    commit_audited(session, principal, "delete", "customer", customer_id, before, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
