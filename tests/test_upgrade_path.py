"""The upgrade path (docs/deploy.md, "Upgrading without downtime"): the previous release's own web
and API tests pass against the schema this tree's migrations build, so it keeps serving between
``flask db upgrade`` and the restart onto this release. Runs scripts/upgrade_check.py: on
PostgreSQL in the PostgreSQL pass (a database of its own, ``<name>_upgrade``), else on SQLite.
About a minute either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL, need

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.real_clock
def test_the_previous_release_serves_on_the_new_schema(tmp_path):
    commit = next(
        line.strip()
        for line in (ROOT / ".ci" / "previous-release").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    known = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-t", commit], capture_output=True, text=True)
    need("the previous release in git history", known.stdout.strip() == "commit", known.stderr.strip())
    env = {**os.environ, "MDT_TEST_DATABASE_URL": PG_URL or "", "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "upgrade_check.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert " passed" in result.stdout and "upgrade check passed" in result.stdout
