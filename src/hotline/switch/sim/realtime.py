"""Synthetic callers and simulated agents on the wall clock, for `hotline serve --demo`.

The same idea as the simulation runner, but in real time and beside real people: callers arrive
as a Poisson stream at a chosen rate, wait with exponential patience, talk for an exponential
time; every agent is played by the simulator except those a person has taken over through the
CTI API, who get real offers from the synthetic callers and answer, hold, transfer and hang up
themselves. When a person dials out, the far end answers after a ring of about
`ring_seconds`; a transferred caller waits again, with new patience. Callers whose call
runs an IVR flow walk it as `CallerBehaviour` says (`switch.ivr_call`), and wait with
patience once the flow has queued them; the flow's queries run on `databases` in a worker
thread, its webhooks with the standard library's HTTP client.
Everything is scheduled on the asyncio loop with `call_later`, never run inside the core's own
`handle` call.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine

from hotline.core.agent_fsm import AgentState
from hotline.core.commands import (
    Command,
    Connect,
    Dial,
    Hangup,
    Offer,
    Reject,
    RunFlow,
    Transfer,
)
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentAnswered,
    AgentDeclined,
    AgentHungUp,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentReady,
    CallConnected,
    CustomerHungUp,
    Event,
    InteractionArrived,
    IvrFinished,
    WrapUpEnded,
)
from hotline.core.interaction_fsm import InteractionState
from hotline.runtime import TenantRuntime
from hotline.switch.ivr_call import CallerBehaviour, IvrCall
from hotline.switch.ivr_services import LoopIvrShell, TicketOpener

log = logging.getLogger("hotline.demo")
T = TypeVar("T")

@dataclass(frozen=True)
class DemoTraffic:
    """How the synthetic callers and agents behave."""

    calls_per_second: float = 0.5
    talk_seconds: float = 90.0
    patience_seconds: float = 120.0
    ring_seconds: float = 2.0
    wrap_up_seconds: float = 10.0
    human_call_limit_seconds: float = 1800.0


"""Opens the ticket an IVR flow asks for (request, interaction id, caller's number); blocking,
so the gateway runs it off the loop (see `hotline.store.ivr_tickets`)."""


class DemoGateway(LoopIvrShell):
    """Plays callers and agents for one tenant runtime."""

    def __init__(
        self,
        runtime: TenantRuntime,
        traffic: DemoTraffic,
        *,
        seed: int = 0,
        callers: CallerBehaviour | None = None,
        databases: Mapping[str, Engine] | None = None,
        known_numbers: Sequence[str] = (),
        known_share: float = 0.5,
        tickets: TicketOpener | None = None,
    ) -> None:
        super().__init__(runtime, databases=databases, tickets=tickets)
        self.known_numbers = list(known_numbers)
        self.claimed: Callable[[str], bool] = lambda interaction_id: False
        """Whether another gateway (SIP) carries the caller's side of an interaction: then
        only agent-side commands for simulated agents are this gateway's business."""
        self.known_share = known_share
        self._arriving: set[asyncio.Task[None]] = set()
        self.traffic = traffic
        self.callers = callers or CallerBehaviour()
        self._in_ivr: dict[str, IvrCall] = {}
        self.humans: set[str] = set()
        self._rng = random.Random(seed)
        self._handles: dict[str, asyncio.TimerHandle] = {}
        self._agent_of: dict[str, str] = {}
        self._dnis = sorted(runtime.tenant.dnis_routes) or [""]
        self._count = 0
        # Interaction ids must never repeat, across restarts too (the journal keys records
        # by them), while the seeded generator repeats itself: a random token per run.
        self._run = secrets.token_hex(4)
        self._arrivals: asyncio.TimerHandle | None = None
        self._next_arrival: float | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Log the simulated agents in and start the callers (inside the running loop)."""
        self._loop = asyncio.get_running_loop()
        self.runtime.add_gateway(self)
        for agent_id in self.runtime.server.agent_ids():
            if agent_id not in self.humans:
                self._simulate_agent(agent_id)
        if self.traffic.calls_per_second > 0:
            self._schedule_arrival()

    def stop(self) -> None:
        if self._arrivals is not None:
            self._arrivals.cancel()
        for task in list(self._arriving):
            task.cancel()
        for call in self._in_ivr.values():
            call.done = True
        self._in_ivr.clear()
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()

    # -- people taking over agents ------------------------------------------------------------

    def take_over(self, agent_id: str) -> None:
        """A person now plays `agent_id`. The simulated agent stops at once: an offer ringing
        for it is declined (the call goes back to its place in line), a call it is on ends,
        and it logs out so that the person can log in."""
        if agent_id in self.humans:
            return
        self.humans.add(agent_id)
        server = self.runtime.server
        self._cancel(f"wrap:{agent_id}")
        status = server.agent_status(agent_id)
        call = status.interaction_id
        if status.state is AgentState.RESERVED and call is not None:
            self._cancel(f"answer:{call}")
            self.runtime.handle(AgentDeclined(call, agent_id))
        elif status.state is AgentState.BUSY and call is not None:
            self._cancel(f"talk:{call}")
            self.runtime.handle(AgentHungUp(call, agent_id))
        if server.agent_state(agent_id) is not AgentState.LOGGED_OUT:
            self.runtime.handle(AgentLoggedOut(agent_id))

    def hand_back(self, agent_id: str) -> None:
        """The person is gone: the simulator plays `agent_id` again once they are logged out."""
        if agent_id not in self.humans:
            return
        self.humans.discard(agent_id)
        if self.runtime.server.agent_state(agent_id) is AgentState.LOGGED_OUT:
            self._simulate_agent(agent_id)

    # -- the core's commands ------------------------------------------------------------------

    def carry_out(self, commands: Sequence[Command]) -> None:
        for command in commands:
            if self.claimed(command.interaction_id) and not (
                    isinstance(command, Offer | Connect) and command.agent_id not in self.humans):
                continue
            if isinstance(command, Offer):
                if command.agent_id not in self.humans:
                    self._later(f"answer:{command.interaction_id}",
                                self._jitter(self.traffic.ring_seconds),
                                AgentAnswered(command.interaction_id, command.agent_id))
            elif isinstance(command, Connect):
                self._cancel(f"patience:{command.interaction_id}")
                self._agent_of[command.interaction_id] = command.agent_id
                if command.agent_id in self.humans:
                    # A real person decides when the call ends; a caller still gives up
                    # eventually, so a forgotten call cannot stay open for ever.
                    self._later(f"talk:{command.interaction_id}",
                                self.traffic.human_call_limit_seconds,
                                CustomerHungUp(command.interaction_id))
                else:
                    self._later(f"talk:{command.interaction_id}",
                                self._rng.expovariate(1 / self.traffic.talk_seconds),
                                AgentHungUp(command.interaction_id, command.agent_id))
            elif isinstance(command, Hangup):
                self._agent_left(command.interaction_id)
            elif isinstance(command, Transfer):
                self._agent_left(command.interaction_id)
                self._wait_patiently(command.new_interaction_id)
            elif isinstance(command, RunFlow):
                self._run_flow(command)
            elif isinstance(command, Dial):
                self._later(f"answer:{command.interaction_id}",
                            self._jitter(self.traffic.ring_seconds),
                            CallConnected(command.interaction_id))
            elif isinstance(command, Reject):
                self._forget(command.interaction_id)

    # -- callers in IVR flows (the IvrShell of switch.ivr_call) ---------------------------------

    def _run_flow(self, command: RunFlow) -> None:
        flow = self.runtime.flows.get(command.flow)
        details = self.runtime.server.interaction_details(command.interaction_id)
        if flow is None or details is None:
            log.error("tenant %s has no published IVR flow %r; the call is ended",
                      self.runtime.name, command.flow)
            self._later(f"ivr:{command.interaction_id}", 0.0,
                        IvrFinished(command.interaction_id, "error"))
            return
        tenant = self.runtime.tenant
        call = IvrCall(command.interaction_id, flow, self, self.callers, self._rng,
                       ani=details.ani, dnis=details.dnis, timezone=tenant.timezone,
                       business_hours=tenant.business_hours,
                       variables=details.attributes)
        self._in_ivr[command.interaction_id] = call
        # Started on the next turn of the loop, not inside the core's own `handle`.
        assert self._loop is not None
        self._loop.call_soon(call.start)

    def finished(self, event: IvrFinished | CustomerHungUp) -> None:
        self._in_ivr.pop(event.interaction_id, None)
        try:
            self.runtime.handle(event)
        except CoreError as error:
            # A flow that sends the caller somewhere the center does not have (a queue since
            # removed, say) must not leave them in the flow for ever.
            log.error("IVR outcome refused, the call is ended: %s", error)
            self.runtime.handle(IvrFinished(event.interaction_id, "error"))
            return
        self._wait_patiently(event.interaction_id)

    # -- callers ------------------------------------------------------------------------------

    def _schedule_arrival(self) -> None:
        # Arrival times are a running sum of the gaps, on the loop's clock: an arrival the
        # loop runs late does not push back every later one, so the asked rate is kept.
        assert self._loop is not None
        if self._next_arrival is None:
            self._next_arrival = self._loop.time()
        self._next_arrival += self._rng.expovariate(self.traffic.calls_per_second)
        self._arrivals = self._loop.call_at(self._next_arrival, self._arrive)

    def _arrive(self) -> None:
        self._schedule_arrival()
        self._count += 1
        call_id = f"demo-{self._run}-{self._count:07d}"
        if self.known_numbers and self._rng.random() < self.known_share:
            ani = self._rng.choice(self.known_numbers)
        else:
            ani = "13" + "".join(str(self._rng.randrange(10)) for _ in range(9))
        event = InteractionArrived(call_id, ani=ani, dnis=self._rng.choice(self._dnis))
        assert self._loop is not None
        task = self._loop.create_task(self._identify_and_deliver(event))
        self._arriving.add(task)
        task.add_done_callback(self._arriving.discard)

    async def _identify_and_deliver(self, event: InteractionArrived) -> None:
        """The caller is looked up among the customers first, as a trunk's call would be."""
        event = await self.runtime.identified(event)
        try:
            self.runtime.handle(event)
        except CoreError as error:
            log.warning("demo caller refused: %s", error)
            return
        self._wait_patiently(event.interaction_id)

    def _wait_patiently(self, call_id: str) -> None:
        """A caller who has to wait gives up after an exponential patience."""
        if self.runtime.server.interaction_state(call_id) in (
            InteractionState.QUEUED, InteractionState.OFFERED
        ):
            self._later(f"patience:{call_id}",
                        self._rng.expovariate(1 / self.traffic.patience_seconds),
                        CustomerHungUp(call_id), only_if_waiting=call_id)

    def _agent_left(self, interaction_id: str) -> None:
        """The agent's part of a call is over (hung up, transferred)."""
        self._forget(interaction_id)
        agent_id = self._agent_of.pop(interaction_id, None)
        if agent_id is not None and agent_id not in self.humans:
            # Simulated agents with manual wrap-up end it themselves after a while.
            self._later(f"wrap:{agent_id}", self._jitter(self.traffic.wrap_up_seconds),
                        WrapUpEnded(agent_id), only_if_agent_in=AgentState.WRAP_UP)

    # -- agents -------------------------------------------------------------------------------

    def _simulate_agent(self, agent_id: str) -> None:
        server = self.runtime.server
        try:
            if server.agent_state(agent_id) is AgentState.LOGGED_OUT:
                self.runtime.handle(AgentLoggedIn(agent_id))
            if server.agent_state(agent_id) is AgentState.NOT_READY:
                self.runtime.handle(AgentReady(agent_id))
        except CoreError as error:
            log.warning("simulated agent %s could not start: %s", agent_id, error)

    # -- scheduling ---------------------------------------------------------------------------

    def _jitter(self, mean: float) -> float:
        return mean * (0.5 + self._rng.random())

    def _later(
        self, key: str, delay: float, event: Event, *,
        only_if_waiting: str | None = None, only_if_agent_in: AgentState | None = None,
    ) -> None:
        assert self._loop is not None
        self._cancel(key)

        def fire() -> None:
            self._handles.pop(key, None)
            server = self.runtime.server
            if only_if_waiting is not None and server.interaction_state(only_if_waiting) not in (
                InteractionState.QUEUED, InteractionState.OFFERED
            ):
                return
            agent_id = getattr(event, "agent_id", None)
            if only_if_agent_in is not None and (
                agent_id is None or server.agent_state(agent_id) is not only_if_agent_in
                or agent_id in self.humans
            ):
                return
            # A refusal means the world moved on (the caller left, a person took the agent
            # over): there is nothing left to do.
            with contextlib.suppress(CoreError):
                self.runtime.handle(event)

        self._handles[key] = self._loop.call_later(delay, fire)

    def _cancel(self, key: str) -> None:
        handle = self._handles.pop(key, None)
        if handle is not None:
            handle.cancel()

    def _forget(self, interaction_id: str) -> None:
        for prefix in ("patience:", "answer:", "talk:"):
            self._cancel(prefix + interaction_id)
        call = self._in_ivr.pop(interaction_id, None)
        if call is not None:
            call.done = True
