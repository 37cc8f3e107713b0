"""The timer values of SIP transactions (RFC 3261 §17, Table 4), per transport.

Three base values drive everything:

- **T1** (500 ms) — the round-trip time estimate; the first retransmission interval.
- **T2** (4 s) — the longest interval between retransmissions of non-INVITE requests and of
  INVITE responses.
- **T4** (5 s) — how long a message may linger in the network; a transaction waits this long
  before forgetting what it sent, so that late retransmissions are still absorbed.

From them come the named timers::

    A  INVITE request retransmit        T1, doubling          UDP only
    B  INVITE transaction timeout       64*T1
    D  wait for response retransmits    > 32 s for UDP        0 for reliable transports
    E  non-INVITE request retransmit    T1, doubling to T2    UDP only
    F  non-INVITE transaction timeout   64*T1
    G  INVITE response retransmit       T1, doubling to T2    UDP only
    H  wait for ACK receipt             64*T1
    I  wait for ACK retransmits         T4 for UDP            0 for reliable transports
    J  wait for non-INVITE retransmits  64*T1 for UDP         0 for reliable transports
    K  wait for response retransmits    T4 for UDP            0 for reliable transports

A reliable transport (TCP, TLS, SCTP, WebSocket) carries every message or reports an error, so
the retransmission timers (A, E, G) never start and the "absorb retransmissions" timers (D, I,
J, K) are zero: the transaction ends as soon as it reaches that state (§17.1.1.2, §17.1.2.2,
§17.2.1, §17.2.2). Timers B, F and H guard against a silent peer and apply everywhere.

Timer D is "at least 32 seconds" (Table 4); here it is the larger of 32 s and 64*T1, so that it
always covers the window (Timer H) during which a server may retransmit its final response.
"""

from __future__ import annotations

from dataclasses import dataclass

T1 = 0.5
"""RTT estimate, seconds."""
T2 = 4.0
"""Maximum retransmit interval for non-INVITE requests and INVITE responses, seconds."""
T4 = 5.0
"""Maximum duration a message remains in the network, seconds."""

RELIABLE_TRANSPORTS = frozenset({"TCP", "TLS", "SCTP", "TLS-SCTP", "WS", "WSS"})
"""Transports (as written in Via, upper-cased) that deliver or fail, never silently lose."""


@dataclass(frozen=True, slots=True)
class Timers:
    """T1, T2, T4 and the values of timers A–K for one transport.

    A duration of None means the timer never starts on this transport; 0 means it fires at
    once (the state it guards is passed straight through).
    """

    reliable: bool = False
    t1: float = T1
    t2: float = T2
    t4: float = T4

    @property
    def a(self) -> float | None:
        """Initial INVITE retransmit interval (doubles each time)."""
        return None if self.reliable else self.t1

    @property
    def b(self) -> float:
        """INVITE client transaction timeout."""
        return 64 * self.t1

    @property
    def d(self) -> float:
        """How long an INVITE client transaction absorbs retransmitted final responses."""
        return 0.0 if self.reliable else max(32.0, 64 * self.t1)

    @property
    def e(self) -> float | None:
        """Initial non-INVITE retransmit interval (doubles up to T2)."""
        return None if self.reliable else self.t1

    @property
    def f(self) -> float:
        """Non-INVITE client transaction timeout."""
        return 64 * self.t1

    @property
    def g(self) -> float | None:
        """Initial INVITE final-response retransmit interval (doubles up to T2)."""
        return None if self.reliable else self.t1

    @property
    def h(self) -> float:
        """How long an INVITE server transaction waits for the ACK."""
        return 64 * self.t1

    @property
    def i(self) -> float:
        """How long an INVITE server transaction absorbs retransmitted ACKs."""
        return 0.0 if self.reliable else self.t4

    @property
    def j(self) -> float:
        """How long a non-INVITE server transaction absorbs retransmitted requests."""
        return 0.0 if self.reliable else 64 * self.t1

    @property
    def k(self) -> float:
        """How long a non-INVITE client transaction absorbs retransmitted responses."""
        return 0.0 if self.reliable else self.t4

    def initial(self, name: str) -> float | None:
        """The starting duration of timer `name` ("A" to "K"); None if it does not run."""
        value: float | None = getattr(self, name.lower())
        return value


UNRELIABLE = Timers(reliable=False)
RELIABLE = Timers(reliable=True)


def timers_for(transport: str) -> Timers:
    """The timers for a Via transport name (`UDP`, `tcp`, `TLS`, ...), RFC 3261 defaults."""
    return RELIABLE if transport.upper() in RELIABLE_TRANSPORTS else UNRELIABLE
