"""CTI event fan-out: 500 concurrent WebSocket clients on `/api/cti` while the demo runs 100
calls per second; how late each event reaches its clients (p50, p90, p99, max).

    .venv/bin/python benchmarks/bench_cti_fanout.py [--clients 500] [--rate 100]
        [--warmup 5] [--window 120] [--supervisors 5] [--postgres URL] [--profile FILE]

The script starts a real server, `hotline serve --demo --demo-rate RATE` on a free port of
127.0.0.1, in a temporary directory with a fresh SQLite file (`HOTLINE_DATABASE_URL`), or with
`--postgres ADMIN_URL` a scratch PostgreSQL database created for the run and dropped afterwards.
As the demo's `admin` it creates CLIENTS users over `POST /api/users`, user i linked to agent
`1001`..`1020` round robin with role `agent`, logs each of them in, and opens one WebSocket per
user (token in the `token` query parameter) in batches. The CTI sends an agent's events to every
connection whose user is linked to that agent, so each connection gets its agent's
`agent_state`, `offer` and `interaction` events without logging the agent in (the simulator
keeps playing the 20 agents). SUPERVISORS more connections, as the demo's `supervisor`,
subscribe to the `live` wall board as extra load.

After a warm-up, for WINDOW seconds every `agent_state` and `interaction` event's lateness is
recorded: the client's wall clock when the frame was read minus the event's `at` (the server's
wall clock when the core made the fact; both on this machine). The server's call rate actually
achieved comes from `GET /api/stats/live` (`totals.offered`) at the window's start and end.
Client and server share the machine's cores, so the script also prints both processes' CPU use
over the window: a client near 100 % of a core would be the bottleneck, not the server.

The demo's 20 agents change state only a few times a minute each (calls last 90 s on average,
then wrap-up), so a 120 s window holds some 30 to 100 distinct moments, each delivered to
the 25 connections of its agent; the script prints how many. Most of the 100 calls per second
wait in queue and abandon, unseen by agents' connections, but every fact batch of theirs still
passes through every connection's listener. Which agents get calls depends on the time of day:
outside the demo tenant's business hours (08:00-20:00 Asia/Shanghai) every call goes to the
repair desk, served by 8 of the 20 agents; the script prints the queues that got calls.

Then the clients close, the server gets SIGTERM and must exit 0; errors and warnings in its log
are counted and shown. Everything runs on 127.0.0.1 and the run stops by itself (a setup step
that overruns its time limit ends it).

`--profile FILE` runs the server under cProfile (`python -m cProfile -o FILE`), written when
the server exits; read it with `python -m pstats FILE`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-fanout-password"
AGENTS = [f"10{i:02d}" for i in range(1, 21)]
MEASURED = ("agent_state", "interaction")
GOAL_P99_MS = 100.0
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# -- the scratch database --------------------------------------------------------------------

@contextlib.contextmanager
def scratch_postgres(admin_url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"hotline_bench_fanout_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- the server ------------------------------------------------------------------------------

@dataclass
class Server:
    process: subprocess.Popen[bytes]
    log_path: Path
    base: str

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_server(workdir: Path, database_url: str, port: int, rate: float,
                 profile: Path | None) -> Server:
    env = dict(os.environ, HOTLINE_DATABASE_URL=database_url, HOTLINE_DEMO_PASSWORD=PASSWORD,
               PYTHONUNBUFFERED="1")
    hotline = str(VENV_BIN / "hotline")
    command = [hotline, "serve", "--demo", "--host", "127.0.0.1", "--port", str(port),
               "--demo-rate", str(rate)]
    if profile is not None:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *command]
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Server(process, log_path, f"http://127.0.0.1:{port}")


async def wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=server.base, timeout=2.0) as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise RuntimeError(f"server exited with {server.process.returncode}:\n"
                                   + server.log_text()[-3000:])
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get("/api/health")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server not healthy after {timeout} s:\n" + server.log_text()[-3000:])


def stop_server(server: Server, timeout: float = 60.0) -> tuple[int | None, float]:
    """SIGTERM, wait; returns the exit code (None if it had to be killed) and seconds taken."""
    started = time.monotonic()
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    try:
        code: int | None = server.process.wait(timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        code = None
    return code, time.monotonic() - started


# -- accounts --------------------------------------------------------------------------------

async def login(http: httpx.AsyncClient, username: str) -> str:
    for attempt in range(5):
        response = await http.post("/api/auth/login", json={
            "tenant": "demo", "username": username, "password": PASSWORD})
        if response.status_code == 200:
            token: str = response.json()["token"]
            return token
        if response.status_code != 429 or attempt == 4:
            raise RuntimeError(f"login {username}: {response.status_code} {response.text}")
        await asyncio.sleep(float(response.headers.get("retry-after", "1")))
    raise AssertionError("unreachable")


async def make_users(base: str, count: int, parallel: int) -> tuple[list[str], str, float]:
    """Create `count` agent users and log each in: their tokens, a supervisor's token and the
    seconds it took."""
    started = time.monotonic()
    limit = asyncio.Semaphore(parallel)
    async with httpx.AsyncClient(base_url=base, timeout=120.0) as http:
        admin = {"Authorization": f"Bearer {await login(http, 'admin')}"}
        supervisor = await login(http, "supervisor")

        async def one(i: int) -> str:
            username = f"bench{i:04d}"
            async with limit:
                response = await http.post("/api/users", headers=admin, json={
                    "username": username, "password": PASSWORD, "role": "agent",
                    "agent_id": AGENTS[i % len(AGENTS)],
                    "display_name": f"Bench client {i}"})
                if response.status_code != 201:
                    raise RuntimeError(f"create {username}: {response.status_code} "
                                       f"{response.text}")
                return await login(http, username)

        tokens = await asyncio.gather(*(one(i) for i in range(count)))
    return list(tokens), supervisor, time.monotonic() - started


async def live_board(base: str, token: str, failures: list[str]) -> dict[str, Any]:
    """The wall board; a 5xx is noted in `failures` and the request tried again."""
    async with httpx.AsyncClient(base_url=base, timeout=30.0) as http:
        for attempt in range(5):
            response = await http.get("/api/stats/live",
                                      headers={"Authorization": f"Bearer {token}"})
            if response.status_code < 500 or attempt == 4:
                response.raise_for_status()
                board: dict[str, Any] = response.json()
                return board
            failures.append(f"GET /api/stats/live: {response.status_code}")
            await asyncio.sleep(0.1)
    raise AssertionError("unreachable")


# -- the clients -----------------------------------------------------------------------------

@dataclass
class Measure:
    """What every client's reader adds to while the window is open."""

    open: bool = False
    closing: bool = False
    lateness: list[float] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    all_events: Counter[str] = field(default_factory=Counter)
    instants: set[tuple[str, float]] = field(default_factory=set)
    closed: Counter[str] = field(default_factory=Counter)


async def read_events(ws: ClientConnection, measure: Measure, name: str) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for frame in ws:
            received = time.time()
            message = json.loads(frame)
            kind = message.get("event") or "reply"
            measure.all_events[kind] += 1
            if measure.open:
                measure.events[kind] += 1
                if kind in MEASURED:
                    measure.lateness.append(received - message["at"])
                    measure.instants.add((message.get("agent") or "", message["at"]))
    if not measure.closing:  # the server closed it, or the connection broke
        code = ws.close_code if ws.close_code is not None else "none"
        measure.closed[f"{name}: code {code} {ws.close_reason or ''}".strip()] += 1


async def open_clients(base: str, tokens: list[str], batch: int, timeout: float,
                       ) -> tuple[list[ClientConnection], list[float], list[str]]:
    """Connect in batches of `batch`; the connections, each one's seconds to open, failures."""
    url = base.replace("http://", "ws://") + "/api/cti?token="
    sockets: list[ClientConnection] = []
    seconds: list[float] = []
    failures: list[str] = []

    async def one(token: str) -> None:
        started = time.monotonic()
        try:
            ws = await connect(url + token, open_timeout=timeout, max_queue=None,
                               ping_interval=20, ping_timeout=60)
        except Exception as error:
            failures.append(f"{type(error).__name__}: {error}")
            return
        seconds.append(time.monotonic() - started)
        sockets.append(ws)

    for start in range(0, len(tokens), batch):
        await asyncio.gather(*(one(t) for t in tokens[start:start + batch]))
    return sockets, seconds, failures


# -- the run ---------------------------------------------------------------------------------

async def measure_run(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"http_failures": []}
    await wait_healthy(server, 60.0)
    tokens, supervisor, setup = await asyncio.wait_for(
        make_users(server.base, args.clients, args.parallel), args.setup_timeout)
    out["setup_seconds"] = setup
    print(f"created and logged in {len(tokens)} users in {setup:.1f} s", flush=True)

    measure = Measure()
    started = time.monotonic()
    agents, open_seconds, failures = await asyncio.wait_for(
        open_clients(server.base, tokens, args.batch, 30.0), args.setup_timeout)
    supervisors, sup_seconds, sup_failures = await asyncio.wait_for(
        open_clients(server.base, [supervisor] * args.supervisors, args.batch, 30.0),
        args.setup_timeout)
    out["connect_seconds"] = time.monotonic() - started
    out["open_seconds"] = sorted(open_seconds + sup_seconds)
    out["connect_failures"] = failures + sup_failures
    readers = [asyncio.create_task(read_events(ws, measure, "agent")) for ws in agents]
    readers += [asyncio.create_task(read_events(ws, measure, "supervisor"))
                for ws in supervisors]
    for i, ws in enumerate(supervisors):
        await ws.send(json.dumps({"id": i, "command": "subscribe", "topic": "live"}))
    print(f"{len(agents)} agent and {len(supervisors)} supervisor connections open in "
          f"{out['connect_seconds']:.1f} s; warming up {args.warmup} s", flush=True)

    await asyncio.sleep(args.warmup)
    before = await live_board(server.base, supervisor, out['http_failures'])
    wall0, client0, server0 = time.monotonic(), time.process_time(), cpu_seconds(
        server.process.pid)
    measure.open = True
    await asyncio.sleep(args.window)
    measure.open = False
    wall1, client1, server1 = time.monotonic(), time.process_time(), cpu_seconds(
        server.process.pid)
    after = await live_board(server.base, supervisor, out['http_failures'])
    elapsed = wall1 - wall0

    still_open = sum(1 for ws in agents + supervisors if ws.state.name == "OPEN")
    measure.closing = True
    await asyncio.gather(*(ws.close() for ws in agents + supervisors), return_exceptions=True)
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)

    out.update(
        agents=len(agents), supervisors=len(supervisors), still_open=still_open,
        dropped=dict(measure.closed), elapsed=elapsed, measure=measure,
        client_cpu=(client1 - client0) / elapsed, server_cpu=(server1 - server0) / elapsed,
        offered=after["totals"]["offered"] - before["totals"]["offered"],
        waiting=(before["totals"]["waiting"], after["totals"]["waiting"]),
        busy_queues=sorted(
            q["queue"] for q, b in zip(after["queues"], before["queues"], strict=True)
            if q["offered"] > b["offered"]),
    )
    return out


def report(out: dict[str, Any], args: argparse.Namespace, database: str) -> None:
    measure: Measure = out["measure"]
    late = sorted(x * 1000 for x in measure.lateness)
    measured = sum(measure.events[k] for k in MEASURED)
    total = sum(measure.events.values())
    opens = out["open_seconds"]
    print()
    print(f"CTI fan-out, {database}: {args.clients} agent clients + {args.supervisors} "
          f"supervisors (live), demo {args.rate} calls/s, window {out['elapsed']:.1f} s "
          f"after {args.warmup} s warm-up; client and server share {os.cpu_count()} cores")
    print(f"  clients connected        {out['agents']} agents + {out['supervisors']} "
          f"supervisors ({len(out['connect_failures'])} failed; open took p50 "
          f"{1000 * statistics.median(opens):.0f} ms, max {1000 * max(opens):.0f} ms, all "
          f"{out['connect_seconds']:.1f} s in batches of {args.batch})")
    print(f"  still open at the end    {out['still_open']}; dropped during the run: "
          f"{out['dropped'] or 'none'}")
    print(f"  events received          {total} ({measured} agent_state/interaction, "
          + ", ".join(f"{k} {v}" for k, v in sorted(measure.events.items())) + ")")
    print(f"  events/s                 {total / out['elapsed']:.0f} "
          f"(measured kinds {measured / out['elapsed']:.0f}/s, from "
          f"{len({at for _, at in measure.instants})} distinct moments of "
          f"{len({a for a, _ in measure.instants} - {''})} agents)")
    if late:
        print(f"  latency p50              {percentile(late, 50):.1f} ms")
        print(f"  latency p90              {percentile(late, 90):.1f} ms")
        print(f"  latency p99              {percentile(late, 99):.1f} ms   "
              f"(goal < {GOAL_P99_MS:.0f} ms: "
              f"{'met' if percentile(late, 99) < GOAL_P99_MS else 'MISSED'})")
        print(f"  latency max              {late[-1]:.1f} ms   (min {late[0]:.1f} ms)")
    else:
        print("  latency                  no agent_state/interaction events in the window")
    print(f"  calls/s achieved         {out['offered'] / out['elapsed']:.1f} "
          f"(asked {args.rate}; waiting {out['waiting'][0]} -> {out['waiting'][1]}; calls "
          f"went to {', '.join(out['busy_queues'])})")
    print(f"  CPU over the window      server {100 * out['server_cpu']:.0f} % of a core, "
          f"client {100 * out['client_cpu']:.0f} % of a core")
    print(f"  setup                    {args.clients} users created and logged in in "
          f"{out['setup_seconds']:.1f} s")
    if out["http_failures"]:
        print(f"  REST errors (retried)    {'; '.join(out['http_failures'])}")


def scan_log(text: str) -> list[str]:
    """The server log's warnings and errors, each traceback shown by its exception line."""
    found: list[str] = []
    in_traceback = False
    for line in text.splitlines():
        if line.startswith("Traceback"):
            in_traceback = True
        elif in_traceback and line and not line.startswith(" "):
            in_traceback = False
            found.append(f"  (traceback) {line}")
        elif (line.startswith(("ERROR:", "WARNING:")) or " ERROR " in line
              or " WARNING " in line):
            found.append(line)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--supervisors", type=int, default=5)
    parser.add_argument("--rate", type=float, default=100.0, help="demo calls per second")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--window", type=float, default=120.0)
    parser.add_argument("--batch", type=int, default=50, help="connections opened at once")
    parser.add_argument("--parallel", type=int, default=4,
                        help="user creations and logins in flight at once")
    parser.add_argument("--setup-timeout", type=float, default=600.0)
    parser.add_argument("--postgres", metavar="ADMIN_URL",
                        help="run on a scratch database of this PostgreSQL server")
    parser.add_argument("--profile", type=Path, help="cProfile the server into this file")
    parser.add_argument("--keep-log", type=Path, help="copy the server's log here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="hotline-fanout-") as tmp, \
            contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        if args.postgres:
            database_url = stack.enter_context(scratch_postgres(args.postgres))
            database = "PostgreSQL"
        else:
            database_url = f"sqlite:///{workdir / 'hotline.db'}"
            database = "SQLite"
        server = start_server(workdir, database_url, free_port(), args.rate,
                              args.profile.resolve() if args.profile else None)
        out: dict[str, Any] | None = None
        try:
            out = asyncio.run(measure_run(server, args))
        except Exception:  # still stop the server and show its log's problems
            traceback.print_exc()
        finally:
            code, took = stop_server(server)
            log = server.log_text()
            if args.keep_log:
                args.keep_log.write_text(log, encoding="utf-8")
        if out is not None:
            report(out, args, database)
        problems = scan_log(log)
        print(f"  server stop              SIGTERM -> exit code {code} in {took:.1f} s")
        print(f"  server log               {len(problems)} warning/error lines"
              + (" (first 20:)" if len(problems) > 20 else ""))
        for line in problems[:20]:
            print(f"    {line}")
        return 0 if code == 0 and out is not None else 1


if __name__ == "__main__":
    sys.exit(main())
