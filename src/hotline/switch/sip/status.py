"""Status codes and their default reason phrases (RFC 3261 §21 and common extensions).

The reason phrase is for humans only (§7.2): a receiver acts on the code's class (1xx
provisional, 2xx success, 3xx redirection, 4xx client error, 5xx server error, 6xx global
failure) and never on the phrase, so `make_response` uses these defaults and callers may
say something more specific.
"""

from __future__ import annotations

REASON_PHRASES: dict[int, str] = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    199: "Early Dialog Terminated",
    200: "OK",
    202: "Accepted",
    204: "No Notification",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    305: "Use Proxy",
    380: "Alternative Service",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    410: "Gone",
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    415: "Unsupported Media Type",
    416: "Unsupported URI Scheme",
    420: "Bad Extension",
    421: "Extension Required",
    422: "Session Interval Too Small",
    423: "Interval Too Brief",
    429: "Provide Referrer Identity",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    484: "Address Incomplete",
    485: "Ambiguous",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    489: "Bad Event",
    491: "Request Pending",
    493: "Undecipherable",
    500: "Server Internal Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Server Time-out",
    505: "Version Not Supported",
    513: "Message Too Large",
    600: "Busy Everywhere",
    603: "Decline",
    604: "Does Not Exist Anywhere",
    606: "Not Acceptable",
}


def reason_phrase(status: int) -> str:
    """The default phrase for `status`, or the generic one of its class."""
    if status in REASON_PHRASES:
        return REASON_PHRASES[status]
    return REASON_PHRASES.get(status // 100 * 100, "Unknown")


def reason_because(status: int, why: str) -> str:
    """A reason phrase that says why: the status's default words, then `why` in brackets
    (`486 Busy Here (agent '1001' is busy)`), kept to 200 characters."""
    return f"{reason_phrase(status)} ({why})"[:200]
