"""The SIP port guard: lockouts, rate limits, scanners and bounded memory, on a virtual clock."""

from __future__ import annotations

import pytest

from hotline.switch.sip.guard import Decision, Guard, GuardPolicy

SOURCE = "203.0.113.7"


def fail_times(guard: Guard, source: str, times: list[float]) -> list[Decision]:
    return [guard.record_failure(source, t).decision for t in times]


def test_five_failures_in_a_minute_lock_the_source_out_for_ten_minutes() -> None:
    guard = Guard()
    decisions = fail_times(guard, SOURCE, [0.0, 10.0, 20.0, 30.0, 40.0])
    assert decisions == [Decision.ALLOW] * 4 + [Decision.LOCKED_OUT]
    verdict = guard.check(SOURCE, 41.0, method="REGISTER")
    assert verdict.decision is Decision.LOCKED_OUT and verdict.retry_after == pytest.approx(599)
    assert "failed authentications" in verdict.reason
    assert guard.check(SOURCE, 639.9).decision is Decision.LOCKED_OUT
    assert guard.check(SOURCE, 640.0).allowed


def test_failures_spread_over_more_than_the_window_do_not_lock() -> None:
    guard = Guard()
    decisions = fail_times(guard, SOURCE, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
    assert Decision.LOCKED_OUT not in decisions


def test_success_forgives_recent_failures() -> None:
    guard = Guard()
    fail_times(guard, SOURCE, [0.0, 1.0, 2.0, 3.0])
    guard.record_success(SOURCE, 4.0)
    assert fail_times(guard, SOURCE, [5.0]) == [Decision.ALLOW]


def test_other_sources_are_not_affected_by_a_lockout() -> None:
    guard = Guard()
    fail_times(guard, SOURCE, [0.0, 1.0, 2.0, 3.0, 4.0])
    assert guard.check("198.51.100.1", 5.0).allowed


def test_repeat_offenders_are_locked_out_twice_as_long_up_to_the_cap() -> None:
    guard = Guard(GuardPolicy(lockout=600.0, lockout_cap=2000.0))
    now = 0.0
    durations = []
    for _ in range(4):
        verdicts = [guard.record_failure(SOURCE, now + i) for i in range(5)]
        assert verdicts[-1].decision is Decision.LOCKED_OUT
        durations.append(verdicts[-1].retry_after)
        now += 5 + (verdicts[-1].retry_after or 0)
    assert durations == [600.0, 1200.0, 2000.0, 2000.0]


def test_offences_are_forgotten_after_a_quiet_period() -> None:
    guard = Guard(GuardPolicy(offence_memory=3600.0))
    fail_times(guard, SOURCE, [0.0, 1.0, 2.0, 3.0, 4.0])
    later = 4.0 + 600.0 + 3600.0 + 1.0
    assert guard.check(SOURCE, later).allowed
    verdicts = [guard.record_failure(SOURCE, later + i) for i in range(5)]
    assert verdicts[-1].retry_after == 600.0


def test_failures_while_locked_out_do_not_extend_the_lockout() -> None:
    guard = Guard()
    fail_times(guard, SOURCE, [0.0, 1.0, 2.0, 3.0, 4.0])
    verdict = guard.record_failure(SOURCE, 100.0)
    assert verdict.decision is Decision.LOCKED_OUT and verdict.retry_after == pytest.approx(504)


def test_operator_can_release_a_source() -> None:
    guard = Guard()
    fail_times(guard, SOURCE, [0.0, 1.0, 2.0, 3.0, 4.0])
    assert guard.release(SOURCE)
    assert guard.check(SOURCE, 5.0).allowed


def test_rate_limit_allows_a_burst_then_the_refill_rate() -> None:
    guard = Guard(GuardPolicy(rate=10.0, burst=20.0))
    allowed = [guard.check(SOURCE, 0.0).allowed for _ in range(25)]
    assert allowed.count(True) == 20
    limited = guard.check(SOURCE, 0.0)
    assert limited.decision is Decision.RATE_LIMITED and limited.retry_after == pytest.approx(0.1)
    assert guard.check(SOURCE, 0.1).allowed
    assert not guard.check(SOURCE, 0.1).allowed
    assert sum(guard.check(SOURCE, 1.1 + i * 0.1).allowed for i in range(50)) == 50


@pytest.mark.parametrize(
    "agent",
    ["friendly-scanner", "sipvicious 0.3", "sipcli/v1.8", "VaxSIPUserAgent/3.1",
     "Friendly-Scanner"],
)
def test_scanner_user_agents_are_banned(agent: str) -> None:
    guard = Guard()
    verdict = guard.check(SOURCE, 0.0, method="OPTIONS", user_agent=agent)
    assert verdict.decision is Decision.SCANNER and "User-Agent" in verdict.reason
    assert guard.check(SOURCE, 1.0, user_agent="Yealink SIP-T46S").decision is Decision.SCANNER
    assert guard.check(SOURCE, 3601.0).allowed


def test_ordinary_phones_are_not_scanners() -> None:
    guard = Guard()
    for agent in ("Yealink SIP-T46S 66.86.0.15", "baresip v3.10", "Grandstream GXP2170",
                  "Zoiper rv2.10", "Linphone/5.2"):
        assert guard.check(SOURCE, 0.0, method="REGISTER", user_agent=agent).allowed


def test_registering_for_many_different_users_is_a_scan() -> None:
    guard = Guard(GuardPolicy(max_distinct_users=10, user_window=60.0))
    verdicts = [
        guard.check(SOURCE, i * 0.5, method="REGISTER", target_user=str(1000 + i))
        for i in range(11)
    ]
    assert all(v.allowed for v in verdicts[:10])
    assert verdicts[10].decision is Decision.SCANNER
    assert "different users" in verdicts[10].reason


def test_the_same_users_again_and_again_is_not_a_scan() -> None:
    guard = Guard(GuardPolicy(max_distinct_users=3, rate=1000.0, burst=1000.0))
    for i in range(200):
        assert guard.check(SOURCE, i * 0.1, method="INVITE", target_user=str(i % 3)).allowed


def test_distinct_users_slowly_over_time_is_not_a_scan() -> None:
    guard = Guard(GuardPolicy(max_distinct_users=3, user_window=60.0))
    for i in range(20):
        assert guard.check(SOURCE, i * 30.0, method="REGISTER", target_user=str(i)).allowed


def test_other_methods_do_not_count_towards_the_user_flood() -> None:
    guard = Guard(GuardPolicy(max_distinct_users=3))
    for i in range(10):
        assert guard.check(SOURCE, 0.0, method="MESSAGE", target_user=str(i)).allowed


def test_trusted_sources_bypass_every_check() -> None:
    guard = Guard(GuardPolicy(rate=1.0, burst=1.0), trusted=frozenset({SOURCE}))
    assert guard.check(SOURCE, 0.0, user_agent="friendly-scanner").allowed
    assert all(guard.check(SOURCE, 0.0).allowed for _ in range(10))
    assert fail_times(guard, SOURCE, [0.0] * 10) == [Decision.ALLOW] * 10


def test_memory_is_bounded_and_floods_do_not_free_locked_sources() -> None:
    guard = Guard(GuardPolicy(max_sources=100, max_penalised=10))
    fail_times(guard, SOURCE, [0.0, 1.0, 2.0, 3.0, 4.0])
    for i in range(10_000):
        guard.check(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", 5.0)
    assert guard.sources_tracked == 100
    assert guard.check(SOURCE, 6.0).decision is Decision.LOCKED_OUT
    for i in range(50):
        guard.check(f"192.0.2.{i}", 7.0, user_agent="friendly-scanner")
    assert guard.sources_penalised == 10


def test_policy_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="max_failures"):
        GuardPolicy(max_failures=0)
    with pytest.raises(ValueError, match="rate"):
        GuardPolicy(rate=0.0)
