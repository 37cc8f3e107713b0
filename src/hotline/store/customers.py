"""Customers (C1): the records, their validation and normalization, and the repository.

Phones are kept as digits with an optional leading `+` (spaces, dashes, dots and brackets
dropped: "+86 139-1234-5678" is "+8613912345678"); e-mails in lower case; account numbers as
given, without surrounding spaces. Every one of them is a row of `customer_contacts`, so
`lookup` is one query on the unique (tenant, kind, value) index, and a value already held by
another customer of the tenant is refused (`CustomerConflict`).

CSV (`export_csv`, `parse_csv`, `import_customers`): one customer a line under the header
`COLUMNS`; several phones, e-mails, account numbers or tags in one cell are separated by `;`.
A cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or
a carriage return) is written with a `'` in front, which reading removes again. An import
stores every row or, when any row is bad, none (`CustomerImportError` lists them all).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal, Self, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from hotline.store.account_schemas import UtcTime
from hotline.store.account_tables import utc_now
from hotline.store.customer_tables import (
    ADDRESS,
    CONTACT,
    NAME,
    NOTES,
    TAG,
    CustomerContactRow,
    CustomerRow,
    CustomerTagRow,
)

Kind = Literal["phone", "email", "account"]
KINDS: tuple[Kind, ...] = ("phone", "email", "account")
Tier = Literal["standard", "vip"]
MAX_VALUES = 20
"""Phones, e-mails, account numbers or tags a customer may have, of each."""

_PHONE_NOISE = re.compile(r"[\s\-.()/]")
_PHONE = re.compile(r"\+?[0-9]{3,20}")
_EMAIL = re.compile(r"[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+")
_ACCOUNT = re.compile(r"[^\s;,]{1,64}")
_TAG = re.compile(rf"[^\s;,]{{1,{TAG}}}")


def normalize_phone(value: str) -> str:
    """The phone number as stored: digits with an optional leading +."""
    digits = _PHONE_NOISE.sub("", value)
    if not _PHONE.fullmatch(digits):
        raise ValueError(f"{value!r} is not a phone number: 3 to 20 digits, an optional "
                         "leading +, spaces, dashes, dots and brackets allowed")
    return digits


def normalize_email(value: str) -> str:
    """The e-mail address as stored: trimmed, in lower case."""
    address = value.strip().lower()
    if len(address) > CONTACT or not _EMAIL.fullmatch(address):
        raise ValueError(f"{value!r} is not an e-mail address like name@example.com")
    return address


def normalize_account(value: str) -> str:
    """The account number as stored: trimmed."""
    account = value.strip()
    if not _ACCOUNT.fullmatch(account):
        raise ValueError(f"{value!r} is not an account number: 1 to 64 characters, "
                         "without spaces, ';' or ','")
    return account


def _tag(value: str) -> str:
    tag = value.strip()
    if not _TAG.fullmatch(tag):
        raise ValueError(f"{value!r} is not a tag: 1 to {TAG} characters, without spaces, "
                         "';' or ','")
    return tag


NORMALIZE = {"phone": normalize_phone, "email": normalize_email, "account": normalize_account}

Phone = Annotated[str, AfterValidator(normalize_phone)]
Email = Annotated[str, AfterValidator(normalize_email)]
Account = Annotated[str, AfterValidator(normalize_account)]
Tag = Annotated[str, AfterValidator(_tag)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=ADDRESS)]
Notes = Annotated[str, StringConstraints(max_length=NOTES)]


def _unique(values: list[str]) -> list[str]:
    """`values` without repeats, in their order (two spellings of one number are one)."""
    return list(dict.fromkeys(values))


Unique = AfterValidator(_unique)


class CustomerCreate(BaseModel):
    """A new customer."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(examples=["Wang Fang"])
    phones: Annotated[list[Phone], Unique] = Field(
        default_factory=list, max_length=MAX_VALUES, examples=[["+86 139-1234-5678"]])
    emails: Annotated[list[Email], Unique] = Field(default_factory=list, max_length=MAX_VALUES)
    accounts: Annotated[list[Account], Unique] = Field(
        default_factory=list, max_length=MAX_VALUES, examples=[["GAS-0012345"]])
    address: Address = ""
    tier: Tier = "standard"
    tags: Annotated[list[Tag], Unique] = Field(default_factory=list, max_length=MAX_VALUES)
    notes: Notes = ""


class CustomerUpdate(BaseModel):
    """The fields to change (each may be left out, none may be null)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    phones: Annotated[list[Phone], Unique] | None = Field(None, max_length=MAX_VALUES)
    emails: Annotated[list[Email], Unique] | None = Field(None, max_length=MAX_VALUES)
    accounts: Annotated[list[Account], Unique] | None = Field(None, max_length=MAX_VALUES)
    address: Address | None = None
    tier: Tier | None = None
    tags: Annotated[list[Tag], Unique] | None = Field(None, max_length=MAX_VALUES)
    notes: Notes | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nulls = sorted(name for name in self.model_fields_set if getattr(self, name) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null: leave a field out to keep it")
        return self


class CustomerRead(BaseModel):
    """A customer as the API shows it; `notes` is null for callers who may not read them."""

    id: int
    name: str
    phones: list[str]
    emails: list[str]
    accounts: list[str]
    address: str
    tier: Tier
    tags: list[str]
    notes: str | None
    created_at: UtcTime
    updated_at: UtcTime


class CustomerPage(BaseModel):
    """One page of a search, and how many customers match in all."""

    total: int
    limit: int
    offset: int
    items: list[CustomerRead]


class CustomerConflict(ValueError):
    """A phone, e-mail or account number already belongs to another customer."""


class CustomerImportError(ValueError):
    """Rows of a CSV import that cannot be stored: (row number, problems) each."""

    def __init__(self, problems: Sequence[tuple[int, list[str]]]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} rows cannot be imported; nothing was stored")


_CONTACT_FIELDS: dict[str, str] = {"phone": "phones", "email": "emails", "account": "accounts"}


def _contacts(fields: CustomerCreate) -> list[tuple[str, str]]:
    return [(kind, value) for kind, name in _CONTACT_FIELDS.items()
            for value in getattr(fields, name)]


def _holders(session: Session, tenant_id: int,
             contacts: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Which customer of the tenant holds each of `contacts` (those held by anyone)."""
    held: dict[tuple[str, str], int] = {}
    for kind in KINDS:
        values = [value for k, value in contacts if k == kind]
        for start in range(0, len(values), 500):
            query = select(CustomerContactRow.value, CustomerContactRow.customer_id).where(
                CustomerContactRow.tenant_id == tenant_id, CustomerContactRow.kind == kind,
                CustomerContactRow.value.in_(values[start:start + 500]))
            for value, customer_id in session.execute(query):
                held[(kind, value)] = customer_id
    return held


def _refuse_taken(session: Session, tenant_id: int, contacts: Sequence[tuple[str, str]],
                  customer_id: int | None) -> None:
    taken = [f"{kind} {value} already belongs to customer {holder}"
             for (kind, value), holder in _holders(session, tenant_id, contacts).items()
             if holder != customer_id]
    if taken:
        raise CustomerConflict("; ".join(sorted(taken)))


def _add_contacts(session: Session, tenant_id: int, customer_id: int,
                  contacts: Iterable[tuple[str, str]], tags: Iterable[str]) -> None:
    contact_rows = [{"tenant_id": tenant_id, "customer_id": customer_id, "kind": kind,
                     "value": value} for kind, value in contacts]
    tag_rows = [{"tenant_id": tenant_id, "customer_id": customer_id, "tag": tag}
                for tag in tags]
    if contact_rows:
        session.execute(insert(CustomerContactRow), contact_rows)
    if tag_rows:
        session.execute(insert(CustomerTagRow), tag_rows)


def _views(session: Session, rows: Sequence[CustomerRow]) -> list[CustomerRead]:
    """The rows with their contacts and tags (two queries for the lot)."""
    ids = [row.id for row in rows]
    values: dict[int, dict[str, list[str]]] = {
        i: {"phones": [], "emails": [], "accounts": [], "tags": []} for i in ids}
    if ids:
        contacts = select(CustomerContactRow.customer_id, CustomerContactRow.kind,
                          CustomerContactRow.value).where(
            CustomerContactRow.customer_id.in_(ids)).order_by(CustomerContactRow.id)
        for customer_id, kind, value in session.execute(contacts):
            values[customer_id][_CONTACT_FIELDS[kind]].append(value)
        tags = select(CustomerTagRow.customer_id, CustomerTagRow.tag).where(
            CustomerTagRow.customer_id.in_(ids)).order_by(CustomerTagRow.tag)
        for customer_id, tag in session.execute(tags):
            values[customer_id]["tags"].append(tag)
    return [CustomerRead(id=row.id, name=row.name, address=row.address, tier=cast(Tier, row.tier),
                         notes=row.notes, created_at=row.created_at,
                         updated_at=row.updated_at, **values[row.id])
            for row in rows]


def _row(session: Session, tenant_id: int, customer_id: int) -> CustomerRow | None:
    row = session.get(CustomerRow, customer_id)
    return row if row is not None and row.tenant_id == tenant_id else None


def create(session: Session, tenant_id: int, fields: CustomerCreate,
           now: datetime | None = None) -> CustomerRead:
    """Add a customer (flushed, not committed); `CustomerConflict` if a phone, e-mail or
    account number is another customer's."""
    contacts = _contacts(fields)
    _refuse_taken(session, tenant_id, contacts, None)
    moment = now or utc_now()
    row = CustomerRow(tenant_id=tenant_id, name=fields.name, address=fields.address,
                      tier=fields.tier, notes=fields.notes, created_at=moment,
                      updated_at=moment)
    session.add(row)
    session.flush()
    _add_contacts(session, tenant_id, row.id, contacts, fields.tags)
    return _views(session, [row])[0]


def get(session: Session, tenant_id: int, customer_id: int) -> CustomerRead | None:
    """The tenant's customer `customer_id`, or None."""
    row = _row(session, tenant_id, customer_id)
    return None if row is None else _views(session, [row])[0]


def update(session: Session, tenant_id: int, customer_id: int,
           changes: CustomerUpdate) -> tuple[CustomerRead, CustomerRead] | None:
    """Change the fields set in `changes` (flushed, not committed): the customer before and
    after, or None when the tenant has no such customer."""
    row = _row(session, tenant_id, customer_id)
    if row is None:
        return None
    before = _views(session, [row])[0]
    after = CustomerCreate.model_validate(
        {**before.model_dump(include=set(CustomerCreate.model_fields)),
         "notes": row.notes, **changes.model_dump(exclude_unset=True)})
    contacts = _contacts(after)
    _refuse_taken(session, tenant_id, contacts, customer_id)
    for name in ("name", "address", "tier", "notes"):
        setattr(row, name, getattr(after, name))
    row.updated_at = utc_now()
    session.execute(delete(CustomerContactRow).where(
        CustomerContactRow.customer_id == customer_id))
    session.execute(delete(CustomerTagRow).where(CustomerTagRow.customer_id == customer_id))
    session.flush()
    _add_contacts(session, tenant_id, customer_id, contacts, after.tags)
    return before, _views(session, [row])[0]


def remove(session: Session, tenant_id: int, customer_id: int) -> CustomerRead | None:
    """Delete the customer with their contacts and tags (not committed): as they were, or
    None when the tenant has no such customer."""
    row = _row(session, tenant_id, customer_id)
    if row is None:
        return None
    before = _views(session, [row])[0]
    for table in (CustomerContactRow, CustomerTagRow):
        session.execute(delete(table).where(table.customer_id == customer_id))
    session.delete(row)
    session.flush()
    return before


def search(session: Session, tenant_id: int, *, name: str | None = None,
           tag: str | None = None, tier: Tier | None = None, limit: int = 50,
           offset: int = 0) -> CustomerPage:
    """The tenant's customers whose name starts with `name` (ignoring case), carrying `tag`
    and of `tier` (each when given), by name then id."""
    query = select(CustomerRow).where(CustomerRow.tenant_id == tenant_id)
    if name:
        pattern = name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(CustomerRow.name).like(pattern + "%", escape="\\"))
    if tag:
        query = query.where(CustomerRow.id.in_(select(CustomerTagRow.customer_id).where(
            CustomerTagRow.tenant_id == tenant_id, CustomerTagRow.tag == tag)))
    if tier:
        query = query.where(CustomerRow.tier == tier)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(CustomerRow.name, CustomerRow.id).limit(limit).offset(offset)).all()
    return CustomerPage(total=total, limit=limit, offset=offset, items=_views(session, rows))


def lookup_query(tenant_id: int, kind: str, value: str) -> Select[CustomerRow]:
    """The one query behind `lookup`: the customer holding an already normalized value."""
    return select(CustomerRow).join(
        CustomerContactRow, CustomerContactRow.customer_id == CustomerRow.id).where(
        CustomerContactRow.tenant_id == tenant_id, CustomerContactRow.kind == kind,
        CustomerContactRow.value == value)


def lookup(session: Session, tenant_id: int, *, phone: str | None = None,
           email: str | None = None, account: str | None = None) -> CustomerRead | None:
    """The tenant's customer with this phone number, e-mail address or account number (give
    exactly one; it is normalized first), or None. ValueError when the value is malformed."""
    given = [(kind, value) for kind, value in
             (("phone", phone), ("email", email), ("account", account)) if value is not None]
    if len(given) != 1:
        raise ValueError("look up by exactly one of phone, email or account")
    kind, value = given[0]
    row = session.scalars(lookup_query(tenant_id, kind, NORMALIZE[kind](value))).first()
    return None if row is None else _views(session, [row])[0]


COLUMNS = ("name", "phones", "emails", "accounts", "address", "tier", "tags", "notes")
_LIST_COLUMNS = ("phones", "emails", "accounts", "tags")
_FORMULA = tuple("=+-@\t\r'")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def _uncell(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA) else value


def export_csv(session: Session, tenant_id: int, batch: int = 500) -> Iterator[str]:
    """The tenant's customers as CSV text, the header first, in pieces (one per batch)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    last = 0
    while True:
        rows = session.scalars(select(CustomerRow).where(
            CustomerRow.tenant_id == tenant_id, CustomerRow.id > last
        ).order_by(CustomerRow.id).limit(batch)).all()
        for view in _views(session, rows):
            record = view.model_dump()
            writer.writerow([_cell(";".join(record[column]) if column in _LIST_COLUMNS
                                   else str(record[column])) for column in COLUMNS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
        if len(rows) < batch:
            return
        last = rows[-1].id


Numbered = tuple[int, CustomerCreate]
Problems = list[tuple[int, list[str]]]


def parse_csv(text: str, max_rows: int) -> tuple[list[Numbered], Problems]:
    """The customers of a CSV text with their row numbers (the header is row 1), and the
    problems of the rows that are not valid customers. `CustomerImportError` when the file
    as a whole cannot be read (not CSV, a bad header)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise CustomerImportError([(1, ["the file is empty: the header row is missing"])])
        header = [column.strip().lower() for column in header]
        unknown = [column for column in header if column not in COLUMNS]
        repeated = sorted({column for column in header if header.count(column) > 1})
        problems = [f"unknown column {column!r}" for column in unknown]
        problems += [f"column {column!r} appears twice" for column in repeated]
        if "name" not in header:
            problems.append("the column 'name' is missing")
        if problems:
            raise CustomerImportError([(1, [*problems, f"columns are {', '.join(COLUMNS)}"])])
        customers: list[Numbered] = []
        errors: Problems = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if number - 1 > max_rows:
                errors.append((number, [f"an import may have at most {max_rows} rows"]))
                break
            if len(cells) != len(header):
                errors.append((number, [f"{len(cells)} cells; the header has {len(header)}"]))
                continue
            record: dict[str, Any] = {}
            for column, cell in zip(header, cells, strict=True):
                value = _uncell(cell)
                if column in _LIST_COLUMNS:
                    record[column] = [part for part in value.split(";") if part.strip()]
                elif value or column == "name":
                    record[column] = value
            try:
                customers.append((number, CustomerCreate.model_validate(record)))
            except ValidationError as error:
                errors.append((number, [_problem(item) for item in error.errors()]))
    except csv.Error as error:
        raise CustomerImportError([(reader.line_num, [f"not valid CSV: {error}"])]) from None
    return customers, errors


def _problem(item: Any) -> str:
    where = ".".join(str(part) for part in item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def import_customers(session: Session, tenant_id: int, numbered: Sequence[Numbered],
                     invalid: Sequence[tuple[int, list[str]]] = ()) -> int:
    """Add the `numbered` customers (flushed, not committed), or none of them:
    `CustomerImportError` listing the `invalid` rows (from `parse_csv`) and those whose phone,
    e-mail or account number is on an earlier row or already another customer's."""
    found: dict[int, list[str]] = {number: list(problems) for number, problems in invalid}
    first_row: dict[tuple[str, str], int] = {}
    every: list[tuple[str, str]] = []
    for number, customer in numbered:
        problems = found.setdefault(number, [])
        for contact in _contacts(customer):
            if contact in first_row:
                problems.append(f"{contact[0]} {contact[1]} is also on row {first_row[contact]}")
            else:
                first_row[contact] = number
                every.append(contact)
    for (kind, value), holder in _holders(session, tenant_id, every).items():
        found[first_row[(kind, value)]].append(
            f"{kind} {value} already belongs to customer {holder}")
    errors = sorted((number, problems) for number, problems in found.items() if problems)
    if errors:
        raise CustomerImportError(errors)
    customers = [customer for _, customer in numbered]
    moment = utc_now()
    for start in range(0, len(customers), 1000):
        chunk = customers[start:start + 1000]
        rows = [CustomerRow(tenant_id=tenant_id, name=c.name, address=c.address, tier=c.tier,
                            notes=c.notes, created_at=moment, updated_at=moment)
                for c in chunk]
        session.add_all(rows)
        session.flush()
        contacts = [{"tenant_id": tenant_id, "customer_id": row.id, "kind": kind,
                     "value": value} for row, c in zip(rows, chunk, strict=True)
                    for kind, value in _contacts(c)]
        tags = [{"tenant_id": tenant_id, "customer_id": row.id, "tag": tag}
                for row, c in zip(rows, chunk, strict=True) for tag in c.tags]
        if contacts:
            session.execute(insert(CustomerContactRow), contacts)
        if tags:
            session.execute(insert(CustomerTagRow), tags)
    return len(customers)
