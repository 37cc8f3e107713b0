"""A short morning at a small contact center, driven through the real core in virtual time,
with every outcome a CDR has to tell apart: answered (with and without wrap-up), abandoned
(waiting, and while an agent's phone rang), timed out, rejected, overflowed, rung without
answer, and a call still in progress at the end.

Times are seconds after `T0`. The queues and agents:
- `sales` (overflows to `support` after 60 s), `support`, `billing` (no agent serves it; maximum
  wait 120 s); callers on `666` are blacklisted.
- `a1` serves sales and support, 30 s of timed wrap-up; `a2` serves support, no wrap-up.

What happens (the expected records and state rows in the tests are worked out from this):
    0  a1 logs in (not ready)             5  a1 ready
   10  c1 (sales) rings a1               14  a1 answers c1
   20  c2 (sales) waits                  30  c3 (sales) waits
   40  c4 (billing) waits                45  c5 from 666 is rejected
   50  c2 hangs up (abandoned)           74  a1 hangs up c1, wrap-up until 104
   90  c3 overflows to support           95  a2 logs in        100  a2 ready, c3 rings a2
  103  a2 answers c3                    160  c4 times out      163  a2 hangs up c3 (no wrap-up)
  170  a2 not ready (break)             200  c6 (support) rings a1
  220  a1 does not answer: not ready (no_answer), c6 back in line
  230  a2 ready, c6 rings a2            232  a2 answers c6      250  a1 ready
  292  c6 hangs up                      300  a1 logs out
  310  c7 (support) rings a2            315  a2 answers c7 ... still talking at 350
  330  a1 logs in again                 331  a1 ready
  335  c8 (sales) rings a1              340  c8 hangs up while ringing; a1 ready again
"""

from __future__ import annotations

from hotline.core.events import AgentLoggedOut
from hotline.core.facts import Fact
from hotline.core.model import Agent, Overflow, Queue, Tenant
from tests.unit.core.core_harness import Switch

T0 = 1_767_258_000.0
"""2026-01-01 09:00:00 UTC."""
END = T0 + 350


def tenant() -> Tenant:
    return Tenant(
        "acme",
        queues=(
            Queue("sales", skills={"sales": 1}, overflow=Overflow(after=60, to="support")),
            Queue("support", skills={"support": 1}),
            Queue("billing", skills={"billing": 1}, max_wait=120),
        ),
        agents=(
            Agent("a1", skills={"sales": 1, "support": 1}, wrap_up=30.0),
            Agent("a2", skills={"support": 1}, wrap_up=0.0),
        ),
        dnis_routes={"800": "sales", "801": "support", "802": "billing"},
        default_queue="sales",
        blacklist=frozenset({"666"}),
    )


def morning() -> list[Fact]:
    """The facts of the morning above, oldest first."""
    s = Switch(tenant(), start=T0)

    def at(t: float) -> float:
        return T0 + t

    s.login("a1", ready=False, at=at(0))
    s.ready("a1", at=at(5))
    s.arrive("c1", at=at(10), ani="5551", dnis="800", attributes={"tier": "gold"})
    s.answer("a1", at=at(14))
    s.arrive("c2", at=at(20), ani="5552", dnis="800")
    s.arrive("c3", at=at(30), ani="5553", dnis="800")
    s.arrive("c4", at=at(40), ani="5554", dnis="802")
    s.arrive("c5", at=at(45), ani="666", dnis="800")
    s.customer_hangs_up("c2", at=at(50))
    s.agent_hangs_up("a1", at=at(74))
    s.login("a2", ready=False, at=at(95))
    s.ready("a2", at=at(100))
    assert s.answer("a2", at=at(103)) == "c3"
    s.agent_hangs_up("a2", at=at(163))
    s.not_ready("a2", "break", at=at(170))
    s.arrive("c6", at=at(200), ani="5556", dnis="801")
    assert s.offered_to("a1") == "c6"
    s.ready("a2", at=at(230))
    assert s.answer("a2", at=at(232)) == "c6"
    s.ready("a1", at=at(250))
    s.customer_hangs_up("c6", at=at(292))
    s.send(AgentLoggedOut("a1"), at=at(300))
    s.arrive("c7", at=at(310), ani="5557", dnis="801")
    assert s.answer("a2", at=at(315)) == "c7"
    s.login("a1", ready=False, at=at(330))
    s.ready("a1", at=at(331))
    s.arrive("c8", at=at(335), ani="5558", dnis="800")
    assert s.offered_to("a1") == "c8"
    s.customer_hangs_up("c8", at=at(340))
    s.advance(END)
    return s.facts
