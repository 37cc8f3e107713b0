"""Keys sent in SIP INFO requests, as phones that do not send RFC 4733 events do.

Two bodies are in use, neither in an RFC: `application/dtmf-relay` (Cisco's, the common one)
holds lines `Signal=5` and `Duration=160`; `application/dtmf` holds the key alone. Keys are
0-9, *, #, and A-D; some phones write * and # as 10 and 11 in `Signal=`.
"""

from __future__ import annotations

KEYS = frozenset("0123456789*#ABCD")
_NUMBERED = {"10": "*", "11": "#", "12": "A", "13": "B", "14": "C", "15": "D"}


def info_key(content_type: str | None, body: bytes) -> str | None:
    """The key an INFO request carries, or None when it carries none we understand."""
    if content_type is None:
        return None
    kind = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    if kind == "application/dtmf-relay":
        for line in text.splitlines():
            name, _, value = line.partition("=")
            if name.strip().lower() == "signal":
                return _key(value.strip())
        return None
    if kind == "application/dtmf":
        return _key(text)
    return None


def _key(value: str) -> str | None:
    value = _NUMBERED.get(value, value).upper()
    return value if value in KEYS else None
