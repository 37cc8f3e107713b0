"""`hotline db` and `hotline config`, run as a user runs them, on a SQLite file named by
HOTLINE_DATABASE_URL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.integration.store.config_data import DEMO_FILE

HOTLINE = Path(sys.executable).parent / "hotline"


def _hotline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'hotline.db'}"}
    return subprocess.run([str(HOTLINE), *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60, check=False)


def test_db_and_config_commands_upgrade_import_export_and_refuse_a_bad_file_with_exit_2(
    tmp_path: Path,
) -> None:
    empty = _hotline(tmp_path, "db", "current")
    assert empty.returncode == 0 and "revision (none: empty), upgrade due" in empty.stdout
    upgraded = _hotline(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0 and "is at revision" in upgraded.stdout

    imported = _hotline(tmp_path, "config", "import", str(DEMO_FILE))
    assert imported.returncode == 0, imported.stderr
    assert "imported tenant 'demo' (4 skills, 4 teams, 6 queues, 20 agents" in imported.stdout
    exported = _hotline(tmp_path, "config", "export", "--tenant", "demo", "demo.yaml")
    assert exported.returncode == 0, exported.stderr
    text = (tmp_path / "demo.yaml").read_text(encoding="utf-8")

    (tmp_path / "bad.yaml").write_text(
        text.replace("to: delivery_expert", "to: expert").replace("- id: '1020'", "- id: 1020"),
        encoding="utf-8")
    refused = _hotline(tmp_path, "config", "import", "bad.yaml", "--replace")
    assert refused.returncode == 2
    assert "agents[19].id (line " in refused.stderr and "1020 must be text" in refused.stderr

    again = _hotline(tmp_path, "config", "import", "demo.yaml", "--replace")
    assert again.returncode == 0, again.stderr
    assert "imported tenant 'demo'" in again.stdout
