"""The IVR (V1–V8): flows as data, their validation, and the interpreter that walks a caller
through one.

- `flow` — the model: nodes (the seed's IPCC node types and more) joined by named exits;
- `expressions` — the safe expressions and `${name}` templates flows compute with;
- `load` — a flow from YAML/JSON, with errors that give the path to the bad key;
- `validation` — `validate(flow)`: the problems that stop a flow from being published;
- `session` — `IvrSession`, the sans-I/O interpreter: events and `now` in, actions out;
- `keys` — how keys become an answer at the nodes that collect them;
- `actions`, `events` — what the session asks of its shell and what the shell answers;
- `variables` — user variables and the macros ANI, DNIS, DATE, TIME, DATETIME, LANGUAGE;
- `database` — the shell's side of ACCESS DB: a query with bound parameters on SQLAlchemy.

Everything but `database` is pure: no clock, no socket, no file.
"""

from hotline.ivr.flow import Flow
from hotline.ivr.load import FlowLoadError, flow_from_dict, flow_from_text, load_flow
from hotline.ivr.session import IllegalEvent, IvrError, IvrSession, SessionState
from hotline.ivr.validation import Problem, validate

__all__ = [
    "Flow",
    "FlowLoadError",
    "IllegalEvent",
    "IvrError",
    "IvrSession",
    "Problem",
    "SessionState",
    "flow_from_dict",
    "flow_from_text",
    "load_flow",
    "validate",
]
