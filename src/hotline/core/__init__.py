"""The interaction server: a pure, sans-I/O core.

It owns the contact center's model (agents, teams, skills, queues, interactions), the agent and
interaction state machines, ACD selection and routing rules. Events go in with the time passed
explicitly; commands for a gateway and durable facts come out. Nothing here reads a clock,
sleeps, or touches a socket, file or database, which is why the same core runs in real time,
in the simulator's virtual time, and in tests.
"""

from hotline.core.server import InteractionServer

__all__ = ["InteractionServer"]
