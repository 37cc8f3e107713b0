"""The registrar: REGISTER requests applied to the bindings of addresses of record (RFC 3261 §10.3).

A *binding* maps an address of record (AOR, e.g. `sip:1001@hotline.example`, taken from the
To header) to a contact URI where a phone can be reached now, until it expires. An AOR may
have several contacts (a desk phone and a softphone), ranked by their `q` value (§10.2.1.2).

`Registrar.register` performs §10.3 steps 5–8 on a REGISTER that the caller has already
accepted for this domain (step 1), checked for extensions (step 2) and authenticated and
authorised for the AOR (steps 3–4, see `digest`):

5. The AOR is the To URI in canonical `scheme:user@host` form.
6. Contacts: `Contact: *` removes every binding and is only legal with `Expires: 0` and no
   other contact (else 400). Each contact's lifetime is its `expires` parameter, else the
   Expires header, else `default_expires`. A non-zero lifetime below `min_expires` is
   refused with `423 Interval Too Brief` and a `Min-Expires` header (§10.3 step 7, §20.23);
   one above `max_expires` is shortened (the registrar may do so, §10.2.1.1).
7. Each contact is compared with the existing bindings by URI equality (§19.1.4). An existing
   binding is updated or removed (lifetime 0) — but if the REGISTER has the binding's
   Call-ID and a CSeq not above the binding's, it is a stale retransmission or reordering
   and the whole request fails with 500, changing nothing. A new contact is added unless its
   lifetime is 0. All changes of one request are committed together or not at all.
8. The 200 OK lists every current binding with its remaining lifetime as `expires`.

Bindings live behind the `BindingStore` protocol — read an AOR's bindings, replace them — so
a database-backed store can replace the in-memory `Bindings` later; the registrar itself keeps
no state. Time (`now`, seconds) is passed in and expired bindings are never returned.

`Bindings` stays in memory but can outlive its process: `changed` is called with each AOR
whose set changed (so the owner can write it somewhere, e.g. `hotline.telephony` to the
database), `export` hands out the unexpired bindings with their times on the wall clock
(seconds since the epoch, which a `now` of another process cannot be compared with), and
`restore` takes such bindings back, converting their times to this process's `now`.
"""

from __future__ import annotations

import dataclasses
import math
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .address import NameAddress
from .message import Request, Response, make_response
from .syntax import SipSyntaxError
from .uri import SipUri

_QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")
_EXPIRES_LIMIT = 2**32 - 1


@dataclass(frozen=True, slots=True)
class Binding:
    """One contact registered for an address of record."""

    aor: str
    contact: NameAddress
    expires_at: float
    call_id: str
    cseq: int
    q: float = 1.0
    registered_at: float = 0.0
    source: tuple[str, int] | None = None
    """The transport address the REGISTER came from (to reach a phone behind NAT)."""
    transport: str | None = None
    """The transport the REGISTER came over ("UDP", "TCP"; None when unknown). A phone that
    registered over a connection is reached on it while it lasts (RFC 5626's rule without
    the outbound extension); its `source` port is then the connection's, not a listener's."""

    def remaining(self, now: float) -> int:
        """Whole seconds until expiry (rounded up), 0 when expired."""
        return max(0, math.ceil(self.expires_at - now))


def rank(bindings: Sequence[Binding]) -> list[Binding]:
    """Bindings in the order to try them: highest q first, then the most recently registered."""
    return sorted(bindings, key=lambda b: (-b.q, -b.registered_at))


class BindingStore(Protocol):
    """Where bindings are kept; each call concerns one AOR and must be atomic for it."""

    def lookup(self, aor: str, now: float) -> list[Binding]:
        """The AOR's unexpired bindings, ranked (see `rank`)."""
        ...

    def replace(self, aor: str, bindings: Sequence[Binding]) -> None:
        """Make `bindings` the AOR's complete set (empty removes the AOR)."""
        ...


def shift_clock(binding: Binding, offset: float) -> Binding:
    """`binding` with its times (`expires_at`, `registered_at`) moved by `offset` seconds: from
    one clock to another (`offset` = the other clock's reading − this one's, at one moment)."""
    return dataclasses.replace(binding, expires_at=binding.expires_at + offset,
                   registered_at=binding.registered_at + offset)


class Bindings:
    """The in-memory `BindingStore`: a dict of AOR to bindings; expired ones are dropped."""

    def __init__(self) -> None:
        self._by_aor: dict[str, list[Binding]] = {}
        self.changed: Callable[[str], None] | None = None
        """Called with an AOR after its set of bindings changed (registered, refreshed,
        removed, expired); not by `restore`. It must not raise and must not wait: it runs
        inside the handling of a REGISTER."""

    def lookup(self, aor: str, now: float) -> list[Binding]:
        """The AOR's unexpired bindings, ranked; expired ones are forgotten on the way."""
        current = self._by_aor.get(aor)
        if current is None:
            return []
        alive = [b for b in current if b.expires_at > now]
        if len(alive) != len(current):
            self.replace(aor, alive)
        return rank(alive)

    def replace(self, aor: str, bindings: Sequence[Binding]) -> None:
        """Make `bindings` the AOR's complete set."""
        if bindings:
            self._by_aor[aor] = list(bindings)
        else:
            self._by_aor.pop(aor, None)
        if self.changed is not None:
            self.changed(aor)

    def export(self, aor: str, now: float, wall_now: float) -> list[Binding]:
        """The AOR's unexpired bindings (ranked) with their times on the wall clock:
        `wall_now` is the wall clock's reading (e.g. `time.time()`) at `now`. Changes
        nothing (an expired binding is left for `lookup` to drop)."""
        current = self._by_aor.get(aor, [])
        return [shift_clock(b, wall_now - now) for b in rank(current) if b.expires_at > now]

    def restore(self, bindings: Iterable[Binding], now: float, wall_now: float) -> int:
        """Take back bindings `export` gave (times on the wall clock, `wall_now` being its
        reading at `now`): each AOR among them gets them as its complete set, converted to
        `now`'s clock; those expired by now are skipped. `changed` is not called (they are
        already wherever they were exported to). Returns how many were restored."""
        by_aor: dict[str, list[Binding]] = {}
        for binding in bindings:
            moved = shift_clock(binding, now - wall_now)
            if moved.expires_at > now:
                by_aor.setdefault(binding.aor, []).append(moved)
        for aor, restored in by_aor.items():
            self._by_aor[aor] = restored
        return sum(len(restored) for restored in by_aor.values())

    def purge(self, now: float) -> int:
        """Forget every expired binding; returns how many were dropped."""
        dropped = 0
        for aor in list(self._by_aor):
            before = len(self._by_aor[aor])
            dropped += before - len(self.lookup(aor, now))
        return dropped

    def __len__(self) -> int:
        return sum(len(b) for b in self._by_aor.values())


class RegistrationRefused(Exception):
    """A REGISTER that must fail; carries the status, reason and extra response headers."""

    def __init__(
        self, status: int, reason: str, headers: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = tuple(headers)


@dataclass(frozen=True, slots=True)
class _Change:
    contact: NameAddress
    lifetime: int
    q: float


class Registrar:
    """Applies authenticated REGISTER requests to a `BindingStore` (§10.3 steps 5–8)."""

    def __init__(
        self,
        store: BindingStore,
        *,
        min_expires: int = 60,
        max_expires: int = 3600,
        default_expires: int = 3600,
        max_contacts: int = 10,
    ) -> None:
        if not 0 < min_expires <= default_expires <= max_expires:
            raise ValueError("need 0 < min_expires <= default_expires <= max_expires")
        self.store = store
        self.min_expires = min_expires
        self.max_expires = max_expires
        self.default_expires = default_expires
        self.max_contacts = max_contacts

    def register(
        self,
        request: Request,
        now: float,
        *,
        source: tuple[str, int] | None = None,
        transport: str | None = None,
        to_tag: str | None = None,
    ) -> Response:
        """Apply `request` and build the response: 200 with the bindings, or the error.
        `source` and `transport`: where and over what the REGISTER came, kept on each binding
        it adds or refreshes."""
        tag = to_tag or secrets.token_hex(6)
        try:
            aor = self.address_of_record(request)
            bindings = self._apply(request, aor, now, source,
                                   transport.upper() if transport else None)
        except RegistrationRefused as refused:
            return make_response(
                request, refused.status, refused.reason, to_tag=tag, headers=refused.headers
            )
        contacts = [("Contact", str(b.contact.with_param("expires", str(b.remaining(now)))))
                    for b in bindings]
        return make_response(request, 200, to_tag=tag, headers=contacts)

    @staticmethod
    def address_of_record(request: Request) -> str:
        """The canonical AOR of a REGISTER's To URI (§10.3 step 5)."""
        try:
            to = request.headers.to_address()
        except SipSyntaxError as error:
            raise RegistrationRefused(400, f"Bad Request (To: {error})") from None
        if to is None:
            raise RegistrationRefused(400, "Bad Request (missing To)")
        if not isinstance(to.uri, SipUri):
            raise RegistrationRefused(404, "Not Found (the To URI must be a SIP URI)")
        return to.uri.address_of_record

    def _apply(
        self, request: Request, aor: str, now: float, source: tuple[str, int] | None,
        transport: str | None,
    ) -> list[Binding]:
        headers = request.headers
        try:
            contacts = headers.contacts()
            expires_header = headers.expires()
            call_id = headers.call_id()
            cseq = headers.cseq()
        except SipSyntaxError as error:
            raise RegistrationRefused(400, f"Bad Request ({error})") from None
        if call_id is None or cseq is None:
            raise RegistrationRefused(400, "Bad Request (missing Call-ID or CSeq)")
        current = self.store.lookup(aor, now)
        if contacts == "*":
            if expires_header != 0:
                raise RegistrationRefused(400, "Bad Request (Contact: * needs Expires: 0)")
            for binding in current:
                self._check_order(binding, call_id, cseq.number)
            self.store.replace(aor, [])
            return []
        changes = [self._change(c, expires_header) for c in contacts]
        too_brief = [c for c in changes if 0 < c.lifetime < self.min_expires]
        if too_brief:
            raise RegistrationRefused(
                423, "Interval Too Brief", [("Min-Expires", str(self.min_expires))]
            )
        updated = list(current)
        for change in changes:
            lifetime = min(change.lifetime, self.max_expires)
            index = next(
                (i for i, b in enumerate(updated) if b.contact.uri.equivalent(change.contact.uri)),
                None,
            )
            if index is not None:
                self._check_order(updated[index], call_id, cseq.number)
                del updated[index]
            if lifetime > 0:
                contact = NameAddress(
                    change.contact.uri,
                    change.contact.display_name,
                    tuple(p for p in change.contact.params if p[0].lower() != "expires"),
                )
                updated.append(Binding(aor, contact, now + lifetime, call_id, cseq.number,
                                       change.q, now, source, transport))
        if len(updated) > self.max_contacts:
            raise RegistrationRefused(403, f"Forbidden (at most {self.max_contacts} contacts)")
        if changes:
            self.store.replace(aor, updated)
        return rank(updated)

    def _change(self, contact: NameAddress, expires_header: int | None) -> _Change:
        text = contact.param("expires")
        if text is not None:
            if not text.isascii() or not text.isdigit() or len(text) > 12:
                raise RegistrationRefused(400, f"Bad Request (contact expires {text[:20]!r})")
            lifetime = min(int(text), _EXPIRES_LIMIT)
        elif expires_header is not None:
            lifetime = expires_header
        else:
            lifetime = self.default_expires
        q_text = contact.param("q")
        q = 1.0
        if q_text is not None:
            if _QVALUE.fullmatch(q_text) is None:
                raise RegistrationRefused(400, f"Bad Request (q value {q_text[:20]!r})")
            q = float(q_text)
        return _Change(contact, lifetime, q)

    @staticmethod
    def _check_order(binding: Binding, call_id: str, cseq: int) -> None:
        """§10.3 step 7: the same Call-ID must come with a higher CSeq than the binding's."""
        if binding.call_id == call_id and cseq <= binding.cseq:
            raise RegistrationRefused(
                500, f"Server Internal Error (CSeq {cseq} is not above {binding.cseq})"
            )
