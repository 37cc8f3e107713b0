"""The mixer on virtual time: who hears whom, players, digits, recording, the relay fast path."""

from __future__ import annotations

import io
import random
import wave
from collections import defaultdict
from itertools import pairwise

import numpy as np
import pytest
from numpy.typing import NDArray

from hotline.switch.media.dtmf import TelephoneEvent, serialise_telephone_event
from hotline.switch.media.g711 import PCMA, PCMU, G711Codec
from hotline.switch.media.mixer import DigitReceived, Mixer, PlayFinished, mix
from hotline.switch.media.recorder import StereoWavFile
from hotline.switch.media.rtp import RtpPacket, parse_rtp, serialise_rtp
from hotline.switch.media.tone import sine, tone_power_ratio

FRAME = 0.02
EVENT_PT = 101


class Switchboard:
    """Phones around a mixer: each talks one frame per 20 ms, and keeps what it was sent."""

    def __init__(self) -> None:
        self.mixer = Mixer(rng=random.Random(7))
        self.now = 0.0
        self.codecs: dict[str, G711Codec] = {}
        self.talk: dict[str, NDArray[np.int16]] = {}
        self.sequences: dict[str, int] = defaultdict(int)
        self.got: dict[str, list[RtpPacket]] = defaultdict(list)
        self.relayed: dict[str, int] = defaultdict(int)

    def phone(self, leg_id: str, codec: G711Codec = PCMU, tone: float | None = None) -> None:
        self.mixer.add_leg(leg_id)
        self.mixer.connect(leg_id, ("127.0.0.1", 40000 + 2 * len(self.codecs)), codec=codec.name,
                           payload_type=codec.payload_type, event_payload_type=EVENT_PT)
        self.codecs[leg_id] = codec
        if tone is not None:
            self.talk[leg_id] = sine(tone, 10.0, level_dbfs=-10)

    def send(self, leg_id: str, packet: RtpPacket) -> None:
        for target, _, data in self.mixer.receive(leg_id, serialise_rtp(packet), self.now):
            self.relayed[target] += 1
            self.got[target].append(parse_rtp(data))

    def run(self, seconds: float) -> None:
        for _ in range(round(seconds / FRAME)):
            for leg_id, samples in self.talk.items():
                index = self.sequences[leg_id]
                self.sequences[leg_id] += 1
                codec = self.codecs[leg_id]
                frame = samples[index * 160:(index + 1) * 160]
                payload = codec.encode(frame).tobytes()
                self.send(leg_id, RtpPacket(codec.payload_type, index, index * 160, hash(leg_id)
                                            & 0xFFFFFFFF, payload))
            for target, _, data in self.mixer.tick(self.now + FRAME / 2):
                self.got[target].append(parse_rtp(data))
            self.now += FRAME

    def heard(self, leg_id: str, last: float = 1.0) -> NDArray[np.int16]:
        """The audio a phone was sent, decoded, its last `last` seconds."""
        codec = self.codecs[leg_id]
        audio = [codec.decode(p.payload) for p in self.got[leg_id]
                 if p.payload_type == codec.payload_type]
        samples = np.concatenate(audio) if audio else np.zeros(0, dtype=np.int16)
        return samples[-round(last * 8000):]


def ratio(samples: NDArray[np.int16], frequency: float) -> float:
    return tone_power_ratio(samples, frequency)


def test_a_callers_tone_reaches_the_other_leg_only_when_bridged() -> None:
    board = Switchboard()
    board.phone("a", tone=1000)
    board.phone("b")
    board.run(0.5)
    assert not np.any(board.heard("b"))  # connected but hearing nobody: silence
    board.mixer.hear("b", ["a"])
    board.run(1.0)
    assert ratio(board.heard("b", 0.8), 1000) > 0.9


def test_a_prompt_played_to_a_leg_is_what_its_phone_hears() -> None:
    board = Switchboard()
    board.phone("a")
    board.mixer.play("a", sine(440, 2.0))
    board.run(1.0)
    assert ratio(board.heard("a", 0.8), 440) > 0.9


def test_a_bridged_call_in_one_law_is_relayed_untouched_as_packets_arrive() -> None:
    board = Switchboard()
    board.phone("a", tone=1000)
    board.phone("b", tone=600)
    board.mixer.hear("a", ["b"])
    board.mixer.hear("b", ["a"])
    board.run(1.0)
    assert board.relayed["a"] >= 49 and board.relayed["b"] >= 49
    assert ratio(board.heard("b", 0.9), 1000) > 0.9
    assert ratio(board.heard("a", 0.9), 600) > 0.9
    stream = board.got["b"]
    assert len({p.ssrc for p in stream}) == 1
    sequences = [p.sequence for p in stream]
    assert all((later - earlier) % 65536 == 1 for earlier, later in pairwise(sequences))


def test_legs_in_different_laws_are_transcoded_at_the_tick() -> None:
    board = Switchboard()
    board.phone("a", PCMU, tone=1000)
    board.phone("b", PCMA, tone=600)
    board.mixer.hear("a", ["b"])
    board.mixer.hear("b", ["a"])
    board.run(1.0)
    assert board.relayed == {}
    assert all(p.payload_type == 8 for p in board.got["b"])
    assert ratio(board.heard("b", 0.8), 1000) > 0.9
    assert ratio(board.heard("a", 0.8), 600) > 0.9


def test_a_relayed_leg_gets_silence_when_its_source_goes_quiet() -> None:
    board = Switchboard()
    board.phone("a", tone=1000)
    board.phone("b")
    board.mixer.hear("b", ["a"])
    board.run(0.5)
    del board.talk["a"]
    before = len(board.got["b"])
    board.run(1.0)
    assert len(board.got["b"]) - before >= 45  # the stream to b never stops
    assert not np.any(board.heard("b", 0.5))


def test_three_parties_each_hear_the_other_two() -> None:
    board = Switchboard()
    tones = {"a": 600, "b": 1000, "c": 1400}
    for leg_id, tone in tones.items():
        board.phone(leg_id, tone=tone)
    for leg_id in tones:
        board.mixer.hear(leg_id, [other for other in tones if other != leg_id])
    board.run(1.0)
    for leg_id, own in tones.items():
        heard = board.heard(leg_id, 0.8)
        for other, tone in tones.items():
            if other == leg_id:
                assert ratio(heard, own) < 0.05
            else:
                assert ratio(heard, tone) > 0.35


def supervised_call(mode: str) -> Switchboard:
    """caller 600 Hz, agent 1000 Hz, supervisor 1400 Hz, in listen, whisper or barge."""
    board = Switchboard()
    board.phone("caller", tone=600)
    board.phone("agent", tone=1000)
    board.phone("supervisor", tone=1400)
    hearing = {
        "listen": {"caller": ["agent"], "agent": ["caller"], "supervisor": ["caller", "agent"]},
        "whisper": {"caller": ["agent"], "agent": ["caller", "supervisor"],
                    "supervisor": ["caller", "agent"]},
        "barge": {"caller": ["agent", "supervisor"], "agent": ["caller", "supervisor"],
                  "supervisor": ["caller", "agent"]},
    }[mode]
    for leg_id, sources in hearing.items():
        board.mixer.hear(leg_id, sources)
    board.run(1.0)
    return board


def test_a_listening_supervisor_hears_both_and_nobody_hears_the_supervisor() -> None:
    board = supervised_call("listen")
    supervisor = board.heard("supervisor", 0.8)
    assert ratio(supervisor, 600) > 0.35 and ratio(supervisor, 1000) > 0.35
    assert ratio(board.heard("caller", 0.8), 1400) < 0.01
    assert ratio(board.heard("agent", 0.8), 1400) < 0.01
    assert ratio(board.heard("caller", 0.8), 1000) > 0.9


def test_a_whispering_supervisor_is_heard_by_the_agent_but_not_the_caller() -> None:
    board = supervised_call("whisper")
    agent = board.heard("agent", 0.8)
    assert ratio(agent, 1400) > 0.35 and ratio(agent, 600) > 0.35
    assert ratio(board.heard("caller", 0.8), 1400) < 0.01
    assert ratio(board.heard("caller", 0.8), 1000) > 0.9


def test_a_barging_supervisor_is_heard_by_both() -> None:
    board = supervised_call("barge")
    for leg_id in ("caller", "agent"):
        assert ratio(board.heard(leg_id, 0.8), 1400) > 0.35


def test_music_on_hold_loops_without_ending() -> None:
    board = Switchboard()
    board.phone("caller")
    board.mixer.play("caller", sine(400, 0.13), loop=True)  # not a whole number of frames
    board.run(2.0)
    assert ratio(board.heard("caller", 1.0), 400) > 0.8
    assert board.mixer.events == []


def test_a_prompt_finishes_once_and_then_the_leg_gets_silence() -> None:
    board = Switchboard()
    board.phone("caller")
    player = board.mixer.play("caller", sine(400, 0.25))
    board.run(1.0)
    assert board.mixer.events == [PlayFinished("caller", player.id)]
    assert not np.any(board.heard("caller", 0.5))


def test_a_prompt_is_mixed_with_what_the_leg_hears() -> None:
    board = Switchboard()
    board.phone("a", tone=1000)
    board.phone("b")
    board.mixer.hear("b", ["a"])
    board.mixer.play("b", sine(400, 5.0, level_dbfs=-10))
    board.run(1.0)
    heard = board.heard("b", 0.8)
    assert ratio(heard, 400) > 0.35 and ratio(heard, 1000) > 0.35
    assert board.relayed["b"] == 0  # a player on b takes it off the fast path


def digit_packets(digit_event: int, timestamp: int, first_sequence: int) -> list[RtpPacket]:
    """What a phone sends for one key: 4 updates, then the end packet three times."""
    packets = []
    for index, duration in enumerate((160, 320, 480, 640)):
        body = serialise_telephone_event(TelephoneEvent(digit_event, False, 10, duration))
        packets.append(RtpPacket(EVENT_PT, first_sequence + index, timestamp, 99, body,
                                 marker=index == 0))
    end = serialise_telephone_event(TelephoneEvent(digit_event, True, 10, 800))
    for repeat in range(3):
        packets.append(RtpPacket(EVENT_PT, first_sequence + 4 + repeat, timestamp, 99, end))
    return packets


def test_received_digits_are_reported_once_per_key_despite_redundancy_and_reordering() -> None:
    board = Switchboard()
    board.phone("a")
    shuffle = random.Random(3)
    for number, event in enumerate((1, 11, 1)):  # "1", "#", "1" again
        packets = digit_packets(event, 8000 * (number + 1), 10 * number)
        shuffle.shuffle(packets)
        for packet in packets:
            board.send("a", packet)
            board.now += 0.005
    assert board.mixer.events == [DigitReceived("a", "1"), DigitReceived("a", "#"),
                                  DigitReceived("a", "1")]


def test_a_digit_whose_end_packets_were_all_lost_is_reported_after_a_time_out() -> None:
    board = Switchboard()
    board.phone("a")
    for packet in digit_packets(5, 8000, 0)[:4]:
        board.send("a", packet)
    board.run(1.0)
    assert board.mixer.events == [DigitReceived("a", "5")]


def test_digits_sent_go_out_as_telephone_events_in_place_of_audio() -> None:
    board = Switchboard()
    board.phone("a")
    board.phone("b", tone=1000)
    board.mixer.hear("a", ["b"])
    board.mixer.send_digits("a", "4#")
    board.run(1.0)
    stream = board.got["a"]
    events = [p for p in stream if p.payload_type == EVENT_PT]
    assert len(events) == 14
    by_timestamp: dict[int, list[TelephoneEvent]] = defaultdict(list)
    for packet in events:
        body = packet.payload
        by_timestamp[packet.timestamp].append(
            TelephoneEvent(body[0], bool(body[1] & 0x80), body[1] & 0x3F,
                           int.from_bytes(body[2:], "big")))
    digits = [[e.event for e in group] for group in by_timestamp.values()]
    assert digits == [[4] * 7, [11] * 7]
    for group in by_timestamp.values():
        assert [e.end for e in group] == [False] * 4 + [True] * 3
        assert group[-1].duration == 800
    first = stream.index(events[0])
    last_of_first_digit = first + 6
    assert all(p.payload_type == EVENT_PT for p in stream[first:last_of_first_digit + 1])
    assert stream[first].marker
    assert ratio(board.heard("a", 0.4), 1000) > 0.9  # audio again after the digits


def test_mixing_saturates_instead_of_wrapping() -> None:
    loud = np.full(160, 30000, dtype=np.int16)
    assert np.all(mix([loud, loud]) == 32767)
    assert np.all(mix([-loud, -loud]) == -32768)
    board = Switchboard()
    board.phone("a")
    board.phone("b")
    board.phone("c")
    board.talk["a"] = np.full(80000, 30000, dtype=np.int16)
    board.talk["b"] = np.full(80000, 30000, dtype=np.int16)
    board.mixer.hear("c", ["a", "b"])
    board.run(0.5)
    heard = board.heard("c", 0.3)
    assert heard.min() > 30000


def test_a_recording_holds_each_side_in_its_own_channel(tmp_path: object) -> None:
    board = Switchboard()
    board.phone("caller", tone=600)
    board.phone("agent", tone=1000)
    board.mixer.hear("caller", ["agent"])
    board.mixer.hear("agent", ["caller"])
    recording = board.mixer.start_recording("r1", "caller", "agent")
    board.run(1.0)
    assert board.relayed == {}  # recorded legs are decoded, not relayed
    assert board.mixer.stop_recording("r1") is recording
    assert recording.seconds == pytest.approx(1.0)
    path = tmp_path / "call.wav"  # type: ignore[operator]
    file = StereoWavFile(path)
    file.write(recording.take())
    file.close()
    with wave.open(io.BytesIO(path.read_bytes())) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (2, 2,
                                                                                         8000)
        stereo = np.frombuffer(reader.readframes(reader.getnframes()), "<i2").reshape(-1, 2)
    assert len(stereo) == 8000
    left, right = stereo[-6000:, 0], stereo[-6000:, 1]
    assert ratio(left, 600) > 0.9 and ratio(left, 1000) < 0.01
    assert ratio(right, 1000) > 0.9 and ratio(right, 600) < 0.01


def test_hold_directions_stop_media_each_way() -> None:
    board = Switchboard()
    board.phone("a", tone=1000)
    board.phone("b")
    board.mixer.hear("b", ["a"])
    board.mixer.set_direction("b", send=False, receive=True)
    board.run(0.5)
    assert board.got["b"] == []
    board.mixer.set_direction("b", send=True, receive=True)
    board.mixer.set_direction("a", send=True, receive=False)
    board.run(0.5)
    assert len(board.got["b"]) >= 24 and not np.any(board.heard("b"))


def test_closing_a_leg_takes_it_out_of_everyones_hearing_and_ends_its_recordings() -> None:
    board = Switchboard()
    board.phone("a", tone=1000)
    board.phone("b")
    board.mixer.hear("b", ["a"])
    board.mixer.start_recording("r", "a", "b")
    ended = board.mixer.remove_leg("a")
    assert [recording.id for recording in ended] == ["r"]
    assert board.mixer.leg("b").hears == ()
    with pytest.raises(KeyError, match="no media leg 'a'"):
        board.mixer.leg("a")


def test_garbage_and_gaps_are_counted() -> None:
    board = Switchboard()
    board.phone("a")
    for data in (b"", b"\x00" * 40, b"\x80"):
        assert board.mixer.receive("a", data, 0.0) == []
    for sequence in (0, 1, 2, 5, 6):
        board.send("a", RtpPacket(0, sequence, sequence * 160, 5, PCMU.silence_frame()))
    stats = board.mixer.stats("a")
    assert (stats.malformed, stats.packets_received, stats.lost) == (3, 5, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.connect("a", ("127.0.0.1", 4000), codec="G729", payload_type=18,
                             event_payload_type=None), "codec must be one of PCMU, PCMA"),
        (lambda m: m.connect("a", ("phone.example", 4000), codec="PCMU", payload_type=0,
                             event_payload_type=None), "IP address"),
        (lambda m: m.connect("a", ("127.0.0.1", 4000), codec="PCMU", payload_type=0,
                             event_payload_type=0), "cannot share"),
        (lambda m: m.hear("a", ["a"]), "cannot hear itself"),
        (lambda m: m.send_digits("a", "12x"), "not a DTMF digit"),
        (lambda m: m.play("a", np.zeros(10, dtype=np.float64)), "int16"),
        (lambda m: m.add_leg("a"), "already open"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(call: object, message: str) -> None:
    mixer = Mixer()
    mixer.add_leg("a")
    mixer.connect("a", ("127.0.0.1", 4000), codec="PCMU", payload_type=0, event_payload_type=101)
    with pytest.raises(ValueError, match=message):
        call(mixer)  # type: ignore[operator]


def test_unknown_legs_are_a_key_error_naming_the_leg() -> None:
    mixer = Mixer()
    mixer.add_leg("a")
    with pytest.raises(KeyError, match="'ghost'"):
        mixer.hear("a", ["ghost"])
    with pytest.raises(KeyError, match="'ghost'"):
        mixer.stats("ghost")
