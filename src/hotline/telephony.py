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

- phones' registrations are kept in the database (`hotline.store.sip_bindings`): the
  unexpired ones are loaded before the gateway starts serving, so that a restart does not
  leave every phone unreachable until it registers again (up to an hour); each change of
  an address of record's bindings is written in a worker thread (`RegistrationKeeper`), never
  holding up a REGISTER, and a failed write is logged while the registration goes on working
  from memory.

A SIP port that is taken is reported and the process goes on serving the API without a
switch: the web pages and CTI still work, and the log says why calls cannot come in.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
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
from hotline.store.sip_bindings import StoredBinding, load_bindings, save_bindings
from hotline.store.telephony_directory import TelephonySnapshot, load_telephony
from hotline.switch.b2bua.gateway import SipGateway
from hotline.switch.ivr_services import TicketOpener
from hotline.switch.media.engine import LocalMediaEngine
from hotline.switch.sim.realtime import DemoGateway
from hotline.switch.sip.address import parse_name_address
from hotline.switch.sip.registrar import Binding, Bindings
from hotline.switch.sip.registration import ExtensionRecord
from hotline.switch.sip.syntax import SipSyntaxError
from hotline.switch.sip.uri import SipUri, parse_uri

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
        self.registrations = RegistrationKeeper(engine, self.gateway.bindings)
        self._restored: list[str] = []

    async def start(self) -> None:
        self._restored = await self.registrations.restore(self.gateway)
        await self.media.start()
        await self.gateway.start()

    async def close(self) -> None:
        await self.gateway.close()
        await self.media.close()
        await self.registrations.close()

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
        for username in self._restored:  # registered before a restart, and still
            extension = self.snapshot.extension(username)
            if extension is not None and self.gateway.registered_contacts(username):
                registered(extension)

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


class RegistrationKeeper:
    """Keeps the registrar's bindings in the database: `restore` loads them into a gateway
    that has not started yet; after that, each address of record whose bindings change
    (`Bindings.changed`) is written again, in a worker thread. Changes that come while a
    write is under way are gathered into the next one, so writes never pile up and the
    last one carries the latest state. A write that fails is logged; its AORs are written
    again with the next change."""

    def __init__(self, engine: Engine, bindings: Bindings) -> None:
        self._engine = engine
        self._bindings = bindings
        self._dirty: set[str] = set()
        self._writing: asyncio.Task[None] | None = None
        bindings.changed = self.changed

    async def restore(self, gateway: SipGateway) -> list[str]:
        """Load the unexpired bindings (dropping the expired rows) into `gateway`; the
        usernames of the extensions that have some. Nothing (logged) when they cannot be
        read: phones are then reachable again once they register."""
        try:
            stored = await asyncio.to_thread(
                load_bindings, self._engine, datetime.fromtimestamp(time.time(), UTC))
        except Exception:
            log.exception("SIP registrations could not be loaded from the database; phones "
                          "are reachable again as they register")
            return []
        registrations = []
        for row in stored:
            try:
                registrations.append((row.username, _binding(row)))
            except (SipSyntaxError, ValueError) as error:
                log.warning("stored SIP binding of %s to %r skipped: %s", row.aor,
                            row.contact, error)
        restored = gateway.restore_registrations(registrations, time.time())
        if restored:
            log.info("%d SIP registration(s) restored from the database", restored)
        return sorted({username for username, _ in registrations})

    def changed(self, aor: str) -> None:
        """An AOR's bindings changed: write them (soon, in a worker thread)."""
        self._dirty.add(aor)
        if self._writing is None or self._writing.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not on the switch's loop: written with the next change
                return
            self._writing = loop.create_task(self._write())

    async def close(self) -> None:
        """Wait (a little) for the writes under way and those asked for."""
        if self._writing is not None and not self._writing.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._writing), 5)
            except TimeoutError:
                log.warning("SIP registrations still being written at shutdown")

    async def _write(self) -> None:
        while self._dirty:
            aors, self._dirty = self._dirty, set()
            now, wall = asyncio.get_running_loop().time(), time.time()
            changes: dict[str, list[StoredBinding]] = {}
            for aor in aors:
                username = _username(aor)
                if username is not None:
                    changes[aor] = [_stored(username, binding)
                                    for binding in self._bindings.export(aor, now, wall)]
            try:
                await asyncio.to_thread(save_bindings, self._engine, changes,
                                        datetime.fromtimestamp(wall, UTC))
            except Exception:
                log.exception("SIP registrations of %s could not be saved; they go on "
                              "working from memory", ", ".join(sorted(aors)))
                self._dirty |= aors
                return


def _username(aor: str) -> str | None:
    """The extension's username an AOR is filed under: its user part. (The doorman looks an
    extension up by the To URI's user, and usernames are made of characters that are never
    escaped, so the AOR's canonical form spells it exactly.)"""
    try:
        uri = parse_uri(aor)
    except SipSyntaxError:
        return None
    return uri.user if isinstance(uri, SipUri) else None


def _stored(username: str, binding: Binding) -> StoredBinding:
    """A binding with wall-clock times (`Bindings.export`), as the store keeps it."""
    source = binding.source
    return StoredBinding(
        username=username, aor=binding.aor, contact=str(binding.contact),
        expires_at=datetime.fromtimestamp(binding.expires_at, UTC),
        registered_at=datetime.fromtimestamp(binding.registered_at, UTC),
        call_id=binding.call_id, cseq=binding.cseq, q=binding.q,
        source_host=source[0] if source is not None else None,
        source_port=source[1] if source is not None else None, transport=binding.transport)


def _binding(stored: StoredBinding) -> Binding:
    """A stored binding back, times on the wall clock (for `Bindings.restore`)."""
    source = (None if stored.source_host is None or stored.source_port is None
              else (stored.source_host, stored.source_port))
    return Binding(stored.aor, parse_name_address(stored.contact),
                   stored.expires_at.timestamp(), stored.call_id, stored.cseq, stored.q,
                   stored.registered_at.timestamp(), source, stored.transport)


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
