"""What the API accepts and returns for users: create, update and read shapes.

Passwords go in, never out. Names and display names may not hold control characters (they
end up in logs, the wall board and CSV exports).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from hotline.store.account_tables import Language, Role
from hotline.store.accounts import MAX_PASSWORD, MIN_PASSWORD, as_utc
from hotline.store.config_schemas import AgentId

Username = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")
]
DisplayName = Annotated[str, Field(max_length=128, pattern=r"^[^\x00-\x1f\x7f]*$")]
Password = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]
UtcTime = Annotated[datetime, AfterValidator(as_utc)]


class UserCreate(BaseModel):
    """A new user of the caller's tenant."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    password: Password
    role: Role
    display_name: DisplayName = ""
    agent_id: AgentId | None = Field(
        default=None, description="The agent this user logs in as (agents only)."
    )
    language: Language = Language.EN


class UserUpdate(BaseModel):
    """Changes to a user: only the fields given change; only `agent_id` may be null (no
    agent). A new password, a new role or disabling ends the user's logins."""

    model_config = ConfigDict(extra="forbid")

    password: Password | None = None
    role: Role | None = None
    display_name: DisplayName | None = None
    agent_id: AgentId | None = None
    language: Language | None = None
    disabled: bool | None = None

    @field_validator("*")
    @classmethod
    def _null_only_for_agent_id(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name != "agent_id":
            raise ValueError("may not be null: leave the field out to keep its value")
        return value


class UserRead(BaseModel):
    """A user as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    agent_id: str | None
    language: Language
    disabled: bool
    created_at: UtcTime


class Me(UserRead):
    """The logged-in user, with their tenant's name."""

    tenant: str
