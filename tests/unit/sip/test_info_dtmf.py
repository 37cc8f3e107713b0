"""Keys in SIP INFO bodies (application/dtmf-relay and application/dtmf)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.switch.sip.info_dtmf import info_key


@pytest.mark.parametrize(("content_type", "body", "key"), [
    ("application/dtmf-relay", b"Signal=5\r\nDuration=160\r\n", "5"),
    ("Application/DTMF-Relay; charset=us-ascii", b"signal= #\nDuration=100", "#"),
    ("application/dtmf-relay", b"Signal=10\r\nDuration=160", "*"),
    ("application/dtmf-relay", b"Signal=11", "#"),
    ("application/dtmf-relay", b"Signal=a", "A"),
    ("application/dtmf", b"7", "7"),
    ("application/dtmf", b" * \r\n", "*"),
])
def test_keys_in_both_bodies(content_type: str, body: bytes, key: str) -> None:
    assert info_key(content_type, body) == key


@pytest.mark.parametrize(("content_type", "body"), [
    (None, b"Signal=5"),
    ("application/sdp", b"Signal=5"),
    ("application/dtmf-relay", b"Duration=160"),
    ("application/dtmf-relay", b"Signal=E"),
    ("application/dtmf-relay", b"Signal=55"),
    ("application/dtmf", b""),
    ("application/dtmf", b"\xff"),
])
def test_what_is_not_a_key_is_none(content_type: str | None, body: bytes) -> None:
    assert info_key(content_type, body) is None


@given(st.one_of(st.none(), st.text(max_size=40)), st.binary(max_size=200))
def test_any_body_gives_a_key_or_none_and_never_raises(content_type: str | None,
                                                       body: bytes) -> None:
    assert info_key(content_type, body) in {None, *"0123456789*#ABCD"}
