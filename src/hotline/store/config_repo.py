"""Reading and changing tenants' configuration in the database.

Every change is checked before anything is written: the data against its schema, then the
tenant's whole configuration as it would be after the change (`config_check`). A change that
would leave a dangling name, a duplicate or an overflow ring raises `ConfigError`, naming the
entity, the field, the value and what is allowed, and leaves the session as it was. Changes
are flushed, not committed: the caller owns the transaction.

Each entity — `skills`, `teams`, `queues`, `agents`, `dnis_routes`, `not_ready_reasons`,
`caller_lists` — is a `ConfigEntity` with `read_all`, `read`, `create`, `update` and `delete`,
and is known in its tenant by its key (a name, an agent id, a DNIS, a code, a number). Tenants
have functions of their own. `read_config` and `write_config` take a tenant's configuration
whole (YAML import and export), with the published versions of the tenant's IVR flows
(`ivr_flows`); `load_tenant` builds the core's tenant for a server to run.

A rename is a change like any other: the database carries a new queue, team or agent name into
every reference to it (ON UPDATE CASCADE), and a skill's new name is written here into the
queues and agents that use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hotline.core.model import Tenant
from hotline.store import ivr_flows
from hotline.store.config_check import (
    COLLECTIONS,
    ConfigError,
    ConfigNotFound,
    Loc,
    Problem,
    choices,
    config_problems,
    core_tenant,
    document_path,
    entity_path,
    validation_problems,
)
from hotline.store.config_schemas import (
    AgentCreate,
    AgentRead,
    AgentUpdate,
    CallerListEntryCreate,
    CallerListEntryRead,
    CallerListEntryUpdate,
    DnisRouteCreate,
    DnisRouteRead,
    DnisRouteUpdate,
    NotReadyReasonCreate,
    NotReadyReasonRead,
    NotReadyReasonUpdate,
    QueueCreate,
    QueueRead,
    QueueUpdate,
    SkillCreate,
    SkillRead,
    SkillUpdate,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    TenantConfig,
    TenantCreate,
    TenantRead,
    TenantUpdate,
)
from hotline.store.config_tables import (
    AgentRow,
    CallerListEntryRow,
    DnisRouteRow,
    NotReadyReasonRow,
    QueueRow,
    SkillRow,
    TeamRow,
    TenantRow,
)

__all__ = [
    "ConfigEntity", "ConfigError", "ConfigNotFound", "TenantRef", "agents", "caller_lists",
    "create_tenant", "delete_tenant", "dnis_routes", "load_tenant", "not_ready_reasons",
    "queues", "read_config", "read_tenant", "read_tenants", "skills", "teams", "update_tenant",
    "write_config",
]

TenantRef = int | str
"""A tenant, by its name or by its id (what `users.tenant_id` holds)."""

CreateT = TypeVar("CreateT", bound=BaseModel)
UpdateT = TypeVar("UpdateT", bound=BaseModel)
ReadT = TypeVar("ReadT", bound=BaseModel)
SchemaT = TypeVar("SchemaT", bound=BaseModel)
Document = dict[str, Any]
"""A `TenantConfig` as plain data (JSON types), the form changes are tried out on."""


def _same(values: dict[str, Any]) -> dict[str, Any]:
    return values


def _no_references(document: Document, old: str, new: str) -> None:
    """Nothing in a tenant refers to this kind of entity by name."""


def _nothing_to_rewrite(session: Session, tenant_id: int, old: str, new: str) -> None:
    """The database's ON UPDATE CASCADE renames every reference itself."""


@dataclass(frozen=True, eq=False)
class ConfigEntity(Generic[CreateT, UpdateT, ReadT]):
    """The entities of one kind in a tenant's configuration, and how to change them."""

    collection: str
    """The `TenantConfig` list that holds them, e.g. "queues"."""
    row: type[Any]
    column: str
    """The row attribute holding the key (the schema field is `key`)."""
    create_schema: type[CreateT]
    update_schema: type[UpdateT]
    read_schema: type[ReadT]
    to_columns: Callable[[dict[str, Any]], dict[str, Any]] = _same
    """Schema values (JSON types) to row attributes."""
    from_row: Callable[[Any], dict[str, Any]] | None = None
    """Row to schema values; by default each schema field is a row attribute."""
    rename_references: Callable[[Document, str, str], None] = _no_references
    rename_in_rows: Callable[[Session, int, str, str], None] = _nothing_to_rewrite
    sort_fields: tuple[str, ...] = ()
    """Fields ordering the list, when not just the key."""

    @property
    def label(self) -> str:
        """What one of them is called, e.g. "queue"."""
        return COLLECTIONS[self.collection][0]

    @property
    def key(self) -> str:
        """The schema field naming one of them in the tenant, e.g. "name"."""
        return COLLECTIONS[self.collection][1]

    def read_all(self, session: Session, tenant: TenantRef) -> list[ReadT]:
        """Every one in `tenant`, ordered by key."""
        tenant_row = _tenant_row(session, tenant)
        return [self.read_schema.model_validate(values)
                for values in self._items(session, tenant_row.id)]

    def read(self, session: Session, tenant: TenantRef, key: str) -> ReadT:
        """The one called `key` in `tenant` (`ConfigNotFound` if there is none)."""
        tenant_row = _tenant_row(session, tenant)
        return self.read_schema.model_validate(self._values(self._row(session, tenant_row, key)))

    def create(
        self, session: Session, tenant: TenantRef, data: CreateT | Mapping[str, Any]
    ) -> ReadT:
        """Add one to `tenant`, after checking it and what it refers to."""
        tenant_row = _tenant_row(session, tenant)
        given = data.model_dump() if isinstance(data, BaseModel) else data
        named = given.get(self.key) if isinstance(given, Mapping) else None
        where = _entity_where(self.label, named if isinstance(named, str) else None)
        values = _validated(self.create_schema, data, where).model_dump(mode="json")
        key = values[self.key]
        self._refuse_duplicate(session, tenant_row, key)
        document = _document(session, tenant_row)
        document[self.collection].append(values)
        _check(document)
        session.add(self.row(tenant_id=tenant_row.id, **self.to_columns(values)))
        session.flush()
        return self.read_schema.model_validate(values)

    def update(
        self, session: Session, tenant: TenantRef, key: str, data: UpdateT | Mapping[str, Any]
    ) -> ReadT:
        """Change the fields of the one called `key` that `data` gives (a new key renames it,
        and every reference to it), after checking the result."""
        tenant_row = _tenant_row(session, tenant)
        row = self._row(session, tenant_row, key)
        where = _entity_where(self.label, key)
        changes = _validated(self.update_schema, data, where).model_dump(
            mode="json", exclude_unset=True)
        values = _validated(self.create_schema, self._values(row) | changes, where).model_dump(
            mode="json")
        new_key = values[self.key]
        if new_key != key:
            self._refuse_duplicate(session, tenant_row, new_key)
        document = _document(session, tenant_row)
        items = document[self.collection]
        items[[item[self.key] for item in items].index(key)] = values
        if new_key != key:
            self.rename_references(document, key, new_key)
        _check(document)
        for column, value in self.to_columns(values).items():
            setattr(row, column, value)
        if new_key != key:
            self.rename_in_rows(session, tenant_row.id, key, new_key)
        session.flush()
        if new_key != key:
            session.expire_all()  # the database renamed the references in rows we may hold
        return self.read_schema.model_validate(values)

    def delete(self, session: Session, tenant: TenantRef, key: str) -> None:
        """Remove the one called `key`, unless something in the tenant still refers to it."""
        tenant_row = _tenant_row(session, tenant)
        row = self._row(session, tenant_row, key)
        document = _document(session, tenant_row)
        document[self.collection] = [item for item in document[self.collection]
                                     if item[self.key] != key]
        config = TenantConfig.model_validate(document)
        users = [entity_path(config, loc) for loc, _ in config_problems(config)]
        if users:
            raise ConfigError([Problem(f"{self.label} {key!r}",
                                       f"is still used by {', '.join(users)}; change those "
                                       "first")])
        session.delete(row)
        session.flush()

    def _values(self, row: Any) -> dict[str, Any]:
        if self.from_row is not None:
            return self.from_row(row)
        return {field: getattr(row, field) for field in self.create_schema.model_fields}

    def _items(self, session: Session, tenant_id: int) -> list[dict[str, Any]]:
        rows = session.scalars(select(self.row).where(self.row.tenant_id == tenant_id))
        order = self.sort_fields or (self.key,)
        return sorted((self._values(row) for row in rows),
                      key=lambda values: tuple(values[field] for field in order))

    def _find(self, session: Session, tenant_id: int, key: str) -> Any:
        return session.scalar(select(self.row).where(
            self.row.tenant_id == tenant_id, getattr(self.row, self.column) == key))

    def _row(self, session: Session, tenant_row: TenantRow, key: str) -> Any:
        row = self._find(session, tenant_row.id, key)
        if row is None:
            keys = [values[self.key] for values in self._items(session, tenant_row.id)]
            raise ConfigNotFound([Problem(
                f"{self.label} {key!r}",
                f"does not exist in tenant {tenant_row.name!r} ({choices(self.label, keys)})")])
        return row

    def _refuse_duplicate(self, session: Session, tenant_row: TenantRow, key: str) -> None:
        if self._find(session, tenant_row.id, key) is not None:
            raise ConfigError([Problem(f"{self.label} {key!r}",
                                       f"already exists in tenant {tenant_row.name!r}")])


def _entity_where(label: str, key: str | None) -> Callable[[Loc], str]:
    """Places a schema problem at a field of the entity: `queue 'repair' skills.repair`."""
    entity = f"{label} {key!r}" if key is not None else f"new {label}"
    return lambda loc: f"{entity} {document_path(loc)}" if loc else entity


def _validated(
    schema: type[SchemaT], data: BaseModel | Mapping[str, Any], where: Callable[[Loc], str]
) -> SchemaT:
    if isinstance(data, schema):
        return data
    if isinstance(data, BaseModel):
        data = data.model_dump()
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        raise ConfigError(validation_problems(error, schema, where)) from None


def _check(document: Document) -> TenantConfig:
    """`document` as a `TenantConfig`, or `ConfigError` naming each entity at fault."""
    config = TenantConfig.model_validate(document)
    problems = config_problems(config)
    if problems:
        raise ConfigError([Problem(entity_path(config, loc), message)
                           for loc, message in problems])
    return config


# The entities. Queues and agents have columns that differ from their schemas' fields.


def _queue_columns(values: dict[str, Any]) -> dict[str, Any]:
    columns = {field: values[field] for field in
               ("name", "skills", "priority", "strategy", "max_wait", "ring_timeout")}
    overflow = values["overflow"] or {}
    return columns | {
        "service_level_threshold": values["service_level"]["threshold"],
        "service_level_target": values["service_level"]["target"],
        "overflow_after": overflow.get("after"),
        "overflow_to": overflow.get("to"),
    }


def _queue_values(row: QueueRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "skills": dict(sorted(row.skills.items())),
        "priority": row.priority,
        "strategy": row.strategy,
        "service_level": {"threshold": row.service_level_threshold,
                          "target": row.service_level_target},
        "max_wait": row.max_wait,
        "overflow": (None if row.overflow_to is None
                     else {"after": row.overflow_after, "to": row.overflow_to}),
        "ring_timeout": row.ring_timeout,
    }


def _agent_columns(values: dict[str, Any]) -> dict[str, Any]:
    return {"agent_id": values["id"]} | {
        field: values[field] for field in ("name", "type", "team", "skills", "wrap_up")}


def _agent_values(row: AgentRow) -> dict[str, Any]:
    return {"id": row.agent_id, "name": row.name, "type": row.type, "team": row.team,
            "skills": dict(sorted(row.skills.items())), "wrap_up": row.wrap_up}


def _rename_skill_references(document: Document, old: str, new: str) -> None:
    for item in document["queues"] + document["agents"]:
        item["skills"] = {new if skill == old else skill: level
                          for skill, level in item["skills"].items()}


def _rename_skill_in_rows(session: Session, tenant_id: int, old: str, new: str) -> None:
    rows: list[QueueRow | AgentRow] = [
        *session.scalars(select(QueueRow).where(QueueRow.tenant_id == tenant_id)),
        *session.scalars(select(AgentRow).where(AgentRow.tenant_id == tenant_id)),
    ]
    for row in rows:
        if old in row.skills:
            row.skills = {new if skill == old else skill: level
                          for skill, level in row.skills.items()}


def _rename_queue_references(document: Document, old: str, new: str) -> None:
    for queue in document["queues"]:
        if queue["overflow"] is not None and queue["overflow"]["to"] == old:
            queue["overflow"]["to"] = new
    for route in document["dnis_routes"]:
        if route["queue"] == old:
            route["queue"] = new
    for field in ("default_queue", "after_hours_queue"):
        if document[field] == old:
            document[field] = new


def _rename_team_references(document: Document, old: str, new: str) -> None:
    for agent in document["agents"]:
        if agent["team"] == old:
            agent["team"] = new


def _rename_agent_references(document: Document, old: str, new: str) -> None:
    for team in document["teams"]:
        if team["supervisor"] == old:
            team["supervisor"] = new


skills = ConfigEntity(
    "skills", SkillRow, "name", SkillCreate, SkillUpdate, SkillRead,
    rename_references=_rename_skill_references, rename_in_rows=_rename_skill_in_rows)
teams = ConfigEntity(
    "teams", TeamRow, "name", TeamCreate, TeamUpdate, TeamRead,
    rename_references=_rename_team_references)
queues = ConfigEntity(
    "queues", QueueRow, "name", QueueCreate, QueueUpdate, QueueRead,
    to_columns=_queue_columns, from_row=_queue_values,
    rename_references=_rename_queue_references)
agents = ConfigEntity(
    "agents", AgentRow, "agent_id", AgentCreate, AgentUpdate, AgentRead,
    to_columns=_agent_columns, from_row=_agent_values,
    rename_references=_rename_agent_references)
dnis_routes = ConfigEntity(
    "dnis_routes", DnisRouteRow, "dnis", DnisRouteCreate, DnisRouteUpdate, DnisRouteRead)
not_ready_reasons = ConfigEntity(
    "not_ready_reasons", NotReadyReasonRow, "code", NotReadyReasonCreate, NotReadyReasonUpdate,
    NotReadyReasonRead)
caller_lists = ConfigEntity(
    "caller_lists", CallerListEntryRow, "number", CallerListEntryCreate,
    CallerListEntryUpdate, CallerListEntryRead, sort_fields=("list", "number"))

_ENTITIES: tuple[ConfigEntity[Any, Any, Any], ...] = (
    skills, teams, queues, agents, dnis_routes, not_ready_reasons, caller_lists)
"""In an order each can be inserted in once the references set later (`_SET_LATER`) are left
out: every other reference points at an entity earlier in the list."""

_SET_LATER = {"teams": ("supervisor",), "queues": ("overflow_after", "overflow_to")}
"""Columns pointing at rows that may not exist yet while a whole configuration is written."""


# Tenants


def _tenant_row(session: Session, tenant: TenantRef) -> TenantRow:
    condition = TenantRow.name == tenant if isinstance(tenant, str) else TenantRow.id == tenant
    row = session.scalar(select(TenantRow).where(condition))
    if row is None:
        raise ConfigNotFound([Problem(f"tenant {tenant!r}", "does not exist")])
    return row


def _tenant_values(row: TenantRow) -> dict[str, Any]:
    return {field: getattr(row, field) for field in TenantCreate.model_fields}


def _document(session: Session, tenant_row: TenantRow) -> Document:
    """The tenant's whole configuration as plain data, each list ordered by key."""
    document = _tenant_values(tenant_row)
    for entity in _ENTITIES:
        document[entity.collection] = entity._items(session, tenant_row.id)
    document["flows"] = ivr_flows.published_documents(session, tenant_row.id)
    return document


def create_tenant(session: Session, data: TenantCreate | Mapping[str, Any]) -> TenantRead:
    """A new tenant, with nothing configured yet (so no default or after-hours queue)."""
    given = data.model_dump() if isinstance(data, BaseModel) else data
    named = given.get("name") if isinstance(given, Mapping) else None
    where = _entity_where("tenant", named if isinstance(named, str) else None)
    values = _validated(TenantCreate, data, where).model_dump(mode="json")
    if session.scalar(select(TenantRow.id).where(TenantRow.name == values["name"])) is not None:
        raise ConfigError([Problem(f"tenant {values['name']!r}", "already exists")])
    _check(values)
    row = TenantRow(**values)
    session.add(row)
    session.flush()
    return TenantRead.model_validate(values | {"id": row.id})


def read_tenant(session: Session, tenant: TenantRef) -> TenantRead:
    """The tenant's own settings (`ConfigNotFound` if there is no such tenant)."""
    row = _tenant_row(session, tenant)
    return TenantRead.model_validate(_tenant_values(row) | {"id": row.id})


def read_tenants(session: Session) -> list[TenantRead]:
    """Every tenant, by name."""
    rows = session.scalars(select(TenantRow))
    return sorted((TenantRead.model_validate(_tenant_values(row) | {"id": row.id})
                   for row in rows), key=lambda tenant: tenant.name)


def update_tenant(
    session: Session, tenant: TenantRef, data: TenantUpdate | Mapping[str, Any]
) -> TenantRead:
    """Change the tenant's settings that `data` gives, after checking the result."""
    row = _tenant_row(session, tenant)
    where = _entity_where("tenant", row.name)
    changes = _validated(TenantUpdate, data, where).model_dump(mode="json", exclude_unset=True)
    values = _validated(TenantCreate, _tenant_values(row) | changes, where).model_dump(
        mode="json")
    _check(_document(session, row) | values)
    for field, value in values.items():
        setattr(row, field, value)
    session.flush()
    return TenantRead.model_validate(values | {"id": row.id})


def delete_tenant(session: Session, tenant: TenantRef) -> None:
    """Remove the tenant and everything it has (its configuration, and its users with them)."""
    row = _tenant_row(session, tenant)
    session.execute(delete(TenantRow).where(TenantRow.id == row.id))
    session.expire_all()


# A tenant's configuration as a whole


def read_config(session: Session, tenant: TenantRef) -> TenantConfig:
    """The tenant with everything it configures, each list ordered by key."""
    return TenantConfig.model_validate(_document(session, _tenant_row(session, tenant)))


def load_tenant(session: Session, tenant: TenantRef) -> Tenant:
    """The core's `Tenant` for the tenant's configuration, checked as a server checks it
    (`ConfigError` lists every problem)."""
    config = read_config(session, tenant)
    problems = config_problems(config)
    if problems:
        raise ConfigError([Problem(entity_path(config, loc), message)
                           for loc, message in problems])
    return core_tenant(config)


def write_config(
    session: Session, config: TenantConfig, *, replace: bool,
    where: Callable[[Loc], str] = document_path, user: str = "config import",
) -> TenantRead:
    """Store `config` as a new tenant or, with `replace`, as the whole configuration of the
    existing tenant of that name (which keeps its id, and so its users). Problems are placed
    by `where`, by default as paths in the document: `queues[2].overflow.to`.

    Its `flows` become the published versions of those flows (new versions, noted as made
    by `user`, unless unchanged); flows it does not list keep their versions, since a flow's
    history is not configuration to replace."""
    problems = config_problems(config)
    if problems:
        raise ConfigError([Problem(where(loc), message) for loc, message in problems])
    row = session.scalar(select(TenantRow).where(TenantRow.name == config.name))
    if row is not None and not replace:
        raise ConfigError([Problem(where(("name",)),
                                   f"tenant {config.name!r} already exists; allowed: a new "
                                   "tenant, or replacing this one's configuration whole")])
    document = config.model_dump(mode="json")
    settings = {field: document[field] for field in TenantCreate.model_fields}
    routing = {field: settings.pop(field) for field in ("default_queue", "after_hours_queue")}
    if row is None:
        row = TenantRow(**settings)
        session.add(row)
        session.flush()
    else:
        _clear(session, row.id)
        for field, value in settings.items():
            setattr(row, field, value)
    later: list[tuple[Any, dict[str, Any]]] = []
    for entity in _ENTITIES:
        for values in document[entity.collection]:
            columns = entity.to_columns(values)
            deferred = {column: columns.pop(column)
                        for column in _SET_LATER.get(entity.collection, ())}
            new = entity.row(tenant_id=row.id, **columns)
            session.add(new)
            later.append((new, deferred))
        session.flush()
    for new, deferred in later:
        for column, value in deferred.items():
            setattr(new, column, value)
    for field, value in routing.items():
        setattr(row, field, value)
    ivr_flows.import_published(session, row.id, document["flows"], user)
    session.flush()
    return TenantRead.model_validate(settings | routing | {"id": row.id})


def _clear(session: Session, tenant_id: int) -> None:
    """Remove everything the tenant configures, keeping the tenant itself."""
    session.execute(update(TenantRow).where(TenantRow.id == tenant_id)
                    .values(default_queue=None, after_hours_queue=None))
    session.execute(update(TeamRow).where(TeamRow.tenant_id == tenant_id).values(supervisor=None))
    for entity in reversed(_ENTITIES):
        # One statement per table: a queue that overflows to another goes with it.
        session.execute(delete(entity.row).where(entity.row.tenant_id == tenant_id))
    session.expire_all()
