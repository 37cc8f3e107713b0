"""An IVR flow's HTTP request (webhook), made with the standard library's client.

Blocking: run it in a worker thread. The answer must be JSON (an object, or nothing); any
failure — refused connection, timeout, a body that is not a JSON object, an answer larger
than `MAX_BODY` — is an `HttpFailed` with the reason, never an exception. Only http and
https URLs are followed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from hotline.ivr.actions import HttpCall
from hotline.ivr.events import HttpFailed, HttpResult

MAX_BODY = 1_000_000


def http_request(call: HttpCall) -> HttpResult | HttpFailed:
    """Send `call`; the status and JSON answer, or why it failed."""
    if urlsplit(call.url).scheme not in ("http", "https"):
        return HttpFailed(f"not an http(s) URL: {call.url!r}")
    data = None
    headers = dict(call.headers)
    if call.body is not None:
        data = json.dumps(dict(call.body), ensure_ascii=False).encode()
        headers.setdefault("Content-Type", "application/json")
    request = urllib.request.Request(call.url, data=data, headers=headers,
                                     method=call.method.upper())
    try:
        with urllib.request.urlopen(request, timeout=call.timeout) as response:
            status, raw = response.status, response.read(MAX_BODY + 1)
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read(MAX_BODY + 1)
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, bad URL
        return HttpFailed(f"{type(error).__name__}: {error}")
    if len(raw) > MAX_BODY:
        return HttpFailed(f"the answer is larger than {MAX_BODY} bytes")
    if not raw.strip():
        return HttpResult(status, {})
    try:
        body = json.loads(raw)
    except ValueError:
        return HttpFailed("the answer is not JSON")
    if not isinstance(body, dict):
        return HttpFailed("the answer is not a JSON object")
    return HttpResult(status, body)
