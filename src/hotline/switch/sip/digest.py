"""HTTP Digest authentication for SIP: challenges, verification and answers (RFC 3261 §22).

SIP reuses HTTP Digest (§22.4, RFC 2617) with the algorithms of RFC 8760 (which applies
RFC 7616's SHA-256 to SIP). A server answers an unauthenticated request with 401 (a registrar
or UAS, `WWW-Authenticate`) or 407 (a proxy, `Proxy-Authenticate`) carrying a *challenge*::

    Digest realm="hotline", nonce="…", opaque="…", algorithm=SHA-256, qop="auth"

and the client repeats the request with *credentials* whose `response` proves it knows the
password without sending it::

    HA1      = H(username ":" realm ":" password)
    HA1-sess = H(HA1 ":" nonce ":" cnonce)                        (for the "-sess" algorithms)
    HA2      = H(method ":" digest-uri)                           (qop=auth)
    response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
    response = H(HA1 ":" nonce ":" HA2)                           (RFC 2069, no qop)

H is MD5 or SHA-256 as lower-case hex. RFC 8760 §2.4 has a server offer one challenge per
algorithm, strongest first; a client picks the strongest it knows.

Design choices here:

- **HA1 is what is stored** (`ha1`): the server never needs the password, only
  H(username:realm:password) per algorithm, which a leaked database cannot replay in another
  realm.
- **Nonces are stateless**: each nonce is `issue time ‖ random ‖ HMAC(secret, realm ‖ time ‖
  random)` in base64url. Whether a nonce is ours and how old it is can be read from the nonce
  itself, so issuing one costs no memory. A nonce older than `nonce_lifetime` is *stale*: when
  the response is otherwise correct the server answers with a fresh challenge carrying
  `stale=true`, and the client retries without asking its user (RFC 2617 §3.2.1).
- **Replay protection by nonce count**: with qop the client numbers each use of a nonce
  (`nc`, 8 hex digits); the server keeps the highest `nc` seen per nonce in a bounded LRU and
  refuses any count not above it. When the LRU must forget a nonce it raises a floor on issue
  times, and an unknown nonce issued at or before the floor is answered as stale — so
  forgetting never reopens a replay, it only costs an honest client one extra round trip.
- **qop=auth is required**; RFC 2069 answers without qop (no nonce count, no replay
  protection within a nonce's lifetime) are refused unless `allow_qop_less` is set for old
  phones. auth-int and the RFC 7616 `userhash` are not offered.
- `verify` never raises for a well-formed but wrong answer; it returns a `Verification`
  (accepted, stale or rejected with a reason for the log). Credentials that are *malformed* —
  unparsable text, a missing required parameter, a badly formed `nc` — raise `DigestError`,
  and nothing else, so the caller can answer 400 Bad Request.

The client side (`authorize`, `pick_challenge`) answers a 401/407 for Hotline's own outgoing
requests, e.g. registering to or calling through a SIP trunk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from .fields import Challenge, Credentials, parse_credentials
from .syntax import SipSyntaxError
from .uri import parse_uri

SCHEME = "Digest"
ALGORITHMS: dict[str, str] = {
    "MD5": "md5",
    "MD5-SESS": "md5",
    "SHA-256": "sha256",
    "SHA-256-SESS": "sha256",
}
"""Upper-cased algorithm names (RFC 8760 §2.1) and the hashlib function each uses."""
_CANONICAL_NAMES = {"MD5": "MD5", "MD5-SESS": "MD5-sess", "SHA-256": "SHA-256",
                    "SHA-256-SESS": "SHA-256-sess"}
_STRENGTH = {"SHA-256": 2, "SHA-256-SESS": 2, "MD5": 1, "MD5-SESS": 1}

_NC = re.compile(r"[0-9A-Fa-f]{8}")
_NONCE = re.compile(r"[A-Za-z0-9_\-]{43}")
_NONCE_TIME = struct.Struct(">Q")
_NONCE_RANDOM = 8
_NONCE_TAG = 16
_REQUIRED = ("username", "realm", "nonce", "uri", "response")

Ha1Lookup = Callable[[str, str], str | None]
"""`(username, hash name) -> stored HA1 hex or None`; hash name is "MD5" or "SHA-256"."""


class DigestError(ValueError):
    """Credentials or a challenge too malformed to evaluate; the message says what is wrong."""


class Outcome(Enum):
    """What a verification concluded."""

    ACCEPTED = "accepted"
    STALE = "stale"
    """The answer was right but the nonce has expired: re-challenge with `stale=true`."""
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of checking credentials: the outcome, who, and why (for logs, not the wire)."""

    outcome: Outcome
    reason: str
    username: str | None = None

    @property
    def accepted(self) -> bool:
        """Whether the request is authenticated."""
        return self.outcome is Outcome.ACCEPTED

    @property
    def stale(self) -> bool:
        """Whether the client should simply retry with a fresh nonce."""
        return self.outcome is Outcome.STALE


def hash_name(algorithm: str) -> str:
    """The hash family of an algorithm name: "MD5" or "SHA-256" (the key for stored HA1)."""
    upper = algorithm.upper()
    if upper not in ALGORITHMS:
        raise DigestError(f"unsupported digest algorithm {algorithm[:30]!r}")
    return upper.removesuffix("-SESS")


def _hex(algorithm: str, text: str) -> str:
    return hashlib.new(ALGORITHMS[algorithm.upper()], text.encode("utf-8")).hexdigest()


def ha1(username: str, realm: str, password: str, algorithm: str = "MD5") -> str:
    """H(username:realm:password): the value to store instead of the password.

    For a "-sess" algorithm this is still the base HA1 (the session key also needs the nonce
    and cnonce, so it is derived at verification time).
    """
    return _hex(hash_name(algorithm), f"{username}:{realm}:{password}")


def response_digest(
    *,
    algorithm: str,
    ha1_hex: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None = None,
    nc: str | None = None,
    cnonce: str | None = None,
) -> str:
    """The `response` value for a request, from the base HA1 (RFC 2617 §3.2.2.1–3, RFC 8760)."""
    name = hash_name(algorithm)
    key = ha1_hex.lower()
    if algorithm.upper().endswith("-SESS"):
        key = _hex(name, f"{key}:{nonce}:{cnonce or ''}")
    ha2 = _hex(name, f"{method}:{uri}")
    if qop is None:
        return _hex(name, f"{key}:{nonce}:{ha2}")
    return _hex(name, f"{key}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")


class DigestServer:
    """The server side for one realm: issues challenges and verifies credentials.

    Time is passed in as `now` (seconds; any monotonic origin will do as long as it is the
    same for issuing and verifying). `entropy(n)` supplies n random bytes for nonces.
    """

    def __init__(
        self,
        realm: str,
        secret: bytes,
        *,
        algorithms: Iterable[str] = ("SHA-256", "MD5"),
        nonce_lifetime: float = 300.0,
        allow_qop_less: bool = False,
        max_tracked_nonces: int = 10_000,
        entropy: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        offered = [_CANONICAL_NAMES.get(a.upper(), a) for a in algorithms]
        for name in offered:
            hash_name(name)
        if not offered:
            raise ValueError("a digest server must offer at least one algorithm")
        if len(secret) < 16:
            raise ValueError("the nonce secret must be at least 16 bytes")
        if max_tracked_nonces < 1:
            raise ValueError("max_tracked_nonces must be at least 1")
        self.realm = realm
        self.algorithms = tuple(offered)
        self.nonce_lifetime = nonce_lifetime
        self.allow_qop_less = allow_qop_less
        self._secret = secret
        self._entropy = entropy
        self._max_tracked = max_tracked_nonces
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._forgotten_up_to = -1
        self.opaque = hmac.new(secret, b"opaque:" + realm.encode(), "sha256").hexdigest()[:32]

    # Challenges -------------------------------------------------------------------------

    def challenges(self, now: float, *, stale: bool = False) -> list[Challenge]:
        """One challenge per offered algorithm, strongest first, sharing a fresh nonce."""
        nonce = self.make_nonce(now)
        return [self._challenge(nonce, algorithm, stale) for algorithm in self.algorithms]

    def _challenge(self, nonce: str, algorithm: str, stale: bool) -> Challenge:
        params = {"realm": self.realm, "nonce": nonce, "opaque": self.opaque,
                  "algorithm": algorithm, "qop": "auth"}
        if stale:
            params["stale"] = "true"
        return Challenge(SCHEME, params)

    def make_nonce(self, now: float) -> str:
        """A signed nonce carrying its issue time (milliseconds) and random bytes."""
        stamp = _NONCE_TIME.pack(min(max(int(now * 1000), 0), 2**64 - 1))
        body = stamp + self._entropy(_NONCE_RANDOM)
        raw = body + self._tag(body)
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def _tag(self, body: bytes) -> bytes:
        mac = hmac.new(self._secret, self.realm.encode("utf-8") + b"\0" + body, "sha256")
        return mac.digest()[:_NONCE_TAG]

    def nonce_issued_at(self, nonce: str) -> int | None:
        """The issue time (ms) of a nonce this server signed, or None if it is not ours."""
        if _NONCE.fullmatch(nonce) is None:
            return None
        raw = base64.urlsafe_b64decode(nonce + "=")
        if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != nonce:
            return None  # unused low bits set: another spelling of one nonce, never ours
        body, tag = raw[:-_NONCE_TAG], raw[-_NONCE_TAG:]
        if not hmac.compare_digest(tag, self._tag(body)):
            return None
        issued: int = _NONCE_TIME.unpack(body[: _NONCE_TIME.size])[0]
        return issued

    # Verification -----------------------------------------------------------------------

    def verify(
        self,
        credentials: Credentials | str,
        *,
        method: str,
        now: float,
        lookup: Ha1Lookup,
        request_uri: str | None = None,
    ) -> Verification:
        """Check an Authorization / Proxy-Authorization value for a request.

        `lookup(username, hash name)` gives the stored HA1. `request_uri`, when given, must
        match the credentials' `uri` (§22.4 ties the answer to this request). Raises
        `DigestError` only for malformed credentials.
        """
        creds = _parse(credentials) if isinstance(credentials, str) else credentials
        params = creds.params
        if creds.scheme.lower() != "digest":
            return _rejected(f"scheme {creds.scheme[:20]!r} is not Digest")
        for name in _REQUIRED:
            if name not in params:
                raise DigestError(f"credentials lack the {name!r} parameter")
        username, nonce = params["username"], params["nonce"]
        qop, nc_text, cnonce = params.get("qop"), params.get("nc"), params.get("cnonce")
        if qop is not None:
            if nc_text is None or cnonce is None:
                raise DigestError("credentials with qop must carry nc and cnonce")
            if _NC.fullmatch(nc_text) is None:
                raise DigestError(f"nc must be 8 hex digits, got {nc_text[:20]!r}")
        if params["realm"] != self.realm:
            return _rejected(f"realm {params['realm'][:40]!r} is not {self.realm!r}", username)
        algorithm = params.get("algorithm", "MD5")
        if algorithm.upper() not in {a.upper() for a in self.algorithms}:
            return _rejected(f"algorithm {algorithm[:30]!r} is not offered", username)
        if qop is None and not self.allow_qop_less:
            return _rejected("qop is required", username)
        if qop is not None and qop != "auth":
            return _rejected(f"qop {qop[:20]!r} is not offered", username)
        issued = self.nonce_issued_at(nonce)
        if issued is None:
            return _rejected("nonce was not issued by this server", username)
        opaque = params.get("opaque")
        if opaque is not None and not hmac.compare_digest(opaque.encode(), self.opaque.encode()):
            return _rejected("opaque does not match", username)
        if request_uri is not None and not _same_uri(params["uri"], request_uri):
            return _rejected("digest uri does not match the Request-URI", username)
        stored = lookup(username, hash_name(algorithm))
        expected = response_digest(
            algorithm=algorithm, ha1_hex=stored or "0" * 32, nonce=nonce, method=method,
            uri=params["uri"], qop=qop, nc=nc_text, cnonce=cnonce,
        )
        matches = hmac.compare_digest(expected.encode(), params["response"].lower().encode())
        if stored is None:
            return _rejected("unknown user", username)
        if not matches:
            return _rejected("wrong response (password)", username)
        age = now * 1000 - issued
        if age > self.nonce_lifetime * 1000 or age < -self.nonce_lifetime * 1000:
            return Verification(Outcome.STALE, "nonce has expired", username)
        if nc_text is not None:
            return self._count(nonce, issued, int(nc_text, 16), username)
        return Verification(Outcome.ACCEPTED, "ok", username)

    def _count(self, nonce: str, issued: int, nc: int, username: str) -> Verification:
        """Accept `nc` only if it is above every count already seen for this nonce."""
        highest = self._counts.get(nonce)
        if highest is None and issued <= self._forgotten_up_to:
            return Verification(Outcome.STALE, "nonce count no longer tracked", username)
        if highest is not None and nc <= highest:
            return _rejected(f"nonce count {nc} replayed (highest {highest})", username)
        self._counts[nonce] = nc
        self._counts.move_to_end(nonce)
        while len(self._counts) > self._max_tracked:
            old, _ = self._counts.popitem(last=False)
            old_issued = self.nonce_issued_at(old)
            if old_issued is not None:
                self._forgotten_up_to = max(self._forgotten_up_to, old_issued)
        return Verification(Outcome.ACCEPTED, "ok", username)

    @property
    def tracked_nonces(self) -> int:
        """How many nonces' counts are currently remembered."""
        return len(self._counts)


def _parse(text: str) -> Credentials:
    try:
        return parse_credentials(text)
    except SipSyntaxError as error:
        raise DigestError(f"malformed credentials: {error}") from None


def _rejected(reason: str, username: str | None = None) -> Verification:
    return Verification(Outcome.REJECTED, reason, username)


def _same_uri(digest_uri: str, request_uri: str) -> bool:
    if digest_uri == request_uri:
        return True
    try:
        return parse_uri(digest_uri).equivalent(parse_uri(request_uri))
    except SipSyntaxError:
        return False


# Client side ------------------------------------------------------------------------------


def pick_challenge(challenges: Iterable[Challenge]) -> Challenge | None:
    """The Digest challenge with the strongest algorithm this module supports, or None."""
    usable = [
        c for c in challenges
        if c.scheme.lower() == "digest" and c.algorithm.upper() in ALGORITHMS
    ]
    if not usable:
        return None
    return max(usable, key=lambda c: _STRENGTH[c.algorithm.upper()])


def authorize(
    challenge: Challenge,
    *,
    method: str,
    uri: str,
    username: str,
    password: str | None = None,
    ha1_hex: str | None = None,
    nc: int = 1,
    cnonce: str | None = None,
) -> Credentials:
    """Credentials answering `challenge` for a request (`method`, Request-URI `uri`).

    Give the `password` or the precomputed base `ha1_hex`. With qop=auth offered, `nc` counts
    this client's uses of the nonce and `cnonce` is its own random value (generated when not
    given). Raises `DigestError` for a challenge that cannot be answered.
    """
    if challenge.scheme.lower() != "digest":
        raise DigestError(f"cannot answer a {challenge.scheme[:20]!r} challenge")
    realm, nonce = challenge.realm, challenge.nonce
    if realm is None or nonce is None:
        raise DigestError("challenge lacks realm or nonce")
    algorithm = challenge.algorithm
    hash_name(algorithm)
    if ha1_hex is None:
        if password is None:
            raise DigestError("authorize needs a password or an HA1")
        ha1_hex = ha1(username, realm, password, algorithm)
    if not 0 < nc < 2**32:
        raise DigestError(f"nonce count {nc} is out of range")
    options = challenge.qop_options
    qop: str | None = None
    if options:
        if "auth" not in options:
            raise DigestError(f"no supported qop among {options}")
        qop = "auth"
    params = {"username": username, "realm": realm, "nonce": nonce, "uri": uri}
    nc_text: str | None = None
    if qop is not None:
        nc_text = f"{nc:08x}"
        cnonce = cnonce or secrets.token_hex(8)
    params["response"] = response_digest(
        algorithm=algorithm, ha1_hex=ha1_hex, nonce=nonce, method=method, uri=uri,
        qop=qop, nc=nc_text, cnonce=cnonce,
    )
    if "algorithm" in challenge.params:
        params["algorithm"] = algorithm
    if qop is not None and nc_text is not None and cnonce is not None:
        params.update({"cnonce": cnonce, "qop": qop, "nc": nc_text})
    opaque = challenge.params.get("opaque")
    if opaque is not None:
        params["opaque"] = opaque
    return Credentials(SCHEME, params)
