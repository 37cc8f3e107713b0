"""Protection of the SIP port against password guessing, floods and scanners.

A SIP port open to the Internet is found within minutes by scanners (SIPVicious'
`friendly-scanner`, `sipcli`, …) that walk extensions with REGISTER or INVITE and then guess
passwords. Digest authentication (`digest`) keeps them out; this module keeps them from costing
much, by judging each source address (IP, or IP and port) before a request is processed:

- **Lockout after failed authentications**: `record_failure` is called when credentials were
  presented and were wrong (not for the first, credential-less request, nor for a stale nonce).
  `max_failures` failures within `failure_window` seconds lock the source out for `lockout`
  seconds; each further lockout of the same source doubles, up to `lockout_cap`. A source's
  offence count is forgotten after `offence_memory` seconds without a new one.
- **Rate limit**: a token bucket per source (`rate` requests per second, bursts of `burst`)
  so no single source can monopolise the stack. A rate-limited request is dropped.
- **Scanner detection**: a User-Agent naming a known scanning tool, or one source sending
  REGISTER/INVITE for more than `max_distinct_users` different users within `user_window`
  seconds (extension walking), marks the source as a scanner for `scanner_ban` seconds.
  Scanners should get no answer at all: an answer confirms that something is listening.

`check` returns a `Verdict` — allow, rate_limited, locked_out or scanner — with a reason for
the log and, when blocked, how long the block lasts. Memory stays bounded with two LRU tables:
per-source activity (buckets, recent failures, users seen) holds at most `max_sources`
entries and forgets the least recently seen; penalties (lockouts, scanner bans, offence counts)
live in their own table of `max_penalised` entries, so a flood from many fresh addresses
cannot push a locked-out source out of memory and free it. Trusted sources (trunks, the
operator's own proxy) bypass every check. The clock is passed in (`now`, in seconds).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from enum import Enum

SCANNER_USER_AGENTS: tuple[str, ...] = (
    "friendly-scanner",
    "sipvicious",
    "sipcli",
    "vaxsipuseragent",
    "sip-scan",
    "sipscan",
    "sundayddr",
    "iwar",
    "sippts",
    "pplsip",
    "siparmyknife",
    "voip-scanner",
)
"""Lower-cased fragments of User-Agent values sent by well-known SIP scanning tools."""

_FLOOD_METHODS = frozenset({"REGISTER", "INVITE"})


class Decision(Enum):
    """What to do with a request from a source."""

    ALLOW = "allow"
    RATE_LIMITED = "rate_limited"
    LOCKED_OUT = "locked_out"
    SCANNER = "scanner"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The guard's judgement: the decision, why, and for how long a block holds (seconds)."""

    decision: Decision
    reason: str = ""
    retry_after: float | None = None

    @property
    def allowed(self) -> bool:
        """Whether the request may be processed."""
        return self.decision is Decision.ALLOW


ALLOW = Verdict(Decision.ALLOW, "ok")


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    """The guard's limits; the defaults suit a contact centre's own phones and a few trunks."""

    max_failures: int = 5
    failure_window: float = 60.0
    lockout: float = 600.0
    lockout_cap: float = 86_400.0
    offence_memory: float = 86_400.0
    rate: float = 20.0
    burst: float = 40.0
    max_distinct_users: int = 20
    user_window: float = 60.0
    scanner_ban: float = 3_600.0
    scanner_user_agents: tuple[str, ...] = SCANNER_USER_AGENTS
    max_sources: int = 50_000
    max_penalised: int = 50_000

    def __post_init__(self) -> None:
        for name in ("max_failures", "max_distinct_users", "max_sources", "max_penalised"):
            if getattr(self, name) < 1:
                raise ValueError(f"GuardPolicy.{name} must be at least 1")
        for name in ("failure_window", "lockout", "rate", "burst", "user_window", "scanner_ban"):
            if getattr(self, name) <= 0:
                raise ValueError(f"GuardPolicy.{name} must be positive")


@dataclass(slots=True)
class _Activity:
    """What a source has recently done (forgettable)."""

    tokens: float
    refilled_at: float
    failures: deque[float] = field(default_factory=deque)
    users: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Penalty:
    """A source's block and record (kept apart so floods cannot evict it)."""

    decision: Decision
    until: float
    reason: str
    offences: int
    last_offence: float


class Guard:
    """Judges requests per source address; see the module docstring for the rules."""

    def __init__(
        self, policy: GuardPolicy | None = None, *, trusted: frozenset[str] = frozenset()
    ) -> None:
        self.policy = policy or GuardPolicy()
        self.trusted = trusted
        self._activity: OrderedDict[str, _Activity] = OrderedDict()
        self._penalties: OrderedDict[str, _Penalty] = OrderedDict()

    def check(
        self,
        source: str,
        now: float,
        *,
        method: str | None = None,
        user_agent: str | None = None,
        target_user: str | None = None,
    ) -> Verdict:
        """Judge one incoming request from `source` before it is processed.

        `target_user` is the user a REGISTER or INVITE is for (the To or Request-URI user),
        used to notice a source walking through extensions.
        """
        if source in self.trusted:
            return ALLOW
        blocked = self._blocked(source, now)
        if blocked is not None:
            return blocked
        policy = self.policy
        if user_agent is not None:
            agent = user_agent.lower()
            for fragment in policy.scanner_user_agents:
                if fragment in agent:
                    return self._ban_scanner(source, now, f"scanner User-Agent {user_agent[:60]!r}")
        activity = self._touch(source, now)
        if target_user is not None and (method is None or method.upper() in _FLOOD_METHODS):
            users = activity.users
            users[target_user] = now
            if len(users) > policy.max_distinct_users:
                for user, seen in list(users.items()):
                    if now - seen > policy.user_window:
                        del users[user]
                if len(users) > policy.max_distinct_users:
                    return self._ban_scanner(
                        source, now,
                        f"requests for {len(users)} different users within "
                        f"{policy.user_window:g} s",
                    )
        elapsed = max(0.0, now - activity.refilled_at)
        activity.tokens = min(policy.burst, activity.tokens + elapsed * policy.rate)
        activity.refilled_at = now
        if activity.tokens < 1.0:
            wait = (1.0 - activity.tokens) / policy.rate
            return Verdict(Decision.RATE_LIMITED, f"over {policy.rate:g} requests/s", wait)
        activity.tokens -= 1.0
        return ALLOW

    def record_failure(self, source: str, now: float) -> Verdict:
        """Note a failed authentication; returns LOCKED_OUT when this one triggers a lockout."""
        if source in self.trusted:
            return ALLOW
        blocked = self._blocked(source, now)
        if blocked is not None:
            return blocked
        policy = self.policy
        failures = self._touch(source, now).failures
        failures.append(now)
        while failures and now - failures[0] > policy.failure_window:
            failures.popleft()
        if len(failures) < policy.max_failures:
            return ALLOW
        failures.clear()
        penalty = self._penalties.get(source)
        offences = 0
        if penalty is not None and now - penalty.last_offence <= policy.offence_memory:
            offences = penalty.offences
        duration = min(policy.lockout * 2.0 ** min(offences, 64), policy.lockout_cap)
        reason = (
            f"{policy.max_failures} failed authentications within "
            f"{policy.failure_window:g} s (lockout {offences + 1})"
        )
        self._penalise(source, _Penalty(Decision.LOCKED_OUT, now + duration, reason,
                                        offences + 1, now))
        return Verdict(Decision.LOCKED_OUT, reason, duration)

    def record_success(self, source: str, now: float) -> None:
        """Note a successful authentication: the source's recent failures are forgiven."""
        activity = self._activity.get(source)
        if activity is not None:
            activity.failures.clear()

    def release(self, source: str) -> bool:
        """Lift any block and record of `source` (an operator's action); whether there was one."""
        self._activity.pop(source, None)
        return self._penalties.pop(source, None) is not None

    @property
    def sources_tracked(self) -> int:
        """How many sources' recent activity is remembered."""
        return len(self._activity)

    @property
    def sources_penalised(self) -> int:
        """How many sources' blocks or offence records are remembered."""
        return len(self._penalties)

    def _blocked(self, source: str, now: float) -> Verdict | None:
        penalty = self._penalties.get(source)
        if penalty is None:
            return None
        if now < penalty.until:
            return Verdict(penalty.decision, penalty.reason, penalty.until - now)
        if now - penalty.last_offence > self.policy.offence_memory:
            del self._penalties[source]
        return None

    def _ban_scanner(self, source: str, now: float, reason: str) -> Verdict:
        previous = self._penalties.get(source)
        offences = 1 if previous is None else previous.offences + 1
        ban = self.policy.scanner_ban
        self._penalise(source, _Penalty(Decision.SCANNER, now + ban, reason, offences, now))
        self._activity.pop(source, None)
        return Verdict(Decision.SCANNER, reason, ban)

    def _penalise(self, source: str, penalty: _Penalty) -> None:
        self._penalties[source] = penalty
        self._penalties.move_to_end(source)
        while len(self._penalties) > self.policy.max_penalised:
            self._penalties.popitem(last=False)

    def _touch(self, source: str, now: float) -> _Activity:
        activity = self._activity.get(source)
        if activity is None:
            activity = _Activity(tokens=self.policy.burst, refilled_at=now)
            self._activity[source] = activity
            while len(self._activity) > self.policy.max_sources:
                self._activity.popitem(last=False)
        else:
            self._activity.move_to_end(source)
        return activity
