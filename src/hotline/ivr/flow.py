"""The flow model (V1–V3): an IVR flow is a graph of typed nodes joined by named exits.

A `Flow` is immutable data: `load.py` builds one from YAML/JSON, `validation.py` checks it and
`session.py` walks it. Each node type of the seed's IPCC list (ACCESS DB, PLAY DIGIT, PLAY
NUMBER, PLAY ONLY, PLAY OPTION, SELECT LANGUAGE, VAR COMPARE, USER STOP FLOW, STOP FLOW) and
each one the requirements add (set variable, time condition, transfer, record/voicemail, HTTP
request) is one dataclass below. Every node has an `id` and `exits`, a mapping from exit name
to the id of the next node; `EXITS` says which exit names each type has, and which of them a
flow must wire (a PLAY OPTION's exits are its menu keys plus `timeout` and `invalid`).

The node type that *waits for the caller* (collects keys or a recording) is what breaks a
loop: a cycle through only other nodes would spin without end, so validation refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hotline.ivr.expressions import Expression, Template

_EMPTY: Mapping[str, str] = MappingProxyType({})

MACROS = frozenset({"ANI", "DNIS", "DATE", "TIME", "DATETIME", "LANGUAGE"})
"""Read-only variables the session computes: caller and called number, the local date
(YYYYMMDD), time (hhmmss) and both (YYYYMMDDhhmmss) at the current event, and the language."""

MENU_KEYS = frozenset("0123456789*#")
"""Keys a PLAY OPTION or SELECT LANGUAGE can offer."""

NUMBER_FORMATS = frozenset({"number", "digits", "amount", "date", "time"})
"""How PLAY NUMBER says a value: as a number, digit by digit, as money, as a date
(YYYYMMDD) or as a time (hhmmss)."""

COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">=", "matches", "startswith"})
"""VAR COMPARE operators; the order ones compare as numbers when both sides are numbers."""


# --- prompts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PromptFile:
    """A recorded prompt from the tenant's catalogue, in the session's language."""

    name: str


@dataclass(frozen=True, slots=True)
class PromptSpeech:
    """Text to speak, per language (`""` is the text for any language without its own)."""

    texts: Mapping[str, Template]


@dataclass(frozen=True, slots=True)
class PromptNumber:
    """A value said as `format` (one of `NUMBER_FORMATS`), built from say-number sounds."""

    value: Expression
    format: str = "number"


Prompt = PromptFile | PromptSpeech | PromptNumber


# --- nodes -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """What every node has: its id in the flow and its exits (exit name -> node id)."""

    id: str
    exits: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayOnly(Node):
    """PLAY ONLY: play prompts, then leave by `next`."""

    prompts: tuple[Prompt, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayNumber(Node):
    """PLAY NUMBER: say `value` as `format` in the current language, then `next`."""

    value: Expression
    format: str = "number"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayDigit(Node):
    """PLAY DIGIT: play prompts and collect keys into `variable`.

    Entry ends at `terminator`, at `max_digits` keys, or when `timeout` seconds pass without a
    key (the first key after the prompt ends; later ones after `inter_digit_timeout`). It is
    valid with `min_digits`..`max_digits` keys that match `pattern` (a regular expression,
    when given). A failed try plays `timeout_prompts` or `invalid_prompts` and the prompts
    again, `retries` times; then the flow leaves by `timeout` or `invalid`."""

    prompts: tuple[Prompt, ...] = ()
    variable: str
    max_digits: int = 1
    min_digits: int = 1
    terminator: str | None = None
    timeout: float = 5.0
    inter_digit_timeout: float | None = None
    retries: int = 2
    pattern: str | None = None
    invalid_prompts: tuple[Prompt, ...] = ()
    timeout_prompts: tuple[Prompt, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlayOption(Node):
    """PLAY OPTION: a menu. The caller presses one key; each menu key is an exit of the same
    name. A key with no exit, or no key in `timeout` seconds, is a failed try (see
    PLAY DIGIT); after `retries` the flow leaves by `invalid` or `timeout`."""

    prompts: tuple[Prompt, ...] = ()
    timeout: float = 5.0
    retries: int = 2
    invalid_prompts: tuple[Prompt, ...] = ()
    timeout_prompts: tuple[Prompt, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SelectLanguage(Node):
    """SELECT LANGUAGE: a menu whose `options` map keys to language codes; the choice sets
    the session's language (and the LANGUAGE macro). Without a valid choice after `retries`
    the language stays as it was. Leaves by `next` either way."""

    prompts: tuple[Prompt, ...] = ()
    options: Mapping[str, str]
    timeout: float = 5.0
    retries: int = 2
    invalid_prompts: tuple[Prompt, ...] = ()
    timeout_prompts: tuple[Prompt, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VarCompare(Node):
    """VAR COMPARE: `left op right`, leaving by `true` or `false`. Order operators compare as
    numbers when both sides are numbers, else as text; `matches` is a regular expression
    search of `right` in `left`."""

    left: Expression
    op: str = "=="
    right: Expression


@dataclass(frozen=True, slots=True, kw_only=True)
class SetVariable(Node):
    """Set variables (in order) to expressions' values, then `next`."""

    assign: Mapping[str, Expression]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessDb(Node):
    """ACCESS DB: run `sql` against `database` with named bind parameters (`:name` in the
    text, values from `params`). The first row's columns go into variables (`into` maps
    variable -> column). Leaves by `found`, `not_found` (no rows) or `error`."""

    database: str = "default"
    sql: str
    params: Mapping[str, Expression] = field(default_factory=lambda: MappingProxyType({}))
    into: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpRequest(Node):
    """HTTP request (webhook): `method` to the `url` template (values URL-quoted), with a JSON
    object `body` of templates. Fields of the JSON answer go into variables (`into` maps
    variable -> dotted path). Leaves by `ok` (2xx), `error` or `timeout`."""

    method: str = "POST"
    url: Template
    headers: Mapping[str, Template] = field(default_factory=lambda: MappingProxyType({}))
    body: Mapping[str, Template] | None = None
    timeout: float = 5.0
    into: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateTicket(Node):
    """Open a ticket (work order) for the caller, e.g. a repair request taken in the flow:
    of `ticket_type` with `priority`, a `title` and `description` template, and custom
    `fields` of the type (templates; the store reads each as its field's kind). The ticket's
    reference goes into variable `into`, if given, for the flow to read back to the caller.
    Leaves by `ok` or `error` (the store refused it or is away)."""

    ticket_type: str
    title: Template
    priority: str = "normal"
    description: Template | None = None
    fields: Mapping[str, Template] = field(default_factory=lambda: MappingProxyType({}))
    into: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TimeCondition(Node):
    """Tenant business hours: leaves by `open`, `closed` or `holiday` (to `closed` when the
    flow has no `holiday` exit). The hours are the session's input, not the flow's."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer(Node):
    """Hand the caller on and end the flow: to a `queue` (with `priority` and required
    `skills`), an `agent`, an outside `number` or another `flow`. Exactly one target is set;
    each is a template (`repair`, `${target_queue}`). The variables travel with the
    interaction as its attributes."""

    queue: Template | None = None
    agent: Template | None = None
    number: Template | None = None
    flow: Template | None = None
    priority: int = 0
    skills: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordMessage(Node):
    """Record the caller after `prompts` (and a beep) for at most `max_seconds`, or until
    `terminator`; the recording's id goes into `variable`. With a `mailbox` (an agent or
    queue) it is a voicemail. Leaves by `next`."""

    prompts: tuple[Prompt, ...] = ()
    variable: str = "recording"
    max_seconds: float = 120.0
    beep: bool = True
    terminator: str | None = "#"
    mailbox: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserStopFlow(Node):
    """USER STOP FLOW: where the flow goes when the caller hangs up, wherever they were. What
    follows it (`next`, optional) may set variables, query a database or call a webhook, but
    can no longer talk to the caller. At most one per flow."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StopFlow(Node):
    """STOP FLOW: the flow is done; the session hangs up and reports `result`."""

    result: str = "self_service"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownNode(Node):
    """A node whose `type` this version does not know; kept so validation can name it."""

    type: str


NODE_TYPES: Mapping[str, type[Node]] = MappingProxyType(
    {
        "play_only": PlayOnly,
        "play_number": PlayNumber,
        "play_digit": PlayDigit,
        "play_option": PlayOption,
        "select_language": SelectLanguage,
        "var_compare": VarCompare,
        "set_variable": SetVariable,
        "access_db": AccessDb,
        "http_request": HttpRequest,
        "create_ticket": CreateTicket,
        "time_condition": TimeCondition,
        "transfer": Transfer,
        "record_message": RecordMessage,
        "voicemail": RecordMessage,
        "user_stop_flow": UserStopFlow,
        "stop_flow": StopFlow,
    }
)
"""Node type names as written in a flow file. `voicemail` is a `record_message` that must
name a mailbox."""


@dataclass(frozen=True, slots=True)
class ExitRule:
    """Exit names a node type has: `required` ones must be wired, `optional` ones may be."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()


EXITS: Mapping[type[Node], ExitRule] = MappingProxyType(
    {
        PlayOnly: ExitRule(frozenset({"next"})),
        PlayNumber: ExitRule(frozenset({"next"})),
        PlayDigit: ExitRule(frozenset({"ok", "timeout", "invalid"})),
        PlayOption: ExitRule(frozenset({"timeout", "invalid"}), MENU_KEYS),
        SelectLanguage: ExitRule(frozenset({"next"})),
        VarCompare: ExitRule(frozenset({"true", "false"})),
        SetVariable: ExitRule(frozenset({"next"})),
        AccessDb: ExitRule(frozenset({"found", "not_found", "error"})),
        HttpRequest: ExitRule(frozenset({"ok", "error", "timeout"})),
        CreateTicket: ExitRule(frozenset({"ok", "error"})),
        TimeCondition: ExitRule(frozenset({"open", "closed"}), frozenset({"holiday"})),
        Transfer: ExitRule(),
        RecordMessage: ExitRule(frozenset({"next"})),
        UserStopFlow: ExitRule(optional=frozenset({"next"})),
        StopFlow: ExitRule(),
    }
)

WAITS_FOR_CALLER: tuple[type[Node], ...] = (PlayDigit, PlayOption, SelectLanguage, RecordMessage)
"""Node types that wait for the caller's keys or voice: every loop must pass one."""

TALKS_TO_CALLER: tuple[type[Node], ...] = (*WAITS_FOR_CALLER, PlayOnly, PlayNumber, Transfer)
"""Node types that need the caller on the line (not allowed after USER STOP FLOW)."""


def type_name(node: Node) -> str:
    """The name of `node`'s type as written in a flow file."""
    if isinstance(node, UnknownNode):
        return node.type
    if isinstance(node, RecordMessage) and node.mailbox is not None:
        return "voicemail"
    return next(name for name, cls in NODE_TYPES.items() if cls is type(node))


@dataclass(frozen=True, slots=True)
class Flow:
    """An IVR flow: nodes by id, the `start` node, `languages` (the first is the default) and
    declared input `variables` with their defaults (the session may override them, e.g. an
    outage flag or the agent whose call a survey follows)."""

    name: str
    start: str
    nodes: Mapping[str, Node]
    languages: tuple[str, ...] = ("zh",)
    variables: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    description: str = ""

    @property
    def hangup_handler(self) -> str | None:
        """The id of the USER STOP FLOW node, if the flow has one."""
        return next((n.id for n in self.nodes.values() if isinstance(n, UserStopFlow)), None)


__all__ = [
    "COMPARISONS",
    "EXITS",
    "MACROS",
    "MENU_KEYS",
    "NODE_TYPES",
    "NUMBER_FORMATS",
    "TALKS_TO_CALLER",
    "WAITS_FOR_CALLER",
    "AccessDb",
    "CreateTicket",
    "ExitRule",
    "Flow",
    "HttpRequest",
    "Node",
    "PlayDigit",
    "PlayNumber",
    "PlayOnly",
    "PlayOption",
    "Prompt",
    "PromptFile",
    "PromptNumber",
    "PromptSpeech",
    "RecordMessage",
    "SelectLanguage",
    "SetVariable",
    "StopFlow",
    "TimeCondition",
    "Transfer",
    "UnknownNode",
    "UserStopFlow",
    "VarCompare",
    "type_name",
]
