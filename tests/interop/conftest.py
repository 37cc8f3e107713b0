"""Interop tests: real SIP peers (SIPp, baresip) as subprocesses; see README.md here.

Tests marked `interop` need the `sipp`/`baresip` binaries (scripts/ensure-packages --test
installs them); `needs_sipp` and `needs_baresip` skip a test when its binary is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.peers import BARESIP, SIPP

needs_sipp = pytest.mark.skipif(SIPP is None, reason="sipp not installed (sip-tester)")
needs_baresip = pytest.mark.skipif(BARESIP is None, reason="baresip not installed (baresip-core)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "interop: drives real SIP peers (SIPp, baresip)")


@pytest.fixture
def peer_dir(tmp_path: Path) -> Path:
    """Where the test's peers keep their logs, traces and recordings."""
    path = tmp_path / "peers"
    path.mkdir()
    return path
