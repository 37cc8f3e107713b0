"""The shapes of telephony configuration: extensions, trunks and DIDs, field by field.

Each has a `...Create` schema (every field, with defaults), a `...Replace` schema (the body
of a PUT: the whole record again; left out, `number`/`name` keep the record's, and the
secrets keep theirs) and a `...Read` schema. Secrets go in, never out: an extension's
password only as its digests, a trunk's password only as `has_password`.

These schemas check each value on its own; whether a value is free (a username, a number)
or names something that exists (an agent, a trunk) is `telephony`'s business.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from hotline.core.dial_permissions import MAX_NUMBER, DialClass, number_problem
from hotline.store.config_schemas import AgentId, Name
from hotline.store.telephony_tables import (
    DESCRIPTION,
    DISPLAY_NAME,
    EXTENSION_NUMBER,
    HOST,
    PASSWORD,
    PREFIX,
    USERNAME,
)

MIN_SIP_PASSWORD = 8
MAX_CONTACTS = 20
MAX_SOURCES = 32
MAX_CALLS = 100_000

_EXTENSION = re.compile(r"[0-9]{2,8}")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.~-]*")
_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_PREFIX_STRIP = re.compile(r"[0-9]*")
_PREFIX_ADD = re.compile(r"\+?[0-9]*")
_PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]*")


def _text(value: object) -> object:
    """Refuse a number where text is wanted: a number drops the leading zeros of '0755'."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f"{value!r} must be text: put it in quotes, '{value}'")
    return value


def _check_extension(value: str) -> str:
    if _EXTENSION.fullmatch(value) is None:
        raise ValueError(f"{value[:40]!r} is not an extension number: use 2 to "
                         f"{EXTENSION_NUMBER} digits")
    return value


def _check_username(value: str) -> str:
    if _USERNAME.fullmatch(value) is None or len(value) > USERNAME:
        raise ValueError(f"{value[:80]!r} is not a SIP username: use 1 to {USERNAME} letters, "
                         "digits, '_', '.', '~' or '-', starting with a letter or digit")
    return value


def _check_number(value: str) -> str:
    problem = number_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _check_printable(value: str) -> str:
    if _PRINTABLE.fullmatch(value) is None:
        raise ValueError("control characters are not allowed")
    return value


def _check_host(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    labels = value.rstrip(".").split(".")
    if len(value) > HOST or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise ValueError(f"{value[:80]!r} is not a host: use an IP address or a host name "
                         "such as 'sip.carrier.example'")
    return value.rstrip(".").lower()


def _check_source(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as error:
        raise ValueError(f"{value[:80]!r} is not an address or network: use an IP address "
                         f"('203.0.113.5') or a network ('203.0.113.0/24') ({error})") from None


def _distinct_sources(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _check_prefix(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if pattern.fullmatch(value) is None:
            raise ValueError(f"{value[:40]!r} is not a prefix: {what}")
        return value

    return AfterValidator(check)


ExtensionNumber = Annotated[str, BeforeValidator(_text), AfterValidator(_check_extension),
                            Field(json_schema_extra={"pattern": f"^{_EXTENSION.pattern}$"},
                                  examples=["1001"])]
"""An extension's number in its tenant: 2 to 8 digits."""
SipUsername = Annotated[str, BeforeValidator(_text), AfterValidator(_check_username),
                        Field(json_schema_extra={"pattern": f"^{_USERNAME.pattern}$",
                                                 "maxLength": USERNAME}, examples=["1001"])]
SipPassword = Annotated[str, AfterValidator(_check_printable),
                        Field(min_length=MIN_SIP_PASSWORD, max_length=PASSWORD)]
TrunkPassword = Annotated[str, AfterValidator(_check_printable),
                          Field(min_length=1, max_length=PASSWORD)]
DialNumber = Annotated[str, BeforeValidator(_text), AfterValidator(_check_number),
                       Field(json_schema_extra={"pattern": r"^\+?[0-9]+$",
                                                "maxLength": MAX_NUMBER})]
"""A phone number: digits with an optional leading '+', 1 to 20 characters."""
DisplayName = Annotated[str, AfterValidator(_check_printable),
                        Field(max_length=DISPLAY_NAME)]
Description = Annotated[str, AfterValidator(_check_printable), Field(max_length=DESCRIPTION)]
Host = Annotated[str, AfterValidator(_check_host), Field(min_length=1, max_length=HOST,
                                                         examples=["sip.carrier.example"])]
Source = Annotated[str, AfterValidator(_check_source), Field(max_length=64,
                                                             examples=["203.0.113.0/24"])]
Sources = Annotated[list[Source], AfterValidator(_distinct_sources),
                    Field(max_length=MAX_SOURCES)]
StripPrefix = Annotated[str, Field(max_length=PREFIX),
                        _check_prefix(_PREFIX_STRIP, "use up to 8 digits")]
AddPrefix = Annotated[str, Field(max_length=PREFIX),
                      _check_prefix(_PREFIX_ADD, "use up to 8 digits, optionally after '+'")]
MaxContacts = Annotated[int, Field(strict=True, ge=1, le=MAX_CONTACTS)]
Port = Annotated[int, Field(strict=True, ge=1, le=65535)]
MaxCalls = Annotated[int, Field(strict=True, ge=1, le=MAX_CALLS)]
Transport = Literal["udp", "tcp"]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Extensions


class _ExtensionFields(_Schema):
    display_name: DisplayName = Field(
        default="", description="Shown on the phone and in call lists.", examples=["Wang Fang"])
    agent_id: AgentId | None = Field(
        default=None, description="The agent whose phone this is.", examples=["1001"])
    enabled: bool = Field(
        default=True, strict=True,
        description="A disabled extension can neither register nor call.")
    max_contacts: MaxContacts = Field(
        default=3, description="How many devices may register at once.")
    dial_class: DialClass = Field(default=DialClass.NATIONAL, description=(
        "The widest class of numbers it may dial: internal < local < national < "
        "international."))


class ExtensionCreate(_ExtensionFields):
    """A new SIP phone of the tenant."""

    number: ExtensionNumber
    username: SipUsername | None = Field(default=None, description=(
        "What the phone authenticates as, unique across all tenants; default: the number "
        "when free."))
    password: SipPassword | None = Field(default=None, description=(
        "Left out, one is generated and returned once, in the response."))


class ExtensionReplace(_ExtensionFields):
    """The whole extension again. `number` and `username` left out keep theirs; `password`
    left out keeps the current one. A new username needs a new password (the stored digests
    are of username and password together)."""

    number: ExtensionNumber | None = None
    username: SipUsername | None = None
    password: SipPassword | None = None


class ExtensionRead(BaseModel):
    """An extension as stored (never its password)."""

    number: str
    username: str
    display_name: str
    agent_id: str | None
    enabled: bool
    max_contacts: int
    dial_class: DialClass
    realm: str = Field(description="The digest realm its phone authenticates in.")


class ExtensionCreated(ExtensionRead):
    """A new extension, with its generated password."""

    password: str | None = Field(description=(
        "The generated password: shown only in this response, it cannot be read again. "
        "Null when the request set one."))


class RegistrationRead(BaseModel):
    """A phone registered as an extension now."""

    contact: str = Field(description="Where the phone said it can be reached (its Contact).")
    source: str | None = Field(description="The address its REGISTER came from, host:port "
                               "(calls go there: phones behind NAT).")
    transport: str | None = Field(description="UDP or TCP.")
    registered_at: datetime
    expires_at: datetime


# Trunks


class _TrunkFields(_Schema):
    host: Host
    port: Port = 5060
    transport: Transport = "udp"
    username: SipUsername | None = Field(
        default=None,
        description="For digest authentication of outbound calls at the carrier (with a "
                    "password).")
    from_user: DialNumber | None = Field(
        default=None, description="The caller id outbound calls show.")
    sources: Sources = Field(default_factory=list, description=(
        "Addresses and networks whose calls are trusted as this trunk's, without digest."))
    strip_prefix: StripPrefix = Field(default="", description=(
        "Removed from the front of a dialled number that starts with it, before sending."))
    add_prefix: AddPrefix = Field(default="", description="Then put in front of the number.")
    max_calls: MaxCalls | None = Field(
        default=None, description="Concurrent calls; null: no limit.")
    enabled: bool = Field(default=True, strict=True)


class TrunkCreate(_TrunkFields):
    """A new trunk to a carrier."""

    name: Name
    password: TrunkPassword | None = Field(
        default=None, description="For digest authentication at the carrier; never returned.")


class TrunkReplace(_TrunkFields):
    """The whole trunk again. `name` left out keeps the trunk's; `password` left out keeps the
    stored one, null removes it."""

    name: Name | None = None
    password: TrunkPassword | None = None


class TrunkRead(BaseModel):
    """A trunk as stored (never its password)."""

    name: str
    host: str
    port: int
    transport: Transport
    username: str | None
    has_password: bool
    from_user: str | None
    sources: list[str]
    strip_prefix: str
    add_prefix: str
    max_calls: int | None
    enabled: bool


# DIDs


class _DidFields(_Schema):
    trunk: Name | None = Field(default=None, description="The tenant's trunk it comes in on.")
    description: Description = ""


class DidCreate(_DidFields):
    """A number carriers deliver to this tenant."""

    number: DialNumber = Field(examples=["4000"])


class DidReplace(_DidFields):
    """The whole DID again; `number` left out keeps the DID's."""

    number: DialNumber | None = None


class DidRead(BaseModel):
    """A DID of the tenant."""

    number: str
    trunk: str | None
    description: str
