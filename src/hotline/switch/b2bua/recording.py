"""Recording of bridged calls (T6): the caller on the left channel, the agent on the right,
written by the media engine; when it stops, its length and metadata go to the store off the
event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from hotline.switch.b2bua.directory import RecordingSink
from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.media.backend import MediaBackend

log = logging.getLogger("hotline.sip")


class CallRecorder:
    """Starts and stops the recording of each call's bridge."""

    def __init__(self, media: MediaBackend, sink: RecordingSink | None,
                 spawn: Callable[[Coroutine[Any, Any, object]], None]) -> None:
        self._media = media
        self._sink = sink
        self._spawn = spawn

    def start(self, call: SipCall) -> None:
        """Record the call's caller and agent from now (a recording already running for it
        ends first: after a transfer the new agent gets a recording of their own)."""
        if self._sink is None or call.customer is None or call.agent is None:
            return
        self.stop(call)
        try:
            path = self._sink.path_for(call.tenant, call.interaction_id)
        except (OSError, ValueError) as error:
            log.error("call %s not recorded: %s", call.interaction_id, error)
            return
        recording_id = f"rec-{call.interaction_id}"
        self._media.start_recording(recording_id, call.customer.id, call.agent.id, path)
        call.recording = (recording_id, path, datetime.now(UTC), call.agent_id)

    def stop(self, call: SipCall) -> None:
        """End the call's recording, if one runs, and file it."""
        if call.recording is None or self._sink is None:
            return
        recording_id, path, started, agent_id = call.recording
        call.recording = None
        sink, media = self._sink, self._media
        tenant, interaction_id = call.tenant, call.interaction_id

        async def finish() -> None:
            seconds = await media.stop_recording(recording_id)
            await asyncio.to_thread(sink.finished, tenant, interaction_id, agent_id, path,
                                    seconds, started)
        self._spawn(finish())
