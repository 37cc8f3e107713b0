"""Who may register and call: REGISTER handling and INVITE authentication, sans-I/O.

`Doorman` puts the guard, digest authentication and the registrar together for requests from
agents' phones:

- every request is first judged by the `Guard` (scanners banned, floods rate-limited, a
  locked-out source refused with 403 and `Retry-After`);
- REGISTER (§10.3) must carry credentials for the extension named in its To URI, checked
  against the HA1 values the directory keeps (never a password); a REGISTER without them gets
  `401` with one challenge per configured algorithm (RFC 8760: MD5, SHA-256); a wrong
  answer counts as a failure against the source, and enough of them lock it out;
- `authenticate_invite` does the same for an INVITE from a phone, with 407 / Proxy-
  Authenticate as a proxy-like server does (§22.3), and returns the extension on success.

Extensions come from the directory through `ExtensionRecord`: the switch's read-only view of
`extensions` (see `hotline.store.telephony_directory`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from .digest import DigestError, DigestServer
from .guard import Guard
from .message import Request, Response, make_response
from .registrar import Registrar
from .syntax import SipSyntaxError
from .uri import SipUri


class ExtensionRecord(Protocol):
    """What the switch needs to know about an extension."""

    @property
    def tenant(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def agent_id(self) -> str | None: ...
    @property
    def realm(self) -> str: ...
    @property
    def ha1(self) -> Mapping[str, str]: ...
    @property
    def max_contacts(self) -> int: ...
    @property
    def enabled(self) -> bool: ...


ExtensionLookup = Callable[[str], ExtensionRecord | None]
"""The extension a SIP username names, or None."""


@dataclass(frozen=True, slots=True)
class Refused:
    """A request the doorman turned away, with the response to send (None: drop it)."""

    response: Response | None
    reason: str


class Doorman:
    """Guard + digest + registrar for one switch."""

    def __init__(self, lookup: ExtensionLookup, registrar: Registrar, *,
                 guard: Guard | None = None, secret: bytes | None = None,
                 algorithms: tuple[str, ...] = ("MD5",)) -> None:
        """`algorithms`: the challenges sent, in order (RFC 8760 allows MD5, SHA-256 and
        their -sess forms). MD5 alone by default: deployed phones break on more — baresip
        1.0 gives up on a 401 that also offers SHA-256, SIPp reads only the first challenge
        and knows only MD5. `hotline serve --sip-digest SHA-256,MD5` offers both."""
        self.algorithms = algorithms
        self.lookup = lookup
        self.registrar = registrar
        self.guard = guard or Guard()
        self._secret = secret or secrets.token_bytes(32)
        self._digest: dict[str, DigestServer] = {}
        self.registered: Callable[[ExtensionRecord, str], None] = lambda extension, aor: None
        """Called with the extension and its address of record after each accepted REGISTER."""

    def screen(self, request: Request, source: str, now: float) -> Refused | None:
        """The guard's verdict on a request before anything else is done with it."""
        try:
            target = _user_of(request)
        except SipSyntaxError:
            target = None
        verdict = self.guard.check(source, now, method=request.method,
                                   user_agent=request.headers.get("User-Agent"),
                                   target_user=target)
        if verdict.allowed:
            return None
        if verdict.decision.value == "scanner":
            return Refused(None, verdict.reason)  # say nothing to a scanner
        headers = []
        if verdict.retry_after is not None:
            headers.append(("Retry-After", str(max(1, round(verdict.retry_after)))))
        status = 503 if verdict.decision.value == "rate_limited" else 403
        response = None if request.method == "ACK" else make_response(
            request, status, f"{'Service Unavailable' if status == 503 else 'Forbidden'} "
            f"({verdict.reason})", to_tag=secrets.token_hex(6), headers=headers)
        return Refused(response, verdict.reason)

    def register(self, request: Request, source: tuple[str, int], now: float, *,
                 transport: str | None = None) -> Response:
        """Answer a REGISTER: 401 challenge, 403 refusal, or the registrar's answer.
        `source` and `transport`: where and over what it came, kept on the bindings."""
        try:
            username = _user_of(request, header="To")
        except SipSyntaxError as error:
            return make_response(request, 400, f"Bad Request ({error})")
        extension = self.lookup(username) if username else None
        if extension is None or not extension.enabled:
            self._failed(source[0], now)
            return make_response(request, 404 if extension is None else 403,
                                 "Not Found (no such extension)" if extension is None
                                 else "Forbidden (extension disabled)")
        outcome = self._authenticate(request, extension, "Authorization", now, source[0])
        if isinstance(outcome, Response):
            return outcome
        self.registrar.max_contacts = extension.max_contacts
        response = self.registrar.register(request, now, source=source, transport=transport)
        if response.status == 200:
            self.registered(extension, Registrar.address_of_record(request))
        return response

    def authenticate_invite(self, request: Request, source: str,
                            now: float) -> ExtensionRecord | Response:
        """The calling extension, or the 407/403 to send."""
        try:
            sender = request.headers.from_address()
        except SipSyntaxError as error:
            return make_response(request, 400, f"Bad Request ({error})")
        uri = sender.uri if sender is not None else None
        username = uri.user if isinstance(uri, SipUri) else None
        extension = self.lookup(username) if username else None
        if extension is None or not extension.enabled:
            self._failed(source, now)
            return make_response(request, 403, "Forbidden (unknown caller)",
                                 to_tag=secrets.token_hex(6))
        outcome = self._authenticate(request, extension, "Proxy-Authorization", now, source)
        return outcome if isinstance(outcome, Response) else extension

    # -- digest -------------------------------------------------------------------------------

    def _server(self, realm: str) -> DigestServer:
        server = self._digest.get(realm)
        if server is None:
            server = self._digest[realm] = DigestServer(realm, self._secret,
                                                         algorithms=self.algorithms)
        return server

    def _authenticate(self, request: Request, extension: ExtensionRecord, header: str,
                      now: float, source: str) -> Response | None:
        server = self._server(extension.realm)
        challenge_header = "WWW-Authenticate" if header == "Authorization" else \
            "Proxy-Authenticate"
        status = 401 if header == "Authorization" else 407
        try:
            offered = request.headers.credentials(header)
        except SipSyntaxError as error:
            return make_response(request, 400, f"Bad Request ({header}: {error})")
        mine = [c for c in offered if c.params.get("realm") == server.realm]
        stale = False
        if mine:
            try:
                verification = server.verify(
                    mine[0], method=request.method, now=now, request_uri=str(request.uri),
                    lookup=lambda username, hash_name: _ha1(extension, username, hash_name))
            except DigestError as error:
                return make_response(request, 400, f"Bad Request ({header}: {error})")
            if verification.accepted:
                self.guard.record_success(source, now)
                return None
            stale = verification.stale
            if not stale:
                verdict = self._failed(source, now)
                if not verdict:
                    return make_response(request, 403, "Forbidden (too many failed "
                                         "authentications)", to_tag=secrets.token_hex(6))
        challenges = [(challenge_header, str(c)) for c in server.challenges(now, stale=stale)]
        return make_response(request, status, to_tag=secrets.token_hex(6), headers=challenges)

    def _failed(self, source: str, now: float) -> bool:
        """Count a failure; False when the source is now locked out."""
        return self.guard.record_failure(source, now).allowed


def _ha1(extension: ExtensionRecord, username: str, hash_name: str) -> str | None:
    """The stored HA1 for the digest's hash family ("MD5", "SHA-256"), for this user only."""
    if username != extension.username:
        return None
    return extension.ha1.get(hash_name)


def _user_of(request: Request, header: str = "To") -> str | None:
    address = request.headers.to_address() if header == "To" else \
        request.headers.from_address()
    uri = address.uri if address is not None else None
    return uri.user if isinstance(uri, SipUri) else None
