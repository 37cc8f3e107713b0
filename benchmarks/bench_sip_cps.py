"""Sustained SIP calls per second through the embedded switch, with SIPp as the load.

Every call takes the whole path: SIPp (uac, a trunk at 127.0.0.1) INVITEs DID 4001 → the
switch answers and `InteractionArrived` goes to the tenant's interaction server → queue →
the offer INVITEs the agent's registered phone (one SIPp registered as `--agents` extensions,
auto-answering) → 200/ACK → `AgentAnswered` → bridge → SIPp's BYE → `CustomerHungUp` → the
switch's BYE to the phone; facts are journalled to SQLite. Each leg gets an RTP port.

For each rate the uac places `rate × seconds` calls (no talk time: BYE right after the ACK)
and the figures are SIPp's successful / failed calls, the rate it achieved, and the CPU the
switch's process used per second of wall time.

    .venv/bin/python benchmarks/bench_sip_cps.py --rates 50,100,150 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hotline.core.events import AgentLoggedIn, AgentReady
from hotline.runtime import Runtime, TenantRuntime
from hotline.store.config_repo import load_tenant
from hotline.store.config_yaml import import_config
from hotline.store.database import make_engine, session_factory, upgrade
from hotline.store.journal import Journal
from hotline.store.journal_writer import JournalWriter
from hotline.store.telephony import create_did, create_extension, create_trunk
from hotline.store.telephony_schemas import DidCreate, ExtensionCreate, TrunkCreate
from hotline.switch.sip.digest import authorize, pick_challenge
from hotline.switch.sip.message import Response, parse
from hotline.telephony import Switch, SwitchOptions

HERE = Path(__file__).parent
ANSWER = HERE.parent / "tests" / "interop" / "scenarios" / "uas_answer.xml"


def _config(agents: int) -> dict[str, object]:
    return {
        "name": "bench", "timezone": "UTC", "default_queue": "general",
        "skills": [{"name": "general"}],
        "queues": [{"name": "general", "skills": {"general": 1}}],
        "agents": [{"id": str(2000 + n), "skills": {"general": 5}, "wrap_up": 0}
                   for n in range(agents)],
        "dnis_routes": [{"dnis": "4001", "queue": "general"}],
    }


PHONES_PORT = 15070


def _register(port: int, user: str) -> None:
    """REGISTER `user` with the switch (digest), its contact being the answering SIPp."""
    password = f"pw-{user}-secret"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.bind(("127.0.0.1", 0))
        local = sock.getsockname()[1]
        authorization = ""
        for cseq in (1, 2):
            text = (f"REGISTER sip:127.0.0.1:{port} SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{user}{cseq}\r\n"
                    f"From: <sip:{user}@127.0.0.1>;tag=r{user}\r\n"
                    f"To: <sip:{user}@127.0.0.1>\r\nCall-ID: reg-{user}\r\n"
                    f"CSeq: {cseq} REGISTER\r\n"
                    f"Contact: <sip:{user}@127.0.0.1:{PHONES_PORT}>\r\n"
                    f"{authorization}Expires: 3600\r\nContent-Length: 0\r\n\r\n")
            sock.sendto(text.encode(), ("127.0.0.1", port))
            reply = parse(sock.recv(4096))
            assert isinstance(reply, Response)
            if reply.status == 200:
                return
            challenge = pick_challenge(reply.headers.challenges("WWW-Authenticate"))
            assert challenge is not None, reply
            credentials = authorize(challenge, method="REGISTER",
                                    uri=f"sip:127.0.0.1:{port}", username=user,
                                    password=password)
            authorization = f"Authorization: {credentials}\r\n"
        raise SystemExit(f"{user} could not register: {reply.status} {reply.reason}")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _run(args: argparse.Namespace, work: Path) -> None:
    engine = make_engine(f"sqlite:///{work / 'bench.db'}")
    upgrade(engine)
    users = [str(2000 + n) for n in range(args.agents)]
    with session_factory(engine).begin() as session:
        row = import_config(session, _config(args.agents), replace=False)
        for user in users:
            create_extension(session, row.id, ExtensionCreate(
                number=user, agent_id=user, password=f"pw-{user}-secret"))
        create_trunk(session, row.id, TrunkCreate(name="sipp", host="127.0.0.1",
                                                  sources=["127.0.0.1/32"]))
        create_did(session, row.id, DidCreate(number="4001"))
        tenant = load_tenant(session, "bench")
    writer = JournalWriter(Journal(engine))
    runtime = Runtime()
    tenant_runtime = TenantRuntime(tenant, journal=writer)
    runtime.add(tenant_runtime)
    switch = Switch(engine, runtime, SwitchOptions("127.0.0.1", 0, range(30000, 60000),
                                                     recordings_root=work / "recordings"))
    await switch.start()
    runtime.start()
    target = f"127.0.0.1:{switch.gateway.port}"
    phones = subprocess.Popen(
        ["sipp", "-sf", str(ANSWER), "-i", "127.0.0.1", "-p", str(PHONES_PORT), "-mp", "16000",
         "-nostdin", "-trace_err", "-error_file", str(work / "phones-errors.log")],
        cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    loop = asyncio.get_running_loop()
    for user in users:
        await loop.run_in_executor(None, _register, switch.gateway.port, user)
    for user in users:
        tenant_runtime.handle(AgentLoggedIn(user))
        tenant_runtime.handle(AgentReady(user))
    print(f"{len(users)} agents registered and ready; switch at {target}")
    print(f"{'rate':>6} {'calls':>6} {'ok':>6} {'failed':>6} {'achieved/s':>11} "
          f"{'switch CPU':>11}")
    for rate in args.rates:
        calls = int(rate * args.seconds)
        stat = work / f"uac-{rate}.csv"
        uac = await asyncio.create_subprocess_exec(
            "sipp", target, "-sn", "uac", "-s", "4001", "-r", str(rate), "-m", str(calls),
            "-d", "0", "-i", "127.0.0.1", "-p", "15080", "-mp", "17000", "-nostdin",
            "-trace_stat", "-stf", str(stat), "-fd", "1", cwd=work,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        cpu, wall = _cpu(), time.monotonic()
        await uac.wait()
        cpu, wall = _cpu() - cpu, time.monotonic() - wall
        rows = list(csv.reader(stat.read_text().splitlines(), delimiter=";"))
        last = dict(zip(rows[0], rows[-1], strict=False))
        ok, failed = int(last["SuccessfulCall(C)"]), int(last["FailedCall(C)"])
        print(f"{rate:>6} {calls:>6} {ok:>6} {failed:>6} {ok / wall:>11.1f} "
              f"{100 * cpu / wall:>10.0f}%", flush=True)
        await asyncio.sleep(2)
    phones.terminate()
    phones.wait(5)
    await switch.close()
    await runtime.stop()
    writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="50,100,150",
                        type=lambda text: [int(r) for r in text.split(",")])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--agents", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("sipp") is None:
        sys.exit("sipp is not installed (scripts/ensure-packages --test)")
    with tempfile.TemporaryDirectory() as work:
        asyncio.run(_run(args, Path(work)))


if __name__ == "__main__":
    main()
