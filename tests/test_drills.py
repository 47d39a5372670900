"""The drills (issue 17, section 3) in their quick mode, on the real services: gunicorn, a Celery
worker and beat, an SMTP sink, each broken in turn under load (benchmarks/drills/run.py). Nothing
that was acknowledged may be lost, no reminder left unsent, none sent twice but the one in flight
when a worker is killed, and the load must succeed again without an operator.

Only on PostgreSQL (``MDT_TEST_DATABASE_URL``) with Redis (``MDT_TEST_REDIS_URL``). The drills get
a database of their own next to the test database (``<name>_drills``, dropped and made again) and
use the test Redis database. Restarting PostgreSQL would cut the connections of the rest of the
suite, which shares the server: that drill is left out here unless ``MDT_DRILLS_RESTART_POSTGRES=1``
(``python benchmarks/drills/run.py`` runs it). The disk drill mounts a tmpfs and needs root; as
another user it reports itself skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, need
from tests.support import redis_url

pytestmark = pytest.mark.real_clock  # the processes read the real clock

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_drills_lose_nothing(tmp_path):
    if not (PG_URL and PG_URL.startswith("postgresql")):
        pytest.skip("the drills run in the PostgreSQL pass of the suite (real services only)")
    url, why = redis_url()
    need("Redis", url is not None, why)
    test_db = make_url(PG_URL)
    drills_db = test_db.set(database=f"{test_db.database}_drills")
    out = tmp_path / "drills.json"
    argv = [
        sys.executable,
        str(ROOT / "benchmarks" / "drills" / "run.py"),
        "--quick",
        "--database-url",
        drills_db.render_as_string(hide_password=False),
        "--redis-url",
        str(url),
        "--json",
        str(out),
    ]
    if os.environ.get("MDT_DRILLS_RESTART_POSTGRES") != "1":
        argv += ["--skip", "postgres"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    results = json.loads(out.read_text())
    drills = {r["drill"]: r for r in results["results"]}
    assert {"worker", "redis", "gunicorn", "disk"} <= drills.keys()
    for r in drills.values():
        assert r["data_lost"] == 0, r
        assert r["recover_s"] is not None and r["recover_s"] < 30, r
        assert r["reminders_settled_s"] is not None, r
    assert drills["worker"]["sent_twice"] <= 2  # at most the message in flight in each of its 2 processes
    assert all(r["sent_twice"] == 0 for name, r in drills.items() if name != "worker")
    final = results["final"]
    assert final["writes_ok"] > 0 and final["writes_lost"] == [] and final["reminders_unsettled"] == 0
