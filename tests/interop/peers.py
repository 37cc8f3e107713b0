"""Real SIP peers for interop tests: SIPp scenarios and headless baresip phones.

Both run as subprocesses on 127.0.0.1 with free ports and keep every file they write (SIPp's
statistics, errors, messages and logs; baresip's config, log and recordings) in a directory the
test owns, so a failing test leaves the evidence in its `tmp_path`. See README.md beside this file.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

HOST = "127.0.0.1"
SCENARIOS = Path(__file__).parent / "scenarios"
PCAP_DIR = Path("/usr/share/sip-tester")
BARESIP_MODULES = Path("/usr/lib/baresip/modules")
SIPP = shutil.which("sipp")
BARESIP = shutil.which("baresip")

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TRANSPORT_MODES = {"udp": "u1", "tcp": "t1"}
"""`Sipp.transport` to SIPp's `-t` mode: one socket for every call (u1: UDP, t1: TCP)."""
_DTMF_PCAP_NAMES = {"*": "star", "#": "pound", **{d: d for d in "0123456789"}}


class PeerError(RuntimeError):
    """A peer failed to start, timed out or reported failure."""


_HANDED_OUT: set[int] = set()
"""Ports this process has handed out: a port free now may be one a peer started a moment ago
has not bound yet, so none is handed out twice."""


def free_port(*, tcp_too: bool = False, span: int = 1) -> int:
    """A UDP port on 127.0.0.1 that is free now (and also free for TCP if `tcp_too`), with the
    `span - 1` ports above it free the same way (baresip binds SIP over TLS on its SIP port
    + 1), none of them handed out before by this process."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((HOST, 0))
            port: int = udp.getsockname()[1]
        wanted = range(port, port + span)
        if _HANDED_OUT.intersection(wanted) or not all(
                _bindable(candidate, tcp_too) for candidate in wanted):
            continue
        _HANDED_OUT.update(wanted)
        return port
    raise PeerError("no free port found")


def _bindable(port: int, tcp_too: bool) -> bool:
    kinds = [socket.SOCK_DGRAM, socket.SOCK_STREAM] if tcp_too else [socket.SOCK_DGRAM]
    try:
        for kind in kinds:
            with socket.socket(socket.AF_INET, kind) as probe:
                probe.bind((HOST, port))
    except OSError:
        return False
    return True


def free_media_ports() -> int:
    """An even UDP port `p` with `p + 1` … `p + 3` also free: SIPp's -mp binds `p` (audio
    echo) and `p + 2` (video echo); RTCP would use the odd ones."""
    for _ in range(100):
        port = free_port()
        port -= port % 2
        try:
            with contextlib.ExitStack() as stack:
                for candidate in range(port, port + 4):
                    sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                    sock.bind((HOST, candidate))
        except OSError:
            continue
        return port
    raise PeerError("no free media ports found")


def _wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise PeerError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# --------------------------------------------------------------------------------------- SIPp


@dataclass(frozen=True)
class SippResult:
    """How a SIPp run ended: exit code and the last row of its statistics CSV."""

    returncode: int
    successful: int
    failed: int
    created: int
    stats: dict[str, str]
    stdout: str
    errors: str
    log: str

    @property
    def ok(self) -> bool:
        """Exit 0 (SIPp: all calls successful) with no failed call."""
        return self.returncode == 0 and self.failed == 0


@dataclass
class Sipp:
    """One SIPp process.

    `scenario` is a path to an XML file or the name of a built-in scenario (`uac`, `uas`, ...).
    `target` is `host:port` for scenarios that start by sending. SIPp binds `local_port` (free by
    default) on 127.0.0.1 for SIP, `media_port` and `media_port + 2` for its RTP echo (audio,
    video) and `control_port` (UDP, all interfaces) for remote control; all are picked free.
    `transport` is `udp` (default, `-t u1`) or `tcp` (`-t t1`: one TCP connection to `target`
    for every call; SIPp then listens on TCP only, and `[transport]` in a scenario is `TCP`).

    Use as a context manager (kills the process on exit), or call `start()` and then `wait()` for
    a scenario that ends by itself (`calls` set) or `stop()` for one serving in the background.
    """

    scenario: str | Path
    workdir: Path
    target: str | None = None
    service: str | None = None
    calls: int | None = None
    rate: float | None = None
    auth: tuple[str, str] | None = None
    local_port: int = 0
    media_port: int = 0
    control_port: int = 0
    pause_ms: int | None = None
    out_of_call: str | Path | None = None
    keys: dict[str, str] = field(default_factory=dict)
    max_concurrent: int | None = None
    transport: str = "udp"
    extra: Sequence[str] = ()
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.transport = self.transport.lower()
        if self.transport not in _TRANSPORT_MODES:
            raise ValueError(f"transport must be one of {sorted(_TRANSPORT_MODES)}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.local_port:
            self.local_port = free_port(tcp_too=self.transport == "tcp")
        while not self.media_port or self.local_port - self.media_port in range(4):
            self.media_port = free_media_ports()
        while not self.control_port or self.control_port in (
            self.local_port, *range(self.media_port, self.media_port + 4)
        ):
            self.control_port = free_port()
        stem = Path(str(self.scenario)).stem
        self.name = f"sipp-{stem}-{self.local_port}"
        self.stat_file = self.workdir / f"{self.name}-stat.csv"
        self.error_file = self.workdir / f"{self.name}-errors.log"
        self.message_file = self.workdir / f"{self.name}-messages.log"
        self.log_file = self.workdir / f"{self.name}-logs.log"
        self.stdout_file = self.workdir / f"{self.name}-stdout.log"

    @property
    def address(self) -> str:
        """`host:port` where this SIPp receives SIP."""
        return f"{HOST}:{self.local_port}"

    def command(self) -> list[str]:
        """The SIPp command line."""
        if SIPP is None:
            raise PeerError("sipp is not installed (scripts/ensure-packages --test)")
        args = [SIPP]
        if self.target:
            args.append(self.target)
        scenario = str(self.scenario)
        if Path(scenario).suffix == ".xml":
            args += ["-sf", scenario]
        else:
            args += ["-sn", scenario]
        args += ["-i", HOST, "-p", str(self.local_port), "-mi", HOST, "-mp", str(self.media_port)]
        args += ["-cp", str(self.control_port)]  # else 8888, 8889, ...: races between SIPps
        if self.transport != "udp":
            args += ["-t", _TRANSPORT_MODES[self.transport]]
        args += ["-nostdin", "-fd", "1", "-trace_stat", "-stf", str(self.stat_file)]
        args += ["-trace_err", "-error_file", str(self.error_file)]
        args += ["-trace_msg", "-message_file", str(self.message_file)]
        args += ["-trace_logs", "-log_file", str(self.log_file)]
        if self.service is not None:
            args += ["-s", self.service]
        if self.calls is not None:
            args += ["-m", str(self.calls)]
        if self.rate is not None:
            args += ["-r", f"{self.rate:g}"]
        if self.max_concurrent is not None:
            args += ["-l", str(self.max_concurrent)]
        if self.auth is not None:
            args += ["-au", self.auth[0], "-ap", self.auth[1]]
        if self.pause_ms is not None:
            args += ["-d", str(self.pause_ms)]
        if self.out_of_call is not None:
            args += ["-oocsf", str(self.out_of_call)]
        for key, value in self.keys.items():
            args += ["-key", key, value]
        args += list(self.extra)
        return args

    def start(self) -> Sipp:
        """Start SIPp in the background."""
        if self.process is not None:
            raise PeerError(f"{self.name} already started")
        with self.stdout_file.open("wb") as out:
            self.process = subprocess.Popen(
                self.command(), cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        time.sleep(0.2)  # let it bind before a peer sends to it
        # 255 (-1): fatal error, e.g. a bad scenario; 254 (-2): could not bind its socket.
        if self.process.poll() in (254, 255):
            raise PeerError(f"{self.name} failed to start:\n{self._read(self.stdout_file)}")
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait(self, timeout: float = 15.0) -> SippResult:
        """Wait for SIPp to end by itself (it does after `calls` calls); kill it on timeout."""
        process = self._process()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise PeerError(
                f"{self.name} still running after {timeout} s; log:\n{self._read(self.stdout_file)}"
            ) from None
        return self.result()

    def stop(self, timeout: float = 5.0) -> SippResult:
        """Ask SIPp to quit (SIGINT, as Ctrl-C), waiting up to `timeout` before killing it."""
        process = self._process()
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.result()

    def kill(self) -> None:
        """Kill SIPp (and anything it spawned) at once; harmless if it has ended."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def result(self) -> SippResult:
        """The exit code and the counters of the statistics file's last row."""
        process = self._process()
        stats = self.stats()

        def counter(name: str) -> int:
            value = stats.get(name, "0") or "0"
            return int(value) if value.isdigit() else 0

        return SippResult(
            returncode=process.returncode if process.returncode is not None else -1,
            successful=counter("SuccessfulCall(C)"),
            failed=counter("FailedCall(C)"),
            created=counter("TotalCallCreated"),
            stats=stats,
            stdout=self._read(self.stdout_file),
            errors=self._read(self.error_file),
            log=self._read(self.log_file),
        )

    def stats(self) -> dict[str, str]:
        """The last row of the statistics CSV (written every second and at exit), by column."""
        if not self.stat_file.exists():
            return {}
        rows = list(csv.reader(self.stat_file.read_text().splitlines(), delimiter=";"))
        if len(rows) < 2:
            return {}
        return dict(zip(rows[0], rows[-1], strict=False))

    def log_lines(self) -> list[str]:
        """The messages the scenario's `<log>` actions have written so far."""
        return [line.strip() for line in self._read(self.log_file).splitlines() if line.strip()]

    def wait_log(self, pattern: str, timeout: float = 10.0, count: int = 1) -> list[str]:
        """Wait until `count` log lines match the regular expression `pattern`; return them."""
        regex = re.compile(pattern)

        def matches() -> list[str]:
            return [line for line in self.log_lines() if regex.search(line)]

        def done() -> bool:
            if not self.running and len(matches()) < count:
                raise PeerError(f"{self.name} ended; log:\n{self._read(self.stdout_file)}")
            return len(matches()) >= count

        _wait_until(done, timeout, f"{count} × {pattern!r} in {self.log_file}")
        return matches()

    def messages(self) -> str:
        """Every SIP message sent and received so far (-trace_msg)."""
        return self._read(self.message_file)

    def _process(self) -> subprocess.Popen[bytes]:
        if self.process is None:
            raise PeerError(f"{self.name} not started")
        return self.process

    @staticmethod
    def _read(path: Path) -> str:
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self) -> Sipp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()


def phone_sipp(
    workdir: Path, registrar: str, user: str, password: str, **options: Any
) -> Sipp:
    """A SIPp phone: registers `user` at `registrar` (digest), then auto-answers every call.

    `uas_register.xml` registers (log "registered <user>") and stays registered for an hour;
    each INVITE starts a `uas_answer.xml` call (logs "answered <Call-ID>", "hung up <Call-ID>").
    `transport="tcp"` (an option of `Sipp`) registers over TCP and takes calls on that
    connection; the Contact then says `transport=TCP`.
    """
    return Sipp(
        SCENARIOS / "uas_register.xml", workdir, target=registrar, service=user,
        auth=(user, password), calls=1, pause_ms=3_600_000,
        out_of_call=SCENARIOS / "uas_answer.xml", **options,
    )


def digits_scenario(digits: str, path: Path, gap_ms: int = 300) -> Path:
    """Write a copy of `uac_digits.xml` at `path` that keys `digits` (0-9, *, #)."""
    lines = []
    for digit in digits:
        if digit not in _DTMF_PCAP_NAMES:
            raise ValueError(f"no SIPp pcap for digit {digit!r}")
        pcap = PCAP_DIR / f"dtmf_2833_{_DTMF_PCAP_NAMES[digit]}.pcap"
        lines.append(f'  <nop><action><exec play_pcap_audio="{pcap}"/></action></nop>')
        lines.append(f'  <pause milliseconds="{gap_ms}"/>')
    text = (SCENARIOS / "uac_digits.xml").read_text()
    begin, end = "  <!-- digits:begin -->\n", "  <!-- digits:end -->\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(head + begin + "\n".join(lines) + "\n" + end + tail)
    return path


# ------------------------------------------------------------------------------------ baresip


def write_wav(path: Path, samples: NDArray[np.int16], sample_rate: int = 8000) -> Path:
    """Write mono 16-bit PCM samples as a WAV file (the format baresip's aufile reads)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    return path


def read_wav(path: Path) -> NDArray[np.int16]:
    """The samples of a mono 16-bit PCM WAV file."""
    with wave.open(str(path), "rb") as source:
        if source.getsampwidth() != 2 or source.getnchannels() != 1:
            raise PeerError(f"{path}: not mono 16-bit PCM")
        data = source.readframes(source.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.int16)


def _netstring(payload: bytes) -> bytes:
    return str(len(payload)).encode() + b":" + payload + b","


@dataclass(frozen=True)
class Event:
    """A baresip event as ctrl_tcp sends it (`type`, e.g. CALL_ESTABLISHED, and the rest)."""

    type: str
    data: dict[str, Any]

    @property
    def param(self) -> str:
        return str(self.data.get("param", ""))


class Baresip:
    """A headless baresip 1.0.0 phone driven over its ctrl_tcp socket.

    The generated config loads only g711, aufile (WAV file as microphone), aubridge (a sink that
    goes nowhere), sndfile (records what the phone hears and says to WAV files in
    `workdir/recordings`), account, menu (the dial/hangup/... commands) and ctrl_tcp.

    `registrar=None` makes an account that does not register (`regint=0`); peers can then call
    it directly at `sip:<user>@127.0.0.1:<sip_port>`. The phone answers calls at once
    (`answermode=auto`) unless `auto_answer=False`. `source` is the WAV (8 kHz mono 16-bit) it
    plays into every call; by default 60 s of silence.
    """

    def __init__(
        self,
        workdir: Path,
        user: str,
        *,
        registrar: str | None = None,
        password: str | None = None,
        auto_answer: bool = True,
        source: Path | None = None,
        sip_port: int = 0,
        extra_account_params: str = "",
    ) -> None:
        self.workdir = workdir
        self.user = user
        self.registrar = registrar
        self.sip_port = sip_port or free_port(tcp_too=True, span=2)
        self.ctrl_port = free_port(tcp_too=True)
        self.recordings_dir = workdir / "recordings"
        # sndfile builds "<snd_path>/dump-<time>-dec.wav" in a 128-byte buffer: a deep snd_path
        # (pytest's tmp_path under xdist) loses the ".wav" and no file is written. It records
        # into a short directory in /tmp instead; stop() moves the files to `recordings_dir`.
        self._sndfile_dir = Path(tempfile.mkdtemp(prefix="baresip-"))
        self.log_file = workdir / "baresip.log"
        self.events: list[Event] = []
        self.process: subprocess.Popen[bytes] | None = None
        self._socket: socket.socket | None = None
        self._reader: threading.Thread | None = None
        self._condition = threading.Condition()
        self._responses: dict[str, dict[str, Any]] = {}
        self._tokens = itertools.count(1)
        workdir.mkdir(parents=True, exist_ok=True)
        self.recordings_dir.mkdir(exist_ok=True)
        if source is None:
            source = write_wav(workdir / "silence.wav", np.zeros(60 * 8000, dtype=np.int16))
        self.source = source
        self._write_config(password, auto_answer, extra_account_params)

    @property
    def uri(self) -> str:
        """Where peers reach this phone directly."""
        return f"sip:{self.user}@{HOST}:{self.sip_port}"

    def _write_config(self, password: str | None, auto_answer: bool, extra: str) -> None:
        sink = f"aubridge,sink-{self.sip_port}"  # no aubridge source of that name: a dead end
        config = f"""\
poll_method		epoll
sip_listen		{HOST}:{self.sip_port}
call_local_timeout	120
call_max_calls		4
audio_player		{sink}
audio_alert		{sink}
audio_source		aufile,{self.source}
audio_level		no
ausrc_format		s16
auplay_format		s16
audio_buffer		20-160
rtp_stats		no
jitter_buffer_delay	5-10
module_path		{BARESIP_MODULES}
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		{HOST}:{self.ctrl_port}
snd_path		{self._sndfile_dir}
"""
        (self.workdir / "config").write_text(config)
        domain = self.registrar or HOST
        params = ["audio_codecs=pcmu,pcma", f"answermode={'auto' if auto_answer else 'manual'}"]
        if self.registrar is None:
            params.append("regint=0")
        else:
            params.append("regint=600")
        if password is not None:
            params.append(f"auth_pass={password}")
        account = f"<sip:{self.user}@{domain};transport=udp>;" + ";".join(params)
        if extra:
            account += ";" + extra.lstrip(";")
        (self.workdir / "accounts").write_text(account + "\n")
        (self.workdir / "contacts").write_text("")

    def start(self, timeout: float = 5.0) -> Baresip:
        """Start baresip and connect to its ctrl_tcp socket."""
        if BARESIP is None:
            raise PeerError("baresip is not installed (scripts/ensure-packages --test)")
        with self.log_file.open("wb") as out:
            self.process = subprocess.Popen(
                [BARESIP, "-f", str(self.workdir)], cwd=self.workdir, stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise PeerError(f"baresip exited at once:\n{self.log()}")
            try:
                self._socket = socket.create_connection((HOST, self.ctrl_port), timeout=0.5)
                break
            except OSError as error:
                if time.monotonic() > deadline:
                    self.stop()
                    raise PeerError(
                        f"baresip ctrl_tcp not up after {timeout} s:\n{self.log()}"
                    ) from error
                time.sleep(0.05)
        self._socket.settimeout(None)
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        return self

    def _read_loop(self) -> None:
        sock = self._socket
        assert sock is not None
        buffer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while True:
                colon = buffer.find(b":")
                if colon < 0:
                    break
                length = int(buffer[:colon])
                if len(buffer) < colon + 1 + length + 1:
                    break
                payload = buffer[colon + 1 : colon + 1 + length]
                buffer = buffer[colon + 1 + length + 1 :]
                self._dispatch(json.loads(payload))

    def _dispatch(self, message: dict[str, Any]) -> None:
        with self._condition:
            if message.get("event"):
                self.events.append(Event(str(message.get("type", "")), message))
            elif message.get("response"):
                self._responses[str(message.get("token", ""))] = message
            self._condition.notify_all()

    def command(self, name: str, params: str | None = None, timeout: float = 5.0) -> str:
        """Run a baresip command (as typed after `/` in its console); return its output text.

        ctrl_tcp speaks netstrings holding JSON: `{"command", "params", "token"}` in,
        `{"response": true, "ok", "data", "token"}` back, and `{"event": true, "type", ...}`
        unprompted.
        """
        if self._socket is None:
            raise PeerError("baresip not started")
        token = f"t{next(self._tokens)}"
        request: dict[str, str] = {"command": name, "token": token}
        if params is not None:
            request["params"] = params
        self._socket.sendall(_netstring(json.dumps(request).encode()))
        with self._condition:
            if not self._condition.wait_for(lambda: token in self._responses, timeout):
                raise PeerError(f"no response to {name!r} within {timeout} s")
            response = self._responses.pop(token)
        if not response.get("ok"):
            raise PeerError(f"{name} {params or ''} failed: {response.get('data')}")
        return str(response.get("data", ""))

    def wait_event(
        self,
        kind: str,
        timeout: float = 10.0,
        where: Callable[[Event], bool] | None = None,
        since: int = 0,
    ) -> Event:
        """The first event of type `kind` (from index `since` of `events`), waiting for it."""

        def find() -> Event | None:
            for event in self.events[since:]:
                if event.type == kind and (where is None or where(event)):
                    return event
            return None

        with self._condition:
            if not self._condition.wait_for(lambda: find() is not None, timeout):
                seen = [event.type for event in self.events[since:]]
                raise PeerError(f"no {kind} event within {timeout} s; saw {seen}")
            found = find()
        assert found is not None
        return found

    def wait_registered(self, timeout: float = 10.0) -> None:
        """Wait until the account is registered (raise if registration fails)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._condition:
                types = {event.type for event in self.events}
            if "REGISTER_OK" in types:
                return
            if "REGISTER_FAIL" in types:
                fail = next(event for event in self.events if event.type == "REGISTER_FAIL")
                raise PeerError(f"registration failed: {fail.param}")
            # The REGISTER_OK event may have fired before ctrl_tcp was connected: ask too.
            if re.search(r"\bOK\b", _ANSI.sub("", self.command("reginfo"))):
                return
            time.sleep(0.1)
        raise PeerError(f"not registered after {timeout} s:\n{self.command('reginfo')}")

    def dial(self, uri: str) -> None:
        """Place a call to `uri`."""
        self.command("dial", uri)

    def answer(self) -> None:
        """Answer the ringing incoming call (only needed with `auto_answer=False`)."""
        self.command("accept")

    def hangup(self) -> None:
        """Hang up the current call."""
        self.command("hangup")

    def send_digits(self, digits: str) -> None:
        """Key digits into the current call (RFC 4733 telephone-events when negotiated)."""
        for digit in digits:
            self.command("sndcode", digit)

    def recordings(self, direction: str = "dec") -> list[Path]:
        """sndfile's recordings, oldest first: `dec` = what the phone heard, `enc` = said."""
        pattern = f"dump-*-{direction}.wav"
        files = [*self.recordings_dir.glob(pattern), *self._sndfile_dir.glob(pattern)]
        return sorted(files, key=lambda path: path.name)

    def heard(self) -> NDArray[np.int16]:
        """The samples of the latest recording of what the phone heard (end the call first)."""
        files = self.recordings("dec")
        if not files:
            raise PeerError(f"no recording in {self.recordings_dir}")
        return read_wav(files[-1])

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def stop(self) -> None:
        """Quit baresip (SIGTERM, then SIGKILL after 3 s)."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)
            self._socket.close()
            self._socket = None
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(3)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(3)
        if self._reader is not None:
            self._reader.join(2)
        if self._sndfile_dir.exists():
            for path in self._sndfile_dir.iterdir():
                shutil.move(path, self.recordings_dir / path.name)
            self._sndfile_dir.rmdir()

    def __enter__(self) -> Baresip:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running(*peers: Sipp | Baresip) -> Iterator[None]:
    """Start peers in order and stop them all afterwards (in reverse)."""
    with contextlib.ExitStack() as stack:
        for peer in peers:
            stack.enter_context(peer)
        yield
