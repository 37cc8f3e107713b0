"""The embedded switch in `hotline serve`: SIP on one port, media in this process.

`start_switch` makes the pieces and ties them to the rest of the process:
- the telephony configuration (extensions, trunks, DIDs) is read into a snapshot at start and
  read again, in a worker thread, after every change made through the API
  (`app.state.telephony_listeners`);
- IVR prompts are rendered from each tenant's catalogue, one renderer per tenant and language,
  made when a call first needs it and kept until the tenant's prompts change through the API
  (`app.state.prompt_listeners`): the next call then loads the catalogue again;
- IVR tickets go to the store as the demo's do;
- with the demo, agents whose phones ring are real people: an extension that registers takes
  its agent over from the demo's simulation (as a CTI login does), and the demo leaves the
  caller's side of SIP calls to the SIP gateway.

A SIP port that is taken is reported and the process goes on serving the API without a
switch: the web pages and CTI still work, and the log says why calls cannot come in.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hotline.ivr.actions import OpenTicket
from hotline.ivr.events import TicketFailed, TicketOpened
from hotline.prompts.catalogue import Catalogue, load_catalogue
from hotline.prompts.renderer import PromptRenderer
from hotline.prompts.sounds import CoreSounds
from hotline.prompts.speech import TextToSpeech
from hotline.runtime import Runtime
from hotline.store.accounts import tenant_named
from hotline.store.ivr_tickets import open_ivr_ticket
from hotline.store.recordings import RecordingArchive
from hotline.store.telephony_directory import TelephonySnapshot, load_telephony
from hotline.switch.b2bua.gateway import SipGateway
from hotline.switch.ivr_services import TicketOpener
from hotline.switch.media.engine import LocalMediaEngine
from hotline.switch.sim.realtime import DemoGateway
from hotline.switch.sip.registration import ExtensionRecord

log = logging.getLogger("hotline.sip")


@dataclass(frozen=True)
class SwitchOptions:
    host: str = "127.0.0.1"
    sip_port: int = 5060
    rtp_ports: range = range(20000, 30000)
    digest_algorithms: tuple[str, ...] = ("MD5",)
    recordings_root: Path | None = Path("var/recordings")
    """Where every bridged call is recorded (None: not recorded)."""


class Switch:
    """The running switch: its gateway, media engine and configuration snapshot."""

    def __init__(self, engine: Engine, runtime: Runtime, options: SwitchOptions) -> None:
        self._engine = engine
        self._sessions: sessionmaker[Session] = sessionmaker(engine)
        self.snapshot: TelephonySnapshot = load_telephony(engine)
        self.media = LocalMediaEngine(options.host, options.rtp_ports)
        self._renderers: dict[tuple[str, str], PromptRenderer] = {}
        # Shared by every renderer, so that dropping a tenant's renderers keeps what these
        # hold (the loaded core sounds, espeak-ng's version).
        self._tts = TextToSpeech()
        self._sounds = CoreSounds()
        self.gateway = SipGateway(
            runtime, self.media, lambda: self.snapshot, host=options.host,
            port=options.sip_port, renderer=self.renderer, tickets=self._tickets,
            digest_algorithms=options.digest_algorithms,
            recordings=(RecordingArchive(engine, options.recordings_root)
                        if options.recordings_root is not None else None))
        self._reloading: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.media.start()
        await self.gateway.start()

    async def close(self) -> None:
        await self.gateway.close()
        await self.media.close()

    def reload(self) -> None:
        """Read the telephony configuration again (after an API change)."""
        self._reloading = asyncio.get_running_loop().create_task(self._reload())

    async def _reload(self) -> None:
        try:
            self.snapshot = await asyncio.to_thread(load_telephony, self._engine)
        except Exception:
            log.exception("telephony configuration could not be reloaded; keeping the old")

    def play_demo_agents(self, demo: DemoGateway) -> None:
        """With the demo: SIP calls' callers are ours, and a registering phone's agent is a
        person from then on."""
        demo.claimed = self.gateway.owns
        tenant = demo.runtime.name

        def registered(extension: ExtensionRecord) -> None:
            if extension.tenant == tenant and extension.agent_id is not None:
                demo.take_over(extension.agent_id)

        self.gateway.on_registered.append(registered)

    def renderer(self, tenant: str, language: str) -> PromptRenderer:
        """What a call to `tenant` whose flow's default language is `language` plays its
        prompts with: made from the tenant's catalogue on first use, kept until the tenant's
        prompts change (`prompts_changed`)."""
        key = (tenant, language)
        renderer = self._renderers.get(key)
        if renderer is None:
            with self._sessions() as session:
                row = tenant_named(session, tenant)
                catalogue = load_catalogue(session, row.id) if row is not None else None
            if catalogue is None:
                catalogue = Catalogue()
            renderer = self._renderers[key] = PromptRenderer(
                catalogue, default_language=language, tts=self._tts, sounds=self._sounds)
        return renderer

    def prompts_changed(self, tenant: str) -> None:
        """Forget `tenant`'s renderers (after a committed change to its prompts), so that its
        next call loads the catalogue again. Calls already playing keep the renderer they
        have. Runs on the event loop, as `renderer` does, so a catalogue being loaded cannot
        be kept over the change."""
        for key in [key for key in self._renderers if key[0] == tenant]:
            del self._renderers[key]

    def _tickets(self, tenant: str) -> TicketOpener:
        return functools.partial(_open_ticket, self._sessions, tenant)


def _open_ticket(sessions: sessionmaker[Session], tenant: str, request: OpenTicket,
                 interaction_id: str, ani: str) -> TicketOpened | TicketFailed:
    return open_ivr_ticket(sessions, tenant, request, interaction_id, ani, datetime.now(UTC))


async def start_switch(engine: Engine, runtime: Runtime, options: SwitchOptions) -> Switch | None:
    """The switch, started; None (logged) when its SIP port cannot be bound."""
    switch = Switch(engine, runtime, options)
    try:
        await switch.start()
    except OSError as error:
        log.error("SIP is off: port %s on %s cannot be bound (%s); the API goes on serving",
                  options.sip_port, options.host, error)
        await switch.media.close()
        return None
    return switch
