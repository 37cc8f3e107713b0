"""SDP (RFC 4566) for the audio calls phones make, and the offer/answer rules (RFC 3264).

Theory
------
A session description is lines of `<type>=<value>` (§5): a session part (`v=0`, origin `o=`,
name `s=`, connection `c=`, bandwidth `b=`, time `t=`, attributes `a=`) followed by one media
part per `m=` line (`m=<media> <port>[/<count>] <proto> <format>...`, then its own `c=`, `b=`,
`a=`). For RTP the formats are payload types; `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]`
names them (static types such as 0 PCMU and 8 PCMA need no rtpmap, RFC 3551 §6),
`a=fmtp:<pt> <params>` adds format parameters (for telephone-events, the event list, RFC 4733
§7), `a=ptime` the packet duration in ms, `a=rtcp:<port>` a non-default RTCP port (RFC 3605),
and one of `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive` the direction (§6), which
may also be set once for the whole session.

In offer/answer (RFC 3264 §6) the answer has exactly as many `m=` lines as the offer, in the
same order. For each it either accepts — our port and address, a subset of the offered
formats with the **offerer's** payload type numbers — or rejects with port 0. The offerer
lists formats in preference order, so we take the first offered codec we support, and mirror
the offered telephone-event type. Directions answer each other (§6.1): `sendonly` is answered
`recvonly` (the peer holds us), `recvonly` with `sendonly`, `inactive` with `inactive`, and
`sendrecv` with whatever we want. An old-style hold (`c=0.0.0.0`, RFC 2543) means the offerer
wants nothing sent to it.

`parse_sdp` is strict about what it needs and lenient about the rest: lines it does not use
(`i=`, `u=`, `e=`, `p=`, `k=`, `r=`, `z=`) are dropped, unknown attributes are kept, and
anything malformed raises `SdpError` naming the line and what was expected.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class SdpError(ValueError):
    """A session description that cannot be understood; the message says where and why."""


class Direction(StrEnum):
    """Which way media flows, from the point of view of the one who wrote the description."""

    SENDRECV = "sendrecv"
    SENDONLY = "sendonly"
    RECVONLY = "recvonly"
    INACTIVE = "inactive"

    @property
    def sends(self) -> bool:
        return self in (Direction.SENDRECV, Direction.SENDONLY)

    @property
    def receives(self) -> bool:
        return self in (Direction.SENDRECV, Direction.RECVONLY)

    @classmethod
    def of(cls, sends: bool, receives: bool) -> Direction:
        if sends:
            return cls.SENDRECV if receives else cls.SENDONLY
        return cls.RECVONLY if receives else cls.INACTIVE


@dataclass(frozen=True, slots=True)
class Origin:
    """The `o=` line: who made the description and its version (§5.2)."""

    username: str
    session_id: str
    session_version: int
    address: str
    network_type: str = "IN"
    address_type: str = "IP4"


@dataclass(frozen=True, slots=True)
class Connection:
    """A `c=` line (§5.7); `address` keeps any `/ttl` suffix as written."""

    address: str
    network_type: str = "IN"
    address_type: str = "IP4"

    @property
    def is_hold(self) -> bool:
        """The RFC 2543 way of putting a call on hold: an unspecified address."""
        return self.address in ("0.0.0.0", "::")


@dataclass(frozen=True, slots=True)
class RtpMap:
    """An `a=rtpmap:` line: what a payload type number means (§6)."""

    payload_type: int
    encoding: str
    clock_rate: int
    channels: int | None = None

    def __str__(self) -> str:
        suffix = f"/{self.channels}" if self.channels is not None else ""
        return f"{self.payload_type} {self.encoding}/{self.clock_rate}{suffix}"


STATIC_PAYLOAD_TYPES: Final[dict[int, RtpMap]] = {
    0: RtpMap(0, "PCMU", 8000),
    8: RtpMap(8, "PCMA", 8000),
}
TELEPHONE_EVENT: Final = "telephone-event"
DEFAULT_EVENTS: Final = "0-16"
_DIRECTIONS: Final = frozenset(direction.value for direction in Direction)


@dataclass(frozen=True, slots=True)
class MediaDescription:
    """One `m=` section with the attributes Hotline uses; others are kept in `attributes`."""

    media: str
    port: int
    protocol: str
    formats: tuple[str, ...]
    port_count: int | None = None
    connection: Connection | None = None
    bandwidths: tuple[str, ...] = ()
    rtpmaps: tuple[RtpMap, ...] = ()
    fmtps: tuple[tuple[str, str], ...] = ()
    ptime: int | None = None
    direction: Direction | None = None
    rtcp: str | None = None
    attributes: tuple[tuple[str, str | None], ...] = ()

    def rtpmap(self, payload_type: int) -> RtpMap | None:
        """What `payload_type` means here: its rtpmap, else its static meaning, else None."""
        for rtpmap in self.rtpmaps:
            if rtpmap.payload_type == payload_type:
                return rtpmap
        return STATIC_PAYLOAD_TYPES.get(payload_type)

    def fmtp(self, payload_type: int) -> str | None:
        for fmt, params in self.fmtps:
            if fmt == str(payload_type):
                return params
        return None


@dataclass(frozen=True, slots=True)
class SessionDescription:
    """A whole session description (RFC 4566 §5)."""

    origin: Origin
    session_name: str = "-"
    connection: Connection | None = None
    timing: tuple[int, int] = (0, 0)
    bandwidths: tuple[str, ...] = ()
    direction: Direction | None = None
    attributes: tuple[tuple[str, str | None], ...] = ()
    media: tuple[MediaDescription, ...] = field(default=())


def _fail(number: int, line: str, reason: str) -> SdpError:
    return SdpError(f"SDP line {number} {line!r}: {reason}")


def _integer(text: str, number: int, line: str, what: str, limit: int) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > limit:
        raise _fail(number, line, f"{what} must be an integer 0..{limit}, got {text!r}")
    return int(text)


def _connection(value: str, number: int, line: str) -> Connection:
    parts = value.split()
    if len(parts) != 3:
        raise _fail(number, line, "expected 'c=<nettype> <addrtype> <address>'")
    return Connection(parts[2], parts[0], parts[1])


@dataclass(slots=True)
class _MediaBuilder:
    media: str
    port: int
    port_count: int | None
    protocol: str
    formats: tuple[str, ...]
    connection: Connection | None = None
    bandwidths: list[str] = field(default_factory=list)
    rtpmaps: list[RtpMap] = field(default_factory=list)
    fmtps: list[tuple[str, str]] = field(default_factory=list)
    ptime: int | None = None
    direction: Direction | None = None
    rtcp: str | None = None
    attributes: list[tuple[str, str | None]] = field(default_factory=list)

    def build(self) -> MediaDescription:
        return MediaDescription(
            self.media,
            self.port,
            self.protocol,
            self.formats,
            self.port_count,
            self.connection,
            tuple(self.bandwidths),
            tuple(self.rtpmaps),
            tuple(self.fmtps),
            self.ptime,
            self.direction,
            self.rtcp,
            tuple(self.attributes),
        )


def _media_line(value: str, number: int, line: str) -> _MediaBuilder:
    parts = value.split()
    if len(parts) < 4:
        raise _fail(number, line, "expected 'm=<media> <port> <proto> <format> ...'")
    port_text, _, count_text = parts[1].partition("/")
    port = _integer(port_text, number, line, "port", 65535)
    count = _integer(count_text, number, line, "port count", 65535) if count_text else None
    return _MediaBuilder(parts[0], port, count, parts[2], tuple(parts[3:]))


def _rtpmap(value: str, number: int, line: str) -> RtpMap:
    payload_text, _, encoding = value.partition(" ")
    pieces = encoding.strip().split("/")
    if not 2 <= len(pieces) <= 3 or not pieces[0]:
        raise _fail(number, line, "expected 'a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]'")
    payload_type = _integer(payload_text, number, line, "payload type", 127)
    clock_rate = _integer(pieces[1], number, line, "clock rate", 10_000_000)
    channels = _integer(pieces[2], number, line, "channels", 255) if len(pieces) == 3 else None
    return RtpMap(payload_type, pieces[0], clock_rate, channels)


def parse_sdp(text: str | bytes) -> SessionDescription:
    """The description in `text` (CRLF or LF line ends), or `SdpError` saying what is wrong."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise SdpError(f"SDP is not UTF-8 text: {error}") from None
    lines = [line.rstrip("\r") for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or lines[0].strip() != "v=0":
        raise SdpError("SDP must start with 'v=0'")
    origin: Origin | None = None
    session_name: str | None = None
    timing: tuple[int, int] | None = None
    connection: Connection | None = None
    bandwidths: list[str] = []
    direction: Direction | None = None
    attributes: list[tuple[str, str | None]] = []
    media: list[_MediaBuilder] = []
    for number, line in enumerate(lines[1:], start=2):
        kind, equals, value = line.partition("=")
        if len(kind) != 1 or not equals:
            raise _fail(number, line, "expected '<letter>=<value>'")
        current = media[-1] if media else None
        if kind == "m":
            media.append(_media_line(value, number, line))
        elif kind == "o" and current is None:
            parts = value.split()
            if len(parts) != 6:
                raise _fail(number, line, "expected 'o=<user> <id> <version> IN <addrtype> <addr>'")
            version = _integer(parts[2], number, line, "session version", 2**64 - 1)
            origin = Origin(parts[0], parts[1], version, parts[5], parts[3], parts[4])
        elif kind == "s" and current is None:
            session_name = value
        elif kind == "t" and current is None:
            parts = value.split()
            if len(parts) != 2:
                raise _fail(number, line, "expected 't=<start> <stop>'")
            if timing is None:
                timing = (
                    _integer(parts[0], number, line, "start time", 2**64 - 1),
                    _integer(parts[1], number, line, "stop time", 2**64 - 1),
                )
        elif kind == "c":
            found = _connection(value, number, line)
            if current is None:
                connection = found
            else:
                current.connection = found
        elif kind == "b":
            (bandwidths if current is None else current.bandwidths).append(value)
        elif kind == "a":
            name, colon, attribute_value = value.partition(":")
            if name in _DIRECTIONS:
                if colon:
                    raise _fail(number, line, f"a={name} takes no value")
                if current is None:
                    direction = Direction(name)
                else:
                    current.direction = Direction(name)
            elif current is None:
                attributes.append((name, attribute_value if colon else None))
            elif name == "rtpmap":
                current.rtpmaps.append(_rtpmap(attribute_value, number, line))
            elif name == "fmtp":
                fmt, _, params = attribute_value.partition(" ")
                if not fmt:
                    raise _fail(number, line, "expected 'a=fmtp:<format> <parameters>'")
                current.fmtps.append((fmt, params.strip()))
            elif name == "ptime":
                whole = attribute_value.strip().split(".")[0]
                current.ptime = _integer(whole, number, line, "ptime", 10_000)
            elif name == "rtcp":
                port_text = attribute_value.split(" ")[0]
                _integer(port_text, number, line, "RTCP port", 65535)
                current.rtcp = attribute_value
            else:
                current.attributes.append((name, attribute_value if colon else None))
        elif kind in ("v", "o", "s", "t"):
            raise _fail(number, line, f"'{kind}=' belongs once in the session part, before 'm='")
        # i=, u=, e=, p=, k=, r=, z= and unknown types are not used by Hotline
    if origin is None:
        raise SdpError("SDP has no 'o=' line")
    if session_name is None:
        raise SdpError("SDP has no 's=' line")
    if timing is None:
        raise SdpError("SDP has no 't=' line")
    for index, section in enumerate(media, start=1):
        if connection is None and section.connection is None and section.port != 0:
            raise SdpError(f"media section {index} ({section.media}) has no 'c=' line")
    return SessionDescription(
        origin,
        session_name,
        connection,
        timing,
        tuple(bandwidths),
        direction,
        tuple(attributes),
        tuple(section.build() for section in media),
    )


def _attribute(name: str, value: str | None) -> str:
    return f"a={name}" if value is None else f"a={name}:{value}"


def serialise_sdp(sdp: SessionDescription) -> str:
    """The description as text, in RFC 4566 §5 line order, CRLF line ends."""
    origin = sdp.origin
    lines = [
        "v=0",
        f"o={origin.username} {origin.session_id} {origin.session_version} "
        f"{origin.network_type} {origin.address_type} {origin.address}",
        f"s={sdp.session_name}",
    ]
    if sdp.connection is not None:
        connection = sdp.connection
        lines.append(f"c={connection.network_type} {connection.address_type} {connection.address}")
    lines += [f"b={bandwidth}" for bandwidth in sdp.bandwidths]
    lines.append(f"t={sdp.timing[0]} {sdp.timing[1]}")
    lines += [_attribute(name, value) for name, value in sdp.attributes]
    if sdp.direction is not None:
        lines.append(f"a={sdp.direction}")
    for media in sdp.media:
        port = f"{media.port}/{media.port_count}" if media.port_count is not None else media.port
        lines.append(f"m={media.media} {port} {media.protocol} {' '.join(media.formats)}")
        if media.connection is not None:
            connection = media.connection
            lines.append(
                f"c={connection.network_type} {connection.address_type} {connection.address}"
            )
        lines += [f"b={bandwidth}" for bandwidth in media.bandwidths]
        lines += [f"a=rtpmap:{rtpmap}" for rtpmap in media.rtpmaps]
        lines += [f"a=fmtp:{fmt} {params}" for fmt, params in media.fmtps]
        if media.ptime is not None:
            lines.append(f"a=ptime:{media.ptime}")
        if media.rtcp is not None:
            lines.append(f"a=rtcp:{media.rtcp}")
        lines += [_attribute(name, value) for name, value in media.attributes]
        if media.direction is not None:
            lines.append(f"a={media.direction}")
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True, slots=True)
class LocalMedia:
    """What Hotline offers or accepts on one call leg."""

    address: str
    port: int
    codecs: tuple[str, ...] = ("PCMU", "PCMA")
    telephone_event: bool = True
    telephone_event_payload_type: int = 101  # used in our own offers
    direction: Direction = Direction.SENDRECV  # what we want; SENDONLY to put the peer on hold
    ptime: int = 20
    username: str = "hotline"
    session_id: str = "0"
    session_version: int = 0

    def origin(self) -> Origin:
        return Origin(
            self.username,
            self.session_id,
            self.session_version,
            self.address,
            address_type=_address_type(self.address),
        )


@dataclass(frozen=True, slots=True)
class NegotiatedStream:
    """The agreed audio stream: what to send where, and which way media flows for us."""

    media_index: int
    codec: str
    payload_type: int
    telephone_event_payload_type: int | None
    direction: Direction
    remote_address: str
    remote_port: int
    ptime: int | None
    remote_rtcp: tuple[str, int] | None = None
    """The far end's RTCP address when its SDP said `a=rtcp` (RFC 3605); None: the RTP port
    + 1 at `remote_address`, the default (RFC 3550 §11), which is also what our SDP means —
    we never write `a=rtcp`, our RTCP is always on our RTP port + 1."""


def rtcp_address(media: MediaDescription, address: str) -> tuple[str, int] | None:
    """The RTCP address an `a=rtcp:<port> [IN IP4 <address>]` names, None without one."""
    if media.rtcp is None:
        return None
    parts = media.rtcp.split()
    port = int(parts[0])
    if port == 0:
        return None
    if len(parts) >= 4 and parts[1] == "IN" and _is_ip_address(parts[3]):
        address = parts[3]
    return address, port


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Answer:
    """Our answer to an offer, and the stream it agrees to (None when all were rejected)."""

    sdp: SessionDescription
    stream: NegotiatedStream | None


def _address_type(address: str) -> str:
    return "IP6" if ":" in address else "IP4"


def _is_payload_type(fmt: str) -> bool:
    return fmt.isascii() and fmt.isdigit() and int(fmt) <= 127


def _choose(offer: MediaDescription, local: LocalMedia) -> tuple[int, RtpMap, int | None] | None:
    """The first offered codec we support, and the offered telephone-event type if any."""
    wanted = {name.upper() for name in local.codecs}
    codec: tuple[int, RtpMap] | None = None
    event: int | None = None
    for fmt in offer.formats:
        if not _is_payload_type(fmt):
            continue
        rtpmap = offer.rtpmap(int(fmt))
        if rtpmap is None or rtpmap.clock_rate != 8000 or rtpmap.channels not in (None, 1):
            continue
        name = rtpmap.encoding.upper()
        if codec is None and name in wanted:
            codec = (int(fmt), rtpmap)
        elif event is None and name == TELEPHONE_EVENT.upper() and local.telephone_event:
            event = int(fmt)
    if codec is None:
        return None
    return codec[0], codec[1], event


def _reject(offer: MediaDescription) -> MediaDescription:
    return MediaDescription(offer.media, 0, offer.protocol, offer.formats)


def answer(offer: SessionDescription, local: LocalMedia) -> Answer:
    """Our RFC 3264 answer to `offer`: the first audio stream we can carry, the rest rejected."""
    sections: list[MediaDescription] = []
    stream: NegotiatedStream | None = None
    for index, media in enumerate(offer.media):
        choice = None
        if stream is None and media.media == "audio" and media.protocol == "RTP/AVP" and media.port:
            choice = _choose(media, local)
        if choice is None:
            sections.append(_reject(media))
            continue
        payload_type, rtpmap, event = choice
        connection = media.connection or offer.connection
        if connection is None:
            raise SdpError(f"media section {index + 1} has no connection address ('c=')")
        offered = media.direction or offer.direction or Direction.SENDRECV
        offerer_receives = offered.receives and not connection.is_hold
        ours = Direction.of(
            sends=local.direction.sends and offerer_receives,
            receives=local.direction.receives and offered.sends,
        )
        formats = [str(payload_type)]
        rtpmaps = [RtpMap(payload_type, rtpmap.encoding, rtpmap.clock_rate)]
        fmtps: list[tuple[str, str]] = []
        if event is not None:
            formats.append(str(event))
            rtpmaps.append(RtpMap(event, TELEPHONE_EVENT, 8000))
            fmtps.append((str(event), media.fmtp(event) or DEFAULT_EVENTS))
        sections.append(
            MediaDescription(
                "audio",
                local.port,
                media.protocol,
                tuple(formats),
                rtpmaps=tuple(rtpmaps),
                fmtps=tuple(fmtps),
                ptime=local.ptime,
                direction=ours,
            )
        )
        stream = NegotiatedStream(
            index,
            rtpmap.encoding.upper(),
            payload_type,
            event,
            ours,
            connection.address.split("/")[0],
            media.port,
            media.ptime,
            rtcp_address(media, connection.address.split("/")[0]),
        )
    sdp = SessionDescription(
        local.origin(),
        connection=Connection(local.address, address_type=_address_type(local.address)),
        media=tuple(sections),
    )
    return Answer(sdp, stream)


def make_offer(local: LocalMedia) -> SessionDescription:
    """Our offer: one audio stream with our codecs in preference order (and telephone-event)."""
    static = {rtpmap.encoding: rtpmap for rtpmap in STATIC_PAYLOAD_TYPES.values()}
    rtpmaps = [static[name.upper()] for name in local.codecs if name.upper() in static]
    if not rtpmaps:
        raise ValueError(f"no supported codec among {local.codecs}; Hotline offers PCMU, PCMA")
    fmtps: tuple[tuple[str, str], ...] = ()
    if local.telephone_event:
        event = local.telephone_event_payload_type
        rtpmaps.append(RtpMap(event, TELEPHONE_EVENT, 8000))
        fmtps = ((str(event), DEFAULT_EVENTS),)
    media = MediaDescription(
        "audio",
        local.port,
        "RTP/AVP",
        tuple(str(r.payload_type) for r in rtpmaps),
        rtpmaps=tuple(rtpmaps),
        fmtps=fmtps,
        ptime=local.ptime,
        direction=local.direction,
    )
    return SessionDescription(
        local.origin(),
        connection=Connection(local.address, address_type=_address_type(local.address)),
        media=(media,),
    )


def accepted_stream(
    offer: SessionDescription, reply: SessionDescription
) -> NegotiatedStream | None:
    """The stream a peer's answer to our `offer` agreed to, or None if it rejected them all."""
    if len(reply.media) != len(offer.media):
        raise SdpError(
            f"answer has {len(reply.media)} media sections, the offer had {len(offer.media)}"
        )
    for index, media in enumerate(reply.media):
        if media.port == 0 or media.media != "audio":
            continue
        codec: tuple[int, RtpMap] | None = None
        event: int | None = None
        for fmt in media.formats:
            rtpmap = media.rtpmap(int(fmt)) if _is_payload_type(fmt) else None
            if rtpmap is None:
                continue
            if rtpmap.encoding.lower() == TELEPHONE_EVENT:
                event = event if event is not None else rtpmap.payload_type
            elif codec is None and rtpmap.encoding.upper() in ("PCMU", "PCMA"):
                codec = (rtpmap.payload_type, rtpmap)
        connection = media.connection or reply.connection
        if codec is None or connection is None:
            continue
        answered = media.direction or reply.direction or Direction.SENDRECV
        ours = Direction.of(sends=answered.receives, receives=answered.sends)
        return NegotiatedStream(
            index,
            codec[1].encoding.upper(),
            codec[0],
            event,
            ours,
            connection.address.split("/")[0],
            media.port,
            media.ptime,
            rtcp_address(media, connection.address.split("/")[0]),
        )
    return None
