"""One simulated caller's walk through an IVR flow, for the demo and the simulator.

An `IvrCall` drives an `IvrSession` for one interaction: it carries out the session's actions
through an `IvrShell` — the demo's asyncio loop in real time, the simulator's event heap in
virtual time — and plays the caller with a `CallerBehaviour`: how long prompts last, which
keys the caller presses at each menu, how often they hang up. When the flow ends, the shell
tells the interaction server how (`IvrFinished`, or `CustomerHungUp` when the caller left).

Prompt durations are estimated, not rendered (`hotline.prompts.estimate`: speech by the
measured pace of espeak-ng's voices, numbers by the core sounds' words). A real gateway plays
the audio and reports when it ends instead.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from hotline.core.events import CustomerHungUp, IvrFinished
from hotline.core.hours import BusinessHours
from hotline.ivr import IvrSession, SessionState
from hotline.ivr.actions import (
    Action,
    Collect,
    Finished,
    HttpCall,
    OpenTicket,
    Play,
    Query,
    Record,
    TransferToAgent,
    TransferToFlow,
    TransferToNumber,
    TransferToQueue,
)
from hotline.ivr.events import (
    CallerHungUp,
    DigitPressed,
    DigitsReceived,
    Event,
    HttpFailed,
    HttpResult,
    PlayFinished,
    QueryFailed,
    QueryResult,
    RecordingFinished,
    TicketFailed,
    TicketOpened,
    TimerFired,
)
from hotline.ivr.flow import Flow
from hotline.prompts.estimate import play_seconds as estimate_play_seconds

_NO_KEYS: Mapping[str, Mapping[str, float]] = MappingProxyType({})


@dataclass(frozen=True)
class CallerBehaviour:
    """How simulated callers act in a flow.

    `keys[node]` gives the probability of each answer (a string of keys, `#` included) at the
    node that collects input; what the probabilities leave over is silence (the node's timeout
    runs). `hang_up` is the chance, at each prompt, that the caller hangs up before it ends.
    Callers think `think_seconds` on average before keying. `pace` above 1 makes prompts and
    thinking that many times shorter (tests, a brisk demo); the flow's own timeouts stay.
    """

    keys: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: _NO_KEYS)
    hang_up: float = 0.0
    think_seconds: float = 2.0
    pace: float = 1.0

    def answer(self, node: str, rng: random.Random) -> str | None:
        """The keys the caller presses at `node`, or None for silence."""
        draw = rng.random()
        for keys, probability in self.keys.get(node, {}).items():
            draw -= probability
            if draw < 0:
                return keys
        return None


class Cancel(Protocol):
    def cancel(self) -> object: ...


class IvrMedia(Protocol):
    """Real audio for a walk (the SIP gateway): plays the prompts of one batch back to back
    and calls `done` when they end; cancelling stops them without `done`. The caller's keys
    come back through `IvrCall.key`."""

    def play(self, plays: Sequence[Play], done: Callable[[], None]) -> Cancel: ...


class IvrShell(Protocol):
    """What an `IvrCall` needs from its surroundings."""

    def now(self) -> float: ...

    def later(self, delay: float, callback: Callable[[], None]) -> Cancel: ...

    def query(self, query: Query, done: Callable[[QueryResult | QueryFailed], None]) -> None: ...

    def http(self, call: HttpCall, done: Callable[[HttpResult | HttpFailed], None]) -> None: ...

    def ticket(self, request: OpenTicket, interaction_id: str, ani: str,
               done: Callable[[TicketOpened | TicketFailed], None]) -> None: ...

    def flow(self, name: str) -> Flow | None: ...

    def finished(self, event: IvrFinished | CustomerHungUp) -> None: ...


def play_seconds(play: Play) -> float:
    """An estimate of how long `play` lasts (see `hotline.prompts.estimate`)."""
    return estimate_play_seconds(play.prompts, play.language)


class IvrCall:
    """One interaction in an IVR flow, with a simulated caller."""

    def __init__(
        self,
        interaction_id: str,
        flow: Flow,
        shell: IvrShell,
        caller: CallerBehaviour,
        rng: random.Random,
        *,
        ani: str = "",
        dnis: str = "",
        timezone: str = "UTC",
        business_hours: BusinessHours | None = None,
        variables: Mapping[str, str] | None = None,
        media: IvrMedia | None = None,
    ) -> None:
        self.interaction_id = interaction_id
        self._media = media
        self._ani, self._dnis, self._timezone = ani, dnis, timezone
        self._hours = business_hours
        self.session = IvrSession(flow, ani=ani, dnis=dnis, timezone=timezone,
                                  business_hours=business_hours, variables=variables)
        self._shell = shell
        self._caller = caller
        self._rng = rng
        self._timer: Cancel | None = None
        self._pending: list[Cancel] = []
        self._playing: Cancel | None = None
        self._keying: Cancel | None = None
        self._outcome: IvrFinished | None = None
        self.caller_gone = False
        self.done = False

    def start(self) -> None:
        self._perform(self.session.start(self._shell.now()))

    def hang_up(self) -> None:
        """The caller hangs up (from outside: the demo's patience, a test)."""
        if self.caller_gone or self.done:
            return
        self.caller_gone = True
        for pending in self._pending:
            pending.cancel()
        self._pending.clear()
        self._shell.finished(CustomerHungUp(self.interaction_id))
        self._feed(CallerHungUp())

    # -- the session ----------------------------------------------------------------------------

    def _feed(self, event: Event) -> None:
        if self.done:
            return
        self._perform(self.session.handle(event, self._shell.now()))

    def key(self, digit: str) -> None:
        """The caller pressed a key (real media). A key while the session collects cuts the
        prompt short (barge-in: no `PlayFinished` for it)."""
        if self.done or self.caller_gone:
            return
        if self._playing is not None and self.session.state is SessionState.COLLECTING:
            self._cancel(self._playing)
            self._playing = None
        self._feed(DigitPressed(digit))

    def _perform(self, actions: list[Action]) -> None:
        if self._media is not None:
            plays = [action for action in actions if isinstance(action, Play)]
            if plays:
                handle = self._media.play(plays, self._play_finished)
                self._playing = handle
                self._pending.append(handle)
            self._carry_out(actions, 0.0)
            return
        # The prompts of one batch play back to back and end with one `PlayFinished`.
        playing = sum(play_seconds(a) for a in actions if isinstance(a, Play)) / self._caller.pace
        if playing or any(isinstance(a, Play) for a in actions):
            if self._caller.hang_up and self._rng.random() < self._caller.hang_up:
                self._after(self._rng.uniform(0, playing), self.hang_up)
            else:
                self._playing = self._after(playing, self._play_finished)
        self._carry_out(actions, playing)

    def _carry_out(self, actions: list[Action], playing: float) -> None:
        for action in actions:
            if isinstance(action, Play):
                continue
            if isinstance(action, Collect):
                if self._media is None:
                    self._collect(playing)
            elif isinstance(action, Query):
                self._shell.query(action, self._answered)
            elif isinstance(action, HttpCall):
                self._shell.http(action, self._answered)
            elif isinstance(action, OpenTicket):
                self._shell.ticket(action, self.interaction_id, self._ani, self._answered)
            elif isinstance(action, Record):
                seconds = min(action.max_seconds, 5.0 + self._rng.expovariate(1 / 10))
                self._after(seconds, functools.partial(
                    self._feed, RecordingFinished(f"{self.interaction_id}-message", seconds)))
            elif isinstance(action, TransferToQueue):
                self._outcome = IvrFinished(self.interaction_id, "queue", queue=action.queue,
                                            priority=action.priority,
                                            attributes=action.attributes,
                                            skills=action.skills)
            elif isinstance(action, TransferToAgent):
                self._outcome = IvrFinished(self.interaction_id, "agent", agent=action.agent,
                                            attributes=action.attributes)
            elif isinstance(action, TransferToNumber):
                self._outcome = IvrFinished(self.interaction_id, "number", number=action.number,
                                            attributes=action.attributes)
            elif isinstance(action, TransferToFlow):
                self._next_flow(action)
                return
            elif isinstance(action, Finished):
                self._finish(action)
                return
        if self._keying is not None and self.session.state is not SessionState.COLLECTING:
            self._cancel(self._keying)  # the node timed out before the caller keyed
            self._keying = None
        self._arm_timer()

    def _play_finished(self) -> None:
        if self._media is not None and self._playing in self._pending:
            self._pending.remove(self._playing)
        self._playing = None
        self._feed(PlayFinished())

    def _keys(self, keys: str) -> None:
        self._keying = None
        if self._playing is not None:
            # Keys over a prompt stop it: no `PlayFinished` for it (barge-in).
            self._cancel(self._playing)
            self._playing = None
        self._feed(DigitsReceived(keys))

    def _answered(self, event: Event) -> None:
        if not self.done:
            self._feed(event)

    def _collect(self, playing: float) -> None:
        if self.caller_gone:
            return
        if self._keying is not None:  # a re-prompt: the caller answers it afresh
            self._cancel(self._keying)
            self._keying = None
        node = self.session.visited[-1] if self.session.visited else ""
        keys = self._caller.answer(node, self._rng)
        if keys is None:
            return  # silence: the session's own timeout runs
        delay = playing + self._rng.expovariate(self._caller.pace / self._caller.think_seconds)
        self._keying = self._after(delay, functools.partial(self._keys, keys))

    def _after(self, delay: float, callback: Callable[[], None]) -> Cancel:
        def fire() -> None:
            self._pending.remove(handle)
            callback()

        handle = self._shell.later(delay, fire)
        self._pending.append(handle)
        return handle

    def _cancel(self, handle: Cancel) -> None:
        handle.cancel()
        if handle in self._pending:
            self._pending.remove(handle)

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.session.next_timer()
        if deadline is not None and not self.done:
            self._timer = self._shell.later(max(0.0, deadline - self._shell.now()),
                                            lambda: self._feed(TimerFired()))

    def _next_flow(self, action: TransferToFlow) -> None:
        flow = self._shell.flow(action.flow)
        if flow is None:
            self._finish(Finished("error", action.attributes, f"no flow {action.flow!r}"))
            return
        self.session = IvrSession(flow, ani=self._ani, dnis=self._dnis, timezone=self._timezone,
                                  business_hours=self._hours, variables=dict(action.attributes))
        self.start()

    def _finish(self, finished: Finished) -> None:
        self.done = True
        for pending in (*self._pending, *([self._timer] if self._timer else [])):
            pending.cancel()
        self._pending.clear()
        self._timer = None
        if self.caller_gone:
            return  # the server heard of it when the caller hung up
        outcome = self._outcome
        if outcome is None:
            kind = "error" if finished.result == "error" else "self_service"
            outcome = IvrFinished(self.interaction_id, kind,
                                  attributes={**finished.variables,
                                              "ivr_result": finished.result})
        self._shell.finished(outcome)
