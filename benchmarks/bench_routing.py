"""Routing decisions with 2,000 agents, 200 skills and 10,000 waiting calls.

    .venv/bin/python benchmarks/bench_routing.py [--decisions 100000] [--seed 1]

200 queues, one per skill; every agent has 5 of the 200 skills at random levels, so each agent
serves 5 queues and each queue has about 50 agents. The lines are filled with 10,000 calls and
every agent is busy. Then, over and over, an agent hangs up — the core must pick the best call
across that agent's 5 lines (priority, then longest waiting) and offer it — the agent answers,
and a new call arrives and is routed and queued, keeping 10,000 waiting. A decision is one
`handle()` of a hang-up (which selects the next call) or of an arrival (which routes and
queues); each is timed alone. Prints decisions per second (decisions ÷ the time spent in
them) and the median, p99 and maximum latency. Goal: ≥ 50,000 decisions/s, p99 < 1 ms.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

from hotline.core import InteractionServer
from hotline.core.commands import Command, Offer
from hotline.core.events import (
    AgentAnswered,
    AgentHungUp,
    AgentLoggedIn,
    AgentReady,
    InteractionArrived,
)
from hotline.core.model import Agent, Queue, Tenant

AGENTS, SKILLS, WAITING, SKILLS_PER_AGENT = 2_000, 200, 10_000, 5


def build(rng: random.Random) -> tuple[InteractionServer, list[str]]:
    skills = [f"s{i:03d}" for i in range(SKILLS)]
    queues = tuple(Queue(name=s, skills={s: 1}, priority=rng.randrange(3)) for s in skills)
    agents = tuple(
        Agent(id=f"a{i:04d}", wrap_up=0.0,
              skills={s: rng.randint(1, 10) for s in rng.sample(skills, SKILLS_PER_AGENT)})
        for i in range(AGENTS)
    )
    server = InteractionServer(Tenant(name="bench", queues=queues, agents=agents), seed=1)
    return server, skills


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    server, skills = build(rng)
    now = 0.0
    call = 0

    def arrive() -> InteractionArrived:
        nonlocal call
        call += 1
        return InteractionArrived(f"c{call}", ani=f"{call}", queue=rng.choice(skills),
                                  priority=rng.choice((0, 0, 0, 5)))

    for agent in server.agent_ids():
        server.handle(AgentLoggedIn(agent), now)
    for _ in range(WAITING):
        now += 0.001
        server.handle(arrive(), now)
    def answer(commands: list[Command]) -> None:
        for command in commands:
            if isinstance(command, Offer):
                server.handle(AgentAnswered(command.interaction_id, command.agent_id), now)

    for agent in server.agent_ids():
        answer(server.handle(AgentReady(agent), now))
    while call < WAITING + AGENTS:
        now += 0.001
        answer(server.handle(arrive(), now))
    server.drain_facts()
    agents = server.agent_ids()
    latencies: list[int] = []
    gc.collect()
    clock = time.perf_counter_ns
    for k in range(args.decisions // 2):
        agent = agents[k % len(agents)]
        interaction = server.agent_interaction(agent)
        if interaction is None:
            continue
        now += 0.01
        hang_up = AgentHungUp(interaction, agent)
        started = clock()
        commands = server.handle(hang_up, now)
        latencies.append(clock() - started)
        answer(commands)
        event = arrive()
        started = clock()
        commands = server.handle(event, now)
        latencies.append(clock() - started)
        answer(commands)
        if k % 1024 == 0:
            server.drain_facts()
    waiting = sum(len(server.waiting(s)) for s in skills)
    latencies.sort()
    total = sum(latencies) / 1e9
    p99 = latencies[int(len(latencies) * 0.99)] / 1e3
    print(f"{len(latencies)} decisions with {AGENTS} agents, {SKILLS} skills, "
          f"{waiting} calls waiting at the end")
    print(f"decisions/s {len(latencies) / total:,.0f} (goal >= 50,000); latency median "
          f"{statistics.median(latencies) / 1e3:.1f} us, p99 {p99:.1f} us (goal < 1000 us), "
          f"max {latencies[-1] / 1e3:.0f} us")


if __name__ == "__main__":
    main()
