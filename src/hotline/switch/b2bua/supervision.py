"""Supervisors on a call in service: the supervisor's registered phone (their agent's
extension, else the extension of that number) is rung and, once it answers, listens, whispers
to the agents or barges in (`hearing`). Another mode changes the mixing; none hangs the
supervisor's phone up. A supervisor's phone ending for any other reason than our hang-up is
`MonitorEnded`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from hotline.core.commands import Monitor
from hotline.core.events import Event, MonitorEnded
from hotline.switch.b2bua.directory import Directory
from hotline.switch.b2bua.hearing import mix
from hotline.switch.b2bua.leg_media import LegMedia
from hotline.switch.b2bua.placing import CallPlacer
from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.media.backend import MediaBackend
from hotline.switch.sip.legs import Leg, LegEvents

log = logging.getLogger("hotline.sip")


class Supervision:
    """Carries out `Monitor`. The gateway lends it, as callbacks: `follow` (route a leg's
    in-dialog requests to it), `tell` (an event for a tenant's core, on the next turn),
    `spawn` (a task) and `now`."""

    def __init__(self, directory: Callable[[], Directory], media: MediaBackend,
                 placer: CallPlacer, legs: LegMedia, *,
                 follow: Callable[[Leg], None],
                 tell: Callable[[str, Event], None],
                 spawn: Callable[[Coroutine[Any, Any, object]], None],
                 now: Callable[[], float]) -> None:
        self._directory = directory
        self._media = media
        self._placer = placer
        self._legs = legs
        self._follow = follow
        self._tell = tell
        self._spawn = spawn
        self._now = now

    def monitor(self, call: SipCall, command: Monitor) -> None:
        supervisor = command.supervisor
        if command.mode is None:
            found = call.monitors.pop(supervisor, None)
            if found is not None:
                found[0].hang_up(self._now())
                self._legs.close(found[0])
            mix(self._media, call)
            return
        if supervisor in call.monitors:
            call.monitors[supervisor] = (call.monitors[supervisor][0], command.mode)
            mix(self._media, call)
            return
        directory = self._directory()
        extension = (directory.extension_of_agent(call.tenant, supervisor)
                     or directory.extension_by_number(call.tenant, supervisor))
        target = self._placer.registered_target(extension)
        if target is None:
            log.info("supervisor %s has no registered phone to monitor on", supervisor)
            return
        mode = command.mode

        def answered(leg: Leg) -> None:
            self._follow(leg)
            self._legs.connect_answer(leg)
            if call.ended:
                leg.hang_up(self._now())
                return
            call.monitors[supervisor] = (leg, mode)
            mix(self._media, call)

        def ended(leg: Leg, reason: str) -> None:
            self._legs.close(leg)
            if call.monitors.get(supervisor, (None,))[0] is leg:
                del call.monitors[supervisor]
                mix(self._media, call)
                if reason != "hung_up":  # the supervisor hung up: the console should know
                    self._tell(call.tenant, MonitorEnded(call.interaction_id, supervisor))

        self._spawn(self._placer.place(target, "monitor", LegEvents(
            answered=answered, ended=ended, reoffered=self._legs.reoffered)))
