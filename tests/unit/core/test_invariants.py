"""Properties of the interaction server under random event streams (hypothesis).

Each example builds a tenant with several queues (overflow chains, maximum waits, priorities,
a VIP queue, drawn selection strategies, drawn sticky and business-hours rules), logs six agents
in, then applies a random stream of events at non-decreasing times, firing the server's timers
at their deadlines in between. Events that are not valid at that moment must raise a
`CoreError` and change nothing. After every step the facts are replayed and checked against
the server's views and the invariants below; at the end everyone is driven to finish and every
interaction's whole history is checked.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.core import InteractionServer
from hotline.core.agent_fsm import AgentState
from hotline.core.commands import CancelOffer, Command, Offer, Reject
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentAnswered,
    AgentDeclined,
    AgentDialed,
    AgentHungUp,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    AgentTransferred,
    CallConnected,
    CustomerHungUp,
    DialFailed,
    Event,
    InteractionArrived,
    IvrFinished,
    TimerFired,
    WrapUpEnded,
)
from hotline.core.facts import (
    AgentStateChanged,
    AttributesCollected,
    Fact,
    InteractionDelivered,
    InteractionStateChanged,
)
from hotline.core.hours import BusinessHours
from hotline.core.interaction_fsm import InteractionState
from hotline.core.live import eligible
from hotline.core.model import Agent, Overflow, Queue, Strategy, Tenant

A = AgentState
I = InteractionState  # noqa: E741

AGENTS = (
    Agent("a1", skills={"sales": 3, "support": 2}, wrap_up=0.0),
    Agent("a2", skills={"sales": 1}, wrap_up=5.0),
    Agent("a3", skills={"support": 3}, wrap_up=None),
    Agent("a4", wrap_up=12.0),
    Agent("a5", skills={"sales": 5, "support": 5}, wrap_up=0.0),
    Agent("a6", skills={"sales": 2}, wrap_up=3.0),
)
AGENT_IDS = tuple(a.id for a in AGENTS)
QUEUE_NAMES = ("sales", "support", "general", "vip")
ANIS = ("", "111", "222", "333", "888", "999")  # 888 is a VIP, 999 is blacklisted
DNIS = ("", "100", "200", "300")
TARGETS = (None, None, None, "sales", "support", "general", "vip", "nowhere")
REASONS = ("break", "lunch", "nap")  # "nap" is not one of the tenant's reasons
KINDS = (
    ("arrive",) * 5 + ("answer",) * 5 + ("agent_hangup",) * 3 + ("ready",) * 3
    + ("customer_hangup", "not_ready", "decline", "wrap_end", "login", "logout", "wait",
       "duplicate_arrival", "transfer", "transfer", "dial", "connect", "dial_fail",
       "ivr_finish", "ivr_finish")
)
DIAL_FAILURES = ("busy", "no_answer", "unreachable", "lost")  # "lost" is not a known reason


def build_tenant(strategies: tuple[Strategy, ...], sticky_wait: float | None,
                 hours: str) -> Tenant:
    # Epoch 0 is a Thursday: open for its first half hour, then closed.
    business_hours = None if hours == "always" else BusinessHours(weekly={3: ((0, 1800),)})
    return Tenant(
        "acme",
        queues=(
            Queue("sales", skills={"sales": 1}, priority=1, strategy=strategies[0],
                  overflow=Overflow(40, "general"), ring_timeout=15),
            Queue("support", skills={"support": 2}, priority=3, strategy=strategies[1],
                  max_wait=90, ring_timeout=10),
            Queue("general", strategy=strategies[2], overflow=Overflow(100, "support"),
                  max_wait=150, ring_timeout=12),
            Queue("vip", skills={"sales": 3}, priority=5, strategy=strategies[3],
                  overflow=Overflow(20, "sales"), ring_timeout=8),
        ),
        agents=AGENTS,
        dnis_routes={"100": "sales", "200": "support", "300": "vip"},
        default_queue="general",
        blacklist=frozenset({"999"}),
        vip_numbers=frozenset({"888"}),
        vip_priority=4,
        sticky_wait=sticky_wait,
        business_hours=business_hours,
        after_hours_queue="general" if hours == "after_hours" else None,
    )


class Run:
    """Drives one server and checks it after every step against a replay of its facts."""

    def __init__(self, tenant: Tenant, seed: int) -> None:
        self.tenant = tenant
        self.server = InteractionServer(tenant, seed=seed)
        self.now = 0.0
        self.arrivals = 0
        self.facts: list[Fact] = []
        self.config = {a.id: a for a in tenant.agents}
        self.ring_timeout = {q.name: q.ring_timeout for q in tenant.queues}
        # What the facts say, replayed: states, who holds each call, when its ringing ends.
        self.agent_states = dict.fromkeys(AGENT_IDS, A.LOGGED_OUT)
        self.serving: dict[str, frozenset[str]] = dict.fromkeys(AGENT_IDS, frozenset())
        self.states: dict[str, InteractionState] = {}
        self.holder: dict[str, str] = {}
        self.ring_deadline: dict[str, float] = {}

    # -- driving ------------------------------------------------------------------------------

    def advance(self, to: float) -> None:
        """Fire every timer due up to `to`, each at its own deadline, as the protocol says."""
        while (deadline := self.server.next_timer()) is not None and deadline <= to:
            assert deadline >= self.now, f"timer asked for in the past: {deadline} < {self.now}"
            self.apply(TimerFired(), deadline, may_refuse=False)
        self.now = to

    def apply(self, event: Event, at: float, *, may_refuse: bool = True) -> None:
        assert at >= self.now
        self.now = at
        before = self.snapshot()
        try:
            commands = self.server.handle(event, at)
        except CoreError:
            if not may_refuse:
                raise
            assert self.server.drain_facts() == [], f"{event} was refused but left facts"
            assert self.snapshot() == before, f"{event} was refused but changed the server"
            return
        facts = self.server.drain_facts()
        if isinstance(event, AgentLoggedIn):
            names = (event.queues if event.queues is not None else
                     [q.name for q in self.tenant.queues if self.config[event.agent_id].serves(q)])
            self.serving[event.agent_id] = frozenset(names)
        elif isinstance(event, AgentLoggedOut):
            self.serving[event.agent_id] = frozenset()
        self.replay(facts, at)
        self.check_commands(commands, facts)
        self.check_invariants()

    def snapshot(self) -> object:
        server = self.server
        return (
            [(a, server.agent_state(a), server.agent_interaction(a)) for a in AGENT_IDS],
            [(i, server.interaction_state(i)) for i in server.active_interactions()],
            [server.waiting(q) for q in QUEUE_NAMES],
            server.next_timer(),
        )

    # -- replaying the facts ------------------------------------------------------------------

    def replay(self, facts: list[Fact], at: float) -> None:
        for fact in facts:
            assert fact.at == at, "facts carry the time of the event that caused them"
            if isinstance(fact, InteractionDelivered):
                assert fact.interaction_id not in self.states
                self.states[fact.interaction_id] = I.DELIVERED
            elif isinstance(fact, InteractionStateChanged):
                ix = fact.interaction_id
                assert self.states.get(ix) == fact.old, f"{ix}: {fact} does not follow on"
                self.states[ix] = fact.new
                if fact.new is I.OFFERED:
                    assert fact.agent is not None and fact.queue is not None
                    self.holder[ix] = fact.agent
                    self.ring_deadline[ix] = at + self.ring_timeout[fact.queue]
                elif fact.new is I.DIALING:
                    assert fact.agent is not None
                    self.holder[ix] = fact.agent
                elif fact.new is not I.IN_SERVICE:
                    self.holder.pop(ix, None)
                if fact.new is not I.OFFERED:
                    self.ring_deadline.pop(ix, None)
            elif isinstance(fact, AttributesCollected):
                assert self.states.get(fact.interaction_id) is I.IN_IVR
            else:
                assert isinstance(fact, AgentStateChanged)
                assert self.agent_states[fact.agent_id] == fact.old, f"{fact} does not follow on"
                self.agent_states[fact.agent_id] = fact.new
        self.facts += facts

    # -- what must always hold ----------------------------------------------------------------

    def check_commands(self, commands: list[Command], facts: list[Fact]) -> None:
        moves = [f for f in facts if isinstance(f, InteractionStateChanged)]
        offers = [(f.interaction_id, f.agent) for f in moves if f.new is I.OFFERED]
        assert [(c.interaction_id, c.agent_id) for c in commands if isinstance(c, Offer)] == offers
        withdrawn = [(f.interaction_id, f.agent) for f in moves
                     if f.old is I.OFFERED and f.new in (I.QUEUED, I.COMPLETED)]
        assert [(c.interaction_id, c.agent_id) for c in commands
                if isinstance(c, CancelOffer)] == withdrawn
        rejected = [(f.interaction_id, f.reason) for f in moves if f.new is I.COMPLETED
                    and f.reason in ("blacklisted", "closed", "no_route", "max_wait")]
        assert [(c.interaction_id, c.reason) for c in commands
                if isinstance(c, Reject)] == rejected

    def check_invariants(self) -> None:
        server = self.server
        next_timer = server.next_timer()
        assert next_timer is None or next_timer >= self.now, "a timer in the past"

        # The replayed facts tell the same story as the server's views.
        for a in AGENT_IDS:
            assert server.agent_state(a) is self.agent_states[a]
        live = {ix for ix, s in self.states.items() if s is not I.COMPLETED}
        assert set(server.active_interactions()) == live
        for ix in live:
            assert server.interaction_state(ix) is self.states[ix]

        # An agent never holds two calls; each call offered or in service has exactly one agent.
        held: dict[str, list[str]] = {}
        for ix in live:
            if self.states[ix] in (I.OFFERED, I.IN_SERVICE, I.DIALING):
                held.setdefault(self.holder[ix], []).append(ix)
        for a, calls in held.items():
            assert len(calls) == 1, f"{a} holds {calls}"

        for a in AGENT_IDS:
            state = self.agent_states[a]
            mine = held.get(a, [None])[0]
            assert server.agent_interaction(a) == mine
            if state is A.RESERVED:
                # Reserved only with an offer whose ring timer is pending.
                assert mine is not None and self.states[mine] is I.OFFERED
                assert next_timer is not None and next_timer <= self.ring_deadline[mine]
            elif state is A.BUSY:
                assert mine is not None and self.states[mine] in (I.IN_SERVICE, I.DIALING)
            else:
                assert mine is None
            if state is A.READY:
                # The matching invariant: a ready agent's queues have no one in their lines
                # whom that agent may take.
                live_agent = server._agents[a]
                for q in self.serving[a]:
                    takeable = [ix.id for ix in server._queues[q].line.members()
                                if eligible(live_agent, ix)]
                    assert takeable == [], f"{a} is ready while {q} has {takeable}"
            if state is A.LOGGED_OUT:
                assert self.serving[a] == frozenset()

    # -- the end ------------------------------------------------------------------------------

    def finish(self) -> None:
        """Hang everyone up, end every wrap-up and let the timers run out."""
        for _ in range(1000):
            self.advance(self.now + 1)
            active = self.server.active_interactions()
            if not active:
                break
            ix = active[0]
            if self.states[ix] in (I.IN_SERVICE, I.DIALING):
                self.apply(AgentHungUp(ix, self.holder[ix]), self.now, may_refuse=False)
            else:
                self.apply(CustomerHungUp(ix), self.now, may_refuse=False)
        assert self.server.active_interactions() == []
        for a in AGENT_IDS:
            if self.agent_states[a] is A.WRAP_UP:
                self.apply(WrapUpEnded(a), self.now, may_refuse=False)
        assert self.server.next_timer() is None, "timers outlive every call and wrap-up"
        assert all(s not in (A.RESERVED, A.BUSY, A.WRAP_UP) for s in self.agent_states.values())


def check_every_queue_visit_ends_once(facts: list[Fact]) -> Counter[str]:
    """Each time an interaction enters a queue, it leaves it exactly once: answered, abandoned,
    timed out, or overflowed. Returns how many visits ended each way."""
    in_queue: dict[str, str | None] = {}
    completed: Counter[str] = Counter()
    delivered: set[str] = set()
    endings: Counter[str] = Counter()
    for f in facts:
        if isinstance(f, InteractionDelivered):
            delivered.add(f.interaction_id)
            in_queue[f.interaction_id] = None
            continue
        if not isinstance(f, InteractionStateChanged):
            continue
        ix = f.interaction_id
        if f.new is I.COMPLETED:
            completed[ix] += 1
        if f.old is I.ROUTING and f.new is I.QUEUED:
            assert in_queue[ix] is None, f"{ix} entered {f.queue} while in {in_queue[ix]}"
            in_queue[ix] = f.queue
        elif f.old in (I.QUEUED, I.OFFERED) and f.new in (I.IN_SERVICE, I.COMPLETED, I.ROUTING):
            assert in_queue[ix] == f.queue, f"{ix} left {f.queue} without being in it"
            in_queue[ix] = None
            if f.new is I.IN_SERVICE:
                endings["answered"] += 1
            elif f.new is I.ROUTING:
                assert f.reason == "overflow"
                endings["overflowed"] += 1
            else:
                assert f.reason in ("abandoned", "max_wait"), f.reason
                endings[f.reason] += 1
        elif f.old in (I.QUEUED, I.OFFERED):  # offered, or put back in line: still there
            assert in_queue[ix] == f.queue
    assert all(q is None for q in in_queue.values()), "a visit never ended"
    assert set(completed) == delivered, "an interaction never completed"
    assert all(n == 1 for n in completed.values()), "an interaction completed twice"
    return endings


step = st.tuples(
    st.sampled_from(KINDS),
    st.integers(0, len(AGENT_IDS) - 1),  # which agent
    st.integers(0, 2879),  # the details: caller, route, priority, reason, queues...
    st.sampled_from((0, 0, 1, 1, 2, 3, 5, 8, 13, 30)),  # seconds before the step
    st.booleans(),  # act on the wrong interaction
)


def event_for(run: Run, kind: str, who: int, detail: int, wrong: bool) -> Event | None:
    server = run.server
    agent_id = AGENT_IDS[who]
    active = server.active_interactions()
    someone_elses = active[detail % len(active)] if active else "ghost"
    if kind in ("answer", "decline", "agent_hangup", "transfer") and not wrong:
        # Mostly, an agent acts on their own call: one who has a call is picked.
        wanted = A.BUSY if kind in ("agent_hangup", "transfer") else A.RESERVED
        holders = [a for a in AGENT_IDS if server.agent_state(a) is wanted]
        if holders:
            agent_id = holders[who % len(holders)]
    target = server.agent_interaction(agent_id) or someone_elses
    if wrong:
        target = someone_elses
    if kind == "arrive":
        run.arrivals += 1
        return InteractionArrived(
            f"c{run.arrivals}",
            ani=ANIS[detail % 6],
            dnis=DNIS[detail // 6 % 4],
            priority=detail // 24 % 3,
            queue=TARGETS[detail // 72 % 8],
            attributes={"tier": "vip"} if detail // 576 % 5 == 0 else {},
            flow="menu" if detail % 7 == 3 else None,
            skills={"support": 3} if detail % 11 == 5 else {},
        )
    if kind == "duplicate_arrival":
        return InteractionArrived(someone_elses) if active else None
    if kind == "customer_hangup":
        return CustomerHungUp(someone_elses)
    if kind == "answer":
        return AgentAnswered(target, agent_id)
    if kind == "decline":
        return AgentDeclined(target, agent_id)
    if kind == "agent_hangup":
        return AgentHungUp(target, agent_id)
    if kind == "ready":
        return AgentReady(agent_id)
    if kind == "not_ready":
        return AgentNotReady(agent_id, REASONS[detail % 3])
    if kind == "wrap_end":
        return WrapUpEnded(agent_id)
    if kind == "login":
        choice = detail % 5
        queues = None if choice < 3 else (QUEUE_NAMES[detail // 5 % 4],)
        return AgentLoggedIn(agent_id, queues)
    if kind == "logout":
        return AgentLoggedOut(agent_id)
    if kind == "transfer":
        if detail % 2:
            return AgentTransferred(target, agent_id, queue=(*QUEUE_NAMES, "nowhere")[detail % 5])
        return AgentTransferred(target, agent_id, to_agent=AGENT_IDS[detail // 2 % 6])
    if kind == "dial":
        run.arrivals += 1
        return AgentDialed(f"o{run.arrivals}", agent_id, "" if detail % 7 == 0 else "139")
    dialling = [ix for ix in active if server.interaction_state(ix) is I.DIALING]
    outbound = dialling[detail % len(dialling)] if dialling and not wrong else someone_elses
    if kind == "ivr_finish":
        in_ivr = [ix for ix in active if server.interaction_state(ix) is I.IN_IVR]
        caller = in_ivr[detail % len(in_ivr)] if in_ivr and not wrong else someone_elses
        outcome = ("queue", "queue", "self_service", "number", "bogus", "agent")[detail % 6]
        return IvrFinished(caller, outcome, queue=TARGETS[detail // 6 % 8], number="119",
                           priority=detail % 3, attributes={"digits": str(detail)},
                           skills={"sales": 4} if detail % 3 == 1 else {},
                           agent=AGENT_IDS[detail // 48 % 6])
    if kind == "connect":
        return CallConnected(outbound)
    if kind == "dial_fail":
        return DialFailed(outbound, DIAL_FAILURES[detail % 4])
    return None  # "wait": only time passes


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(step, min_size=40, max_size=120),
    strategies=st.tuples(*[st.sampled_from(list(Strategy))] * 4),
    sticky_wait=st.sampled_from((None, 0.0, 25.0)),
    hours=st.sampled_from(("always", "after_hours", "closed")),
    seed=st.integers(0, 3),
)
def test_random_event_streams_keep_every_invariant(
    steps: list[tuple[str, int, int, int, bool]],
    strategies: tuple[Strategy, ...],
    sticky_wait: float | None,
    hours: str,
    seed: int,
) -> None:
    run = Run(build_tenant(strategies, sticky_wait, hours), seed)
    for agent_id in AGENT_IDS:
        run.apply(AgentLoggedIn(agent_id), 0.0, may_refuse=False)
        run.apply(AgentReady(agent_id), 0.0, may_refuse=False)
    for kind, who, detail, delay, wrong in steps:
        run.advance(run.now + delay)
        event = event_for(run, kind, who, detail, wrong)
        if event is not None:
            run.apply(event, run.now)
    run.finish()
    check_every_queue_visit_ends_once(run.facts)


def test_the_checker_counts_every_way_a_queue_visit_ends() -> None:
    # A fixed stream that ends visits in each of the four ways, so the property test's
    # bookkeeping is itself known to see them.
    run = Run(build_tenant((Strategy.LONGEST_IDLE,) * 4, None, "always"), seed=0)
    run.apply(AgentLoggedIn("a4", ("general",)), 0.0)
    run.apply(AgentReady("a4"), 0.0)
    run.apply(InteractionArrived("answered"), 1.0)
    run.apply(AgentAnswered("answered", "a4"), 2.0)
    run.apply(InteractionArrived("abandoned", queue="sales"), 3.0)
    run.apply(CustomerHungUp("abandoned"), 4.0)
    run.apply(InteractionArrived("overflowed", queue="vip"), 5.0)
    run.advance(400)  # vip -> sales -> general -> support, where max_wait ends it
    run.finish()
    endings = check_every_queue_visit_ends_once(run.facts)
    assert endings == Counter(answered=1, abandoned=1, overflowed=3, max_wait=1)
