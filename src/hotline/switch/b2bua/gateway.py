"""The SIP gateway: a back-to-back user agent that carries out the core's commands on real
calls, and turns what phones and trunks do into the core's events.

One `SipGateway` serves every tenant of the process on one SIP port:

- **Phones register** with digest authentication (`sip.registration.Doorman`); their
  bindings are kept in memory (`sip.registrar.Bindings`) by extension, and in the store by
  the switch (`telephony.RegistrationKeeper`) so that a restart keeps them.
- **A call comes in** from a trunk (recognised by its source address) or from an
  authenticated phone, to a DID the directory maps to a tenant. It is answered at once with
  our SDP (the caller may be about to hear an IVR or music), and `InteractionArrived` goes to
  the tenant's interaction server with the caller's number (ANI), the DID (DNIS) and the
  trunk. Anything else a trunk sends gets 404.
- **A phone dials** (`phone_dialling.phone_destination` decides what): a DID comes in as
  above; another extension of its tenant is an internal call (`internal_calls`: its phones
  ring and are bridged, outside the core, which knows no calls between extensions); an
  outside number its dial class allows is the agent's outbound call, exactly as the
  desktop's dial (`AgentDialed`; the `Dial` that follows only places the far end, the
  phone's INVITE being the agent's leg); anything else is refused with the reason.
- **The core's commands** act on the call: `RunFlow` walks the IVR with real prompts and
  RFC 4733 keys (`switch.ivr_call.IvrCall` with `LegPrompts`); `PlayQueueMusic` loops music
  on hold; `Offer` rings the agent's registered phone (an INVITE to its binding);
  `CancelOffer` cancels it; `Connect` bridges the caller and the agent; `Hold` / `Retrieve`
  swap the bridge for music and back; `Transfer` releases the agent's leg and keeps the
  caller for the new interaction; `SendDigits` sends RFC 4733 events; `Hangup` and `Reject`
  end every leg.
- **What phones do** comes back as events: the agent's phone answering is `AgentAnswered`, a
  busy or refusing phone `AgentDeclined`, a BYE from the caller `CustomerHungUp` and from the
  agent `AgentHungUp`.

The gateway files the calls (`sip_call.SipCall`), routes SIP requests to their legs and
dispatches the core's commands; collaborators it owns, each given what it uses of the
gateway explicitly, do the rest:

- `trunk_calls.TrunkCalls`: calls through a trunk, `Dial` (click-to-dial, or dialled from
  the agent's phone) and `TransferOut`;
- `internal_calls.InternalCalls`: a phone calling another extension;
- `consultation.Consultations`: `Consult`, then `Conference` or `CompleteTransfer`;
- `supervision.Supervision`: `Monitor` (listen, whisper, barge);
- `placing.CallPlacer`: where a registered phone is reached, and placing outbound legs;
- `leg_media.LegMedia`: a leg's negotiated SDP given to the media engine, re-INVITEs;
- `recording.CallRecorder`: recording bridged calls.

Helpers without state: `addressing` (targets of the calls placed), `hearing` (who hears whom
in the mixer), `phone_transfer` (a REFER from an agent's phone), `music` (music on hold and
ring-back), `prompts` (IVR prompts on a leg); `directory` declares what the gateway reads of
the telephony configuration.

Re-entrancy: the runtime calls `carry_out` inside its own `handle`, and legs report events
while the endpoint is still processing a message; both are therefore deferred to the next
turn of the loop (`call_soon`), as the demo gateway does.

Agents without a registered phone get offers they cannot answer: the core's ring timeout
(RONA) takes the call back. In the demo, such agents are played by the demo gateway, which
the SIP gateway leaves them to (`claims`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine

from hotline.core.commands import (
    CancelOffer,
    Command,
    CompleteTransfer,
    Conference,
    Connect,
    Consult,
    Dial,
    Hangup,
    Hold,
    Monitor,
    Offer,
    PlayQueueMusic,
    Reject,
    Retrieve,
    RunFlow,
    SendDigits,
    Transfer,
    TransferOut,
)
from hotline.core.errors import CoreError
from hotline.core.events import (
    AgentAnswered,
    AgentDeclined,
    AgentHungUp,
    CustomerHungUp,
    Event,
    InteractionArrived,
    IvrFinished,
)
from hotline.prompts.renderer import PromptRenderer
from hotline.runtime import Runtime, TenantRuntime
from hotline.switch.b2bua.consultation import Consultations
from hotline.switch.b2bua.directory import Directory, RecordingSink
from hotline.switch.b2bua.internal_calls import InternalCalls
from hotline.switch.b2bua.leg_media import LegMedia
from hotline.switch.b2bua.music import music_on_hold
from hotline.switch.b2bua.phone_dialling import (
    Refused,
    ToExtension,
    ToOutside,
    phone_destination,
)
from hotline.switch.b2bua.phone_transfer import phone_transfer_event
from hotline.switch.b2bua.placing import CallPlacer
from hotline.switch.b2bua.prompts import LegPrompts
from hotline.switch.b2bua.recording import CallRecorder
from hotline.switch.b2bua.sip_call import SipCall
from hotline.switch.b2bua.supervision import Supervision
from hotline.switch.b2bua.trunk_calls import TrunkCalls
from hotline.switch.ivr_call import CallerBehaviour, IvrCall
from hotline.switch.ivr_services import LoopIvrShell, TicketOpener
from hotline.switch.media.backend import MediaBackend
from hotline.switch.media.sdp import LocalMedia, SdpError, answer
from hotline.switch.sip.address import NameAddress
from hotline.switch.sip.dialog import DialogId, dialog_id_of
from hotline.switch.sip.endpoint import Endpoint, Peer
from hotline.switch.sip.info_dtmf import info_key
from hotline.switch.sip.legs import ALLOW, InboundLeg, Leg, LegEvents, OutboundLeg
from hotline.switch.sip.message import Request, Response, make_response
from hotline.switch.sip.registrar import Binding, Bindings, Registrar
from hotline.switch.sip.registration import Doorman, ExtensionRecord
from hotline.switch.sip.server_transaction import InviteServerTransaction, ServerTransaction
from hotline.switch.sip.status import reason_because
from hotline.switch.sip.syntax import SipSyntaxError
from hotline.switch.sip.transport import SipTransport
from hotline.switch.sip.uri import SipUri

log = logging.getLogger("hotline.sip")


class SipGateway:
    """Every tenant's calls over SIP, on one endpoint."""

    def __init__(
        self,
        runtime: Runtime,
        media: MediaBackend,
        directory: Callable[[], Directory],
        *,
        host: str = "127.0.0.1",
        port: int = 5060,
        renderer: Callable[[str, str], PromptRenderer] | None = None,
        databases: Mapping[str, Mapping[str, Engine]] | None = None,
        tickets: Callable[[str], TicketOpener | None] | None = None,
        digest_algorithms: tuple[str, ...] = ("MD5",),
        recordings: RecordingSink | None = None,
    ) -> None:
        self.runtime = runtime
        self.media = media
        self._directory = directory
        self.host = host
        self.bindings = Bindings()
        self.doorman = Doorman(self._extension, Registrar(self.bindings),
                               algorithms=digest_algorithms)
        self.doorman.registered = self._registered
        self.endpoint = Endpoint(Peer(host, port), self, screen=self._screen)
        self.transport = SipTransport(self.endpoint)
        self._renderer = renderer
        self._tickets = tickets
        self._databases = databases or {}
        self.calls: dict[str, SipCall] = {}
        self._by_dialog: dict[DialogId, Leg] = {}
        self._by_invite: dict[int, InboundLeg] = {}
        self._aor_of: dict[str, str] = {}
        self._shells: dict[str, _IvrShell] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self._music = music_on_hold()
        self._recorder = CallRecorder(media, recordings, self._spawn)
        self._legs = LegMedia(media, host)
        self._placer = CallPlacer(self.endpoint, self.transport, media, self.bindings,
                                  self._aor_of, host)
        self._trunk_calls = TrunkCalls(
            directory, media, self._placer, self._legs, self.calls, follow=self._follow,
            tell=self._tell, soon=self._soon, spawn=self._spawn, end_call=self._end_call,
            release_agent=self._release_agent, now=self._now)
        self._internal = InternalCalls(
            media, self._placer, self._legs, follow=self._follow, unfollow=self._unfollow,
            soon=self._soon, spawn=self._spawn, now=self._now)
        self._consultations = Consultations(
            media, self._legs, self._recorder, self.calls, follow=self._follow,
            forget=self._forget, agent_events=self._agent_events,
            release_agent=self._release_agent, now=self._now)
        self._supervision = Supervision(
            directory, media, self._placer, self._legs, follow=self._follow, tell=self._tell,
            spawn=self._spawn, now=self._now)
        self.on_registered: list[Callable[[ExtensionRecord], None]] = []
        """Called after each accepted REGISTER with the extension."""

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.transport.start()
        for tenant in self.runtime.tenants.values():
            tenant.add_gateway(_TenantCommands(self, tenant.name))

    async def close(self) -> None:
        for call in list(self.calls.values()):
            self._end_call(call)
        self._internal.close()
        self.transport.poke()
        await asyncio.sleep(0)
        await self.transport.close()
        for task in list(self._tasks):
            task.cancel()

    @property
    def port(self) -> int:
        return self.endpoint.local.port

    def owns(self, interaction_id: str) -> bool:
        """Whether the interaction's caller is on a SIP leg of this gateway."""
        call = self.calls.get(interaction_id)
        return call is not None and call.customer is not None

    def registered_contacts(self, username: str) -> int:
        aor = self._aor_of.get(username)
        return 0 if aor is None else len(self.bindings.lookup(aor, self._now()))

    def restore_registrations(self, registrations: Iterable[tuple[str, Binding]],
                              wall_now: float) -> int:
        """Take back phones' bindings kept from an earlier run, each with the username of its
        extension: as `Bindings.export` gave them, times on the wall clock, `wall_now` being
        the wall clock's reading now. Meant for before `start` (a REGISTER coming in after
        replaces them as usual); expired ones are skipped. Returns how many were restored."""
        registrations = list(registrations)
        now = asyncio.get_running_loop().time()  # the transport's clock (`SipTransport.now`)
        restored = self.bindings.restore((b for _, b in registrations), now, wall_now)
        latest: dict[str, Binding] = {}
        for username, binding in registrations:
            known = latest.get(username)
            if binding.expires_at > wall_now and (
                    known is None or binding.registered_at >= known.registered_at):
                latest[username] = binding
        for username, binding in latest.items():
            self._aor_of[username] = binding.aor
        return restored

    # -- the endpoint's user --------------------------------------------------------------------

    def request_received(self, request: Request, transaction: ServerTransaction, source: Peer,
                         now: float) -> None:
        key = dialog_id_of(request)
        if key is not None:
            leg = self._by_dialog.get(key)
            if leg is None:
                self.endpoint.respond(transaction, make_response(request, 481), now)
            else:
                leg.in_dialog(request, transaction, now)
            return
        if request.method == "REGISTER":
            self.endpoint.respond(
                transaction, self.doorman.register(request, (source.host, source.port), now,
                                                   transport=source.transport), now)
        elif request.method == "INVITE":
            assert isinstance(transaction, InviteServerTransaction)
            self._incoming_call(request, transaction, source, now)
        elif request.method == "OPTIONS":
            allow = [("Allow", f"{ALLOW}, REGISTER"),
                     ("Accept", "application/sdp")]
            self.endpoint.respond(transaction, make_response(request, 200, headers=allow), now)
        else:
            self.endpoint.respond(transaction, make_response(request, 405), now)

    def ack_received(self, ack: Request, source: Peer, now: float) -> None:
        """The ACK for our 2xx: the endpoint stopped resending it; nothing more to do."""

    def invite_cancelled(self, transaction: InviteServerTransaction, now: float) -> None:
        leg = self._by_invite.pop(id(transaction), None)
        if leg is not None:
            leg.cancelled()

    def answer_timed_out(self, dialog: DialogId, now: float) -> None:
        leg = self._by_dialog.get(dialog)
        if leg is not None:
            leg.hang_up(now)

    def _screen(self, request: Request, source: Peer, now: float) -> bool:
        if self._directory().trunk_for_source(source.host) is not None:
            return True
        refused = self.doorman.screen(request, source.host, now)
        if refused is None:
            return True
        if refused.response is not None:
            self.endpoint.send_response_statelessly(request, refused.response, source)
        log.info("SIP request from %s refused: %s", source.host, refused.reason)
        return False

    # -- calls coming in --------------------------------------------------------------------------

    def _incoming_call(self, request: Request, transaction: InviteServerTransaction,
                       source: Peer, now: float) -> None:
        directory = self._directory()
        trunk = directory.trunk_for_source(source.host)
        if trunk is not None and self._from_registered_phone(request, source):
            trunk = None  # a phone on a trunk's host (a PBX's, a test's) is still a phone
        uri = request.uri
        dialled = (uri.user or "") if isinstance(uri, SipUri) else ""
        if trunk is None:
            caller = self.doorman.authenticate_invite(request, source.host, now)
            if isinstance(caller, Response):
                self.endpoint.respond(transaction, caller, now)
                return
            if self._phone_dialled(request, transaction, source, caller, dialled, now):
                return
        did = directory.did(dialled)
        if did is None:
            self.endpoint.respond(transaction, make_response(
                request, 404, f"Not Found (no DID {dialled[:20]!r})",
                to_tag=self.endpoint.local_tag(transaction)), now)
            return
        runtime = self.runtime.get(did.tenant)
        if runtime is None:
            self.endpoint.respond(transaction, make_response(
                request, 503, "Service Unavailable (tenant not running)",
                to_tag=self.endpoint.local_tag(transaction)), now)
            return
        interaction_id = f"sip-{secrets.token_hex(8)}"
        leg = InboundLeg(self.endpoint, transaction, source, LegEvents())
        if leg.remote_sdp is None:
            leg.reject(488, now, "Not Acceptable Here (an SDP offer is required)")
            return
        self._by_invite[id(transaction)] = leg
        call = SipCall(interaction_id, did.tenant, leg)
        leg.events = self._customer_events(call)
        self.calls[interaction_id] = call
        attributes = {"trunk": trunk.name} if trunk is not None else {}
        event = InteractionArrived(interaction_id, ani=leg.caller, dnis=dialled,
                                   attributes=attributes)
        self._spawn(self._answer_and_arrive(call, leg, runtime, event))

    def _from_registered_phone(self, request: Request, source: Peer) -> bool:
        """Whether the request comes, in its From user's name, from the very address (host
        and port) that extension's phone registered from."""
        try:
            sender = request.headers.from_address()
        except SipSyntaxError:
            return False
        uri = sender.uri if sender is not None else None
        aor = self._aor_of.get(uri.user or "") if isinstance(uri, SipUri) else None
        if aor is None:
            return False
        return any(binding.source == (source.host, source.port)
                   for binding in self.bindings.lookup(aor, self._now()))

    def _phone_dialled(self, request: Request, transaction: InviteServerTransaction,
                       source: Peer, caller: ExtensionRecord, dialled: str,
                       now: float) -> bool:
        """A phone's call to an extension or an outside number, or refused: handled here
        (True); a call to a DID is left to come in as a trunk's would (False)."""
        destination = phone_destination(self._directory(), caller, dialled)
        if isinstance(destination, Refused):
            log.info("call from extension %s to %r refused: %s", caller.number, dialled[:20],
                     destination.reason)
            self.endpoint.respond(transaction, make_response(
                request, destination.status, reason_because(destination.status, destination.reason),
                to_tag=self.endpoint.local_tag(transaction)), now)
            return True
        if not isinstance(destination, ToExtension | ToOutside):
            return False
        runtime = self.runtime.get(caller.tenant)
        if runtime is None:
            self.endpoint.respond(transaction, make_response(
                request, 503, "Service Unavailable (tenant not running)",
                to_tag=self.endpoint.local_tag(transaction)), now)
            return True
        leg = InboundLeg(self.endpoint, transaction, source, LegEvents())
        if leg.remote_sdp is None:
            leg.reject(488, now, "Not Acceptable Here (an SDP offer is required)")
            return True
        self._by_invite[id(transaction)] = leg
        if isinstance(destination, ToExtension):
            self._internal.call(leg, destination.extension, caller.tenant)
        else:
            self._spawn(self._trunk_calls.dial_from_phone(
                leg, runtime, destination.agent_id, destination.number))
        return True

    async def _answer_and_arrive(self, call: SipCall, leg: InboundLeg, runtime: TenantRuntime,
                                 event: InteractionArrived) -> None:
        host, port = await self.media.open_leg(leg.id)
        if leg.ended:
            self.media.close_leg(leg.id)
            return
        assert leg.remote_sdp is not None
        try:
            reply = answer(leg.remote_sdp, LocalMedia(host, port))
        except SdpError as error:
            log.info("call %s refused: %s", call.interaction_id, error)
            reply = None
        if reply is None or reply.stream is None:
            leg.reject(488, self._now(), "Not Acceptable Here (no common codec)")
            self._forget(call)
            self.transport.poke()
            return
        self._by_invite.pop(id(leg.transaction), None)
        leg.answer(reply.sdp, self._now())
        self._legs.connect(leg, reply.stream)
        self._follow(leg)
        self.transport.poke()
        event = await runtime.identified(event)
        if call.ended:
            return
        try:
            runtime.handle(event)
        except CoreError as error:
            log.warning("SIP call %s refused by the core: %s", call.interaction_id, error)
            self._end_call(call)

    def _customer_events(self, call: SipCall) -> LegEvents:
        def ended(leg: Leg, reason: str) -> None:
            if call.ended:
                return
            if call.ivr is not None and not call.ivr.done:
                self._soon(call.ivr.hang_up)
            else:
                self._tell(call.tenant, CustomerHungUp(call.interaction_id))
            self._soon(lambda: self._end_call(call))

        def info(leg: Leg, request: Request) -> None:
            # A key in an INFO (phones that do not send RFC 4733): the IVR takes it while it
            # runs; afterwards it goes on to the agent as an RFC 4733 event.
            key = info_key(request.headers.get("Content-Type"), request.body)
            if key is None:
                return
            ivr = call.ivr
            if ivr is not None and not ivr.done:
                self._soon(lambda: ivr.key(key))
            elif call.agent is not None:
                self.media.send_digits(call.agent.id, key)

        return LegEvents(ended=ended, reoffered=self._legs.reoffered, info=info)

    # -- the core's commands ----------------------------------------------------------------------

    def carry_out(self, tenant: str, commands: Sequence[Command]) -> None:
        mine = [c for c in commands
                if c.interaction_id in self.calls or isinstance(c, Offer | Consult | Dial)]
        if mine and self._loop is not None:
            self._loop.call_soon(self._execute, tenant, mine)

    def _execute(self, tenant: str, commands: Sequence[Command]) -> None:
        for command in commands:
            try:
                self._command(tenant, command)
            except Exception:
                log.exception("SIP gateway could not carry out %r", command)
        self.transport.poke()

    def _command(self, tenant: str, command: Command) -> None:
        if isinstance(command, Offer):
            self._offer(tenant, command)
            return
        if isinstance(command, Consult):
            self._consultations.begin(tenant, command)
            return
        if isinstance(command, Dial):
            self._trunk_calls.dial(tenant, command)
            return
        call = self.calls.get(command.interaction_id)
        if call is None:
            return
        if call.customer is None:
            self._agent_only(call, command)
            return
        customer = call.customer.id
        match command:
            case RunFlow():
                self._run_flow(call, command)
            case PlayQueueMusic():
                self.media.hear(customer, ())
                self.media.play(customer, self._music, loop=True)
            case CancelOffer(agent_id=agent_id):
                self._cancel_offer(call, agent_id)
            case Connect(agent_id=agent_id):
                self._connect(call, agent_id)
            case Hold():
                if call.agent is not None:
                    self.media.hear(call.agent.id, ())
                self.media.hear(customer, ())
                self.media.play(customer, self._music, loop=True)
            case Retrieve():
                self.media.stop_play(customer)
                if call.agent is not None:
                    self.media.bridge(customer, call.agent.id)
            case Transfer(new_interaction_id=new_id):
                self._release_agent(call)
                del self.calls[call.interaction_id]
                call.interaction_id = new_id
                self.calls[new_id] = call
            case SendDigits(digits=digits):
                self.media.send_digits(customer, digits)
            case Hangup() | Reject():
                self._end_call(call)
            case CompleteTransfer():
                self._consultations.complete_transfer(call, command)
            case Conference(agents=agents):
                self._consultations.conference(call, agents)
            case Monitor():
                self._supervision.monitor(call, command)
            case TransferOut(number=number):
                self._trunk_calls.transfer_out(call, number)
            case _:
                log.info("SIP gateway does not carry out %s yet", type(command).__name__)

    def _agent_only(self, call: SipCall, command: Command) -> None:
        """A caller the demo plays, offered to a real phone: only the agent's side is ours."""
        match command:
            case CancelOffer(agent_id=agent_id):
                self._cancel_offer(call, agent_id)
            case Connect(agent_id=agent_id):
                call.agent = self._answered_fork(call, agent_id)
                call.agent_id = agent_id
                first = (self._consultations.leg_of_agent(call.first_agent)
                         if call.first_agent is not None else None)
                if call.agent is not None and first is not None:
                    self.media.bridge(first.id, call.agent.id)
                elif call.agent is not None:
                    self.media.play(call.agent.id, self._music, loop=True)
            case Hangup() | Transfer():
                self._end_call(call)

    def _run_flow(self, call: SipCall, command: RunFlow) -> None:
        runtime = self.runtime.get(call.tenant)
        assert runtime is not None and call.customer is not None
        flow = runtime.flows.get(command.flow)
        details = runtime.server.interaction_details(call.interaction_id)
        if flow is None or details is None or self._renderer is None:
            log.error("tenant %s: no IVR flow %r to run; the call goes on as an error",
                      call.tenant, command.flow)
            self._tell(call.tenant, IvrFinished(call.interaction_id, "error"))
            return
        tenant = runtime.tenant
        prompts = LegPrompts(self.media, call.customer.id,
                             self._renderer(call.tenant, flow.languages[0]))
        ivr = IvrCall(call.interaction_id, flow, self._shell(runtime), CallerBehaviour(),
                      random.Random(), ani=details.ani, dnis=details.dnis,
                      timezone=tenant.timezone, business_hours=tenant.business_hours,
                      variables=details.attributes, media=prompts)
        call.ivr = ivr
        self.media.on_digit(call.customer.id, ivr.key)
        ivr.start()

    def _shell(self, runtime: TenantRuntime) -> _IvrShell:
        shell = self._shells.get(runtime.name)
        if shell is None:
            opener = self._tickets(runtime.name) if self._tickets is not None else None
            shell = self._shells[runtime.name] = _IvrShell(self, runtime, opener)
        return shell

    def _ivr_finished(self, runtime: TenantRuntime, event: IvrFinished | CustomerHungUp) -> None:
        call = self.calls.get(event.interaction_id)
        if call is not None and call.customer is not None and not call.ended:
            self.media.on_digit(call.customer.id, None)
            if isinstance(event, IvrFinished):
                self.media.stop_play(call.customer.id)
        try:
            runtime.handle(event)
        except CoreError as error:
            log.error("IVR outcome refused, the call is ended: %s", error)
            with contextlib.suppress(CoreError):
                runtime.handle(IvrFinished(event.interaction_id, "error"))

    # -- agents' phones ---------------------------------------------------------------------------

    def _offer(self, tenant: str, command: Offer) -> None:
        """Ring the agent: every registered contact of their extension at once (a desk
        phone and a softphone, say); the first to answer takes the call and the others are
        cancelled. The agent declines only when every contact has refused."""
        extension = self._directory().extension_of_agent(tenant, command.agent_id)
        targets = self._placer.registered_targets(extension)
        if not targets:
            # No phone configured (the demo plays the agent) or not registered: the core's
            # ring timeout (RONA) takes the call back.
            return
        call = self.calls.get(command.interaction_id)
        if call is None:  # a caller not on SIP (the demo's) rings a real phone
            call = self.calls[command.interaction_id] = SipCall(
                command.interaction_id, tenant, None)
        if command.agent_id in call.ringing:
            return
        caller = call.customer.caller if isinstance(call.customer, InboundLeg) else ""
        call.ringing[command.agent_id] = []
        for target in targets:
            self._spawn(self._placer.place(target, caller or "anonymous",
                                           self._agent_events(call, command.agent_id),
                                           ringing=(call, command.agent_id)))

    def _cancel_offer(self, call: SipCall, agent_id: str) -> None:
        for leg in call.ringing.pop(agent_id, []):
            leg.cancel(self._now())
            self._legs.close(leg)

    @staticmethod
    def _answered_fork(call: SipCall, agent_id: str) -> OutboundLeg | None:
        """The agent's leg that answered (the others were cancelled when it did); None when
        the agent has no phone on this call (the demo plays them)."""
        legs = call.ringing.pop(agent_id, [])
        return next((leg for leg in legs if not leg.ended), None)

    def _agent_events(self, call: SipCall, agent_id: str) -> LegEvents:
        def answered(leg: Leg) -> None:
            forks = call.ringing.get(agent_id, [])
            if leg not in forks:  # a second contact answered too late, or the offer is gone
                leg.hang_up(self._now())
                return
            self._follow(leg)
            self._legs.connect_answer(leg)
            call.ringing[agent_id] = [leg]
            for other in forks:
                if other is not leg:
                    other.cancel(self._now())
            self._tell(call.tenant, AgentAnswered(call.interaction_id, agent_id))

        def ended(leg: Leg, reason: str) -> None:
            self._legs.close(leg)
            forks = call.ringing.get(agent_id, [])
            if leg in forks:
                forks.remove(leg)
                if not forks:
                    del call.ringing[agent_id]
                    if reason != "hung_up":
                        self._tell(call.tenant, AgentDeclined(call.interaction_id, agent_id))
            elif call.agent is leg and reason != "hung_up":
                call.agent = None
                self._tell(call.tenant, AgentHungUp(call.interaction_id, agent_id))
            elif call.guests.get(agent_id) is leg and reason != "hung_up":
                del call.guests[agent_id]
                self._tell(call.tenant, AgentHungUp(call.interaction_id, agent_id))

        def referred(leg: Leg, target: NameAddress) -> str | None:
            if call.agent is not leg:
                return "the call is not (or not yet) connected to this phone"
            runtime = self.runtime.get(call.tenant)
            if runtime is None:
                return "the tenant is not running"
            event = phone_transfer_event(runtime.tenant, self._directory(),
                                         call.interaction_id, agent_id, target)
            if isinstance(event, str):
                return event
            try:
                runtime.handle(event)
            except CoreError as error:
                return str(error)
            return None

        def info(leg: Leg, request: Request) -> None:
            # The agent keys into the call (an outside IVR, say) from a phone that sends INFO.
            key = info_key(request.headers.get("Content-Type"), request.body)
            if key is not None and call.agent is leg and call.customer is not None:
                self.media.send_digits(call.customer.id, key)

        return LegEvents(answered=answered, ended=ended, reoffered=self._legs.reoffered,
                         referred=referred, info=info)

    def _connect(self, call: SipCall, agent_id: str) -> None:
        leg = self._answered_fork(call, agent_id)
        call.agent_id = agent_id
        assert call.customer is not None
        customer = call.customer.id
        self.media.stop_play(customer)
        if leg is None:
            if call.agent is not None:  # a call the agent placed: their leg is there already
                self.media.bridge(customer, call.agent.id)
                self._recorder.start(call)  # T6: outbound calls are recorded too
            else:
                self.media.hear(customer, ())  # an agent the demo plays: silence
            return
        call.agent = leg
        self.media.bridge(customer, leg.id)
        self._recorder.start(call)

    def _release_agent(self, call: SipCall) -> None:
        self._recorder.stop(call)
        leg, call.agent = call.agent, None
        if leg is not None:
            leg.hang_up(self._now())
        call.agent_id = None

    # -- ending -------------------------------------------------------------------------------

    def _end_call(self, call: SipCall) -> None:
        if call.ended:
            return
        call.ended = True
        self._recorder.stop(call)
        now = self._now()
        if call.ivr is not None and not call.ivr.done:
            call.ivr.done = True
        monitors = [leg for leg, _ in call.monitors.values()]
        forks = [leg for legs in call.ringing.values() for leg in legs]
        for leg in (call.customer, call.agent, *call.guests.values(), *forks, *monitors):
            if leg is None:
                continue
            if not leg.ended:
                leg.hang_up(now)
            self._legs.close(leg)
        call.ringing.clear()
        call.monitors.clear()
        self._forget(call)
        call.guests.clear()
        self.transport.poke()

    def _forget(self, call: SipCall) -> None:
        """Stop filing the call and routing its legs' in-dialog requests (the legs are not
        hung up)."""
        if self.calls.get(call.interaction_id) is call:
            del self.calls[call.interaction_id]
        monitors = [leg for leg, _ in call.monitors.values()]
        for leg in (call.customer, call.agent, *call.guests.values(), *monitors):
            if leg is not None:
                self._unfollow(leg)

    # -- helpers ------------------------------------------------------------------------------

    def _follow(self, leg: Leg) -> None:
        """Route the leg's in-dialog requests to it, once it has a dialog."""
        if leg.dialog_id is not None:
            self._by_dialog[leg.dialog_id] = leg

    def _unfollow(self, leg: Leg) -> None:
        """Stop routing the leg's requests to it (in-dialog ones, and a CANCEL of the INVITE
        that made an inbound leg)."""
        if leg.dialog_id is not None:
            self._by_dialog.pop(leg.dialog_id, None)
        if isinstance(leg, InboundLeg) and self._by_invite.get(id(leg.transaction)) is leg:
            del self._by_invite[id(leg.transaction)]

    def _extension(self, username: str) -> ExtensionRecord | None:
        return self._directory().extension(username)

    def _registered(self, extension: ExtensionRecord, aor: str) -> None:
        self._aor_of[extension.username] = aor
        for listener in list(self.on_registered):
            listener(extension)

    def _now(self) -> float:
        return self.transport.now()

    def _tell(self, tenant: str, event: Event) -> None:
        runtime = self.runtime.get(tenant)
        if runtime is None:
            return

        def deliver() -> None:
            try:
                runtime.handle(event)
            except CoreError as error:
                log.info("SIP event %s not taken: %s", type(event).__name__, error)
        self._soon(deliver)

    def _soon(self, work: Callable[[], None]) -> None:
        assert self._loop is not None

        def run() -> None:
            try:
                work()
            except Exception:
                log.exception("SIP gateway work failed")
            self.transport.poke()
        self._loop.call_soon(run)

    def _spawn(self, work: Coroutine[Any, Any, object]) -> None:
        assert self._loop is not None
        task = self._loop.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("SIP gateway task failed", exc_info=task.exception())


class _TenantCommands:
    """The runtime's `Gateway` for one tenant: hands commands to the SIP gateway."""

    def __init__(self, gateway: SipGateway, tenant: str) -> None:
        self.gateway = gateway
        self.tenant = tenant

    def carry_out(self, commands: Sequence[Command]) -> None:
        self.gateway.carry_out(self.tenant, commands)


class _IvrShell(LoopIvrShell):
    """The IVR's surroundings for SIP callers of one tenant."""

    def __init__(self, gateway: SipGateway, runtime: TenantRuntime,
                 tickets: TicketOpener | None) -> None:
        super().__init__(runtime, databases=gateway._databases.get(runtime.name), tickets=tickets)
        self.gateway = gateway
        self._loop = asyncio.get_running_loop()

    def finished(self, event: IvrFinished | CustomerHungUp) -> None:
        self.gateway._ivr_finished(self.runtime, event)
