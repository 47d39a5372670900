"""Production shape, end to end (issue 6): gunicorn, a Celery worker and Celery beat as three
separate processes on PostgreSQL and Redis. A lawyer schedules a hearing through the API; its
reminder reaches a real SMTP server on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mdt.extensions import db
from mdt.reminders.messages import FORBIDDEN
from mdt.reminders.models import Reminder
from tests import factories as f
from tests.conftest import need
from tests.smtp_sink import Sink, free_port
from tests.support import celery, redis_url, wait_for

pytestmark = pytest.mark.real_clock  # worker processes read the real clock

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _start(args, env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_http(url: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.25)
    return False


def test_gunicorn_worker_and_beat_deliver_a_hearing_reminder(world, app, tmp_path):
    db_url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not db_url.startswith("postgresql"):
        # Production is PostgreSQL: this test belongs to the PostgreSQL run of the suite, which CI
        # always makes (scripts/run-tests); on the SQLite run it has nothing to prove.
        pytest.skip("runs in the PostgreSQL run of the suite")
    broker, why = redis_url()
    need("Redis", broker is not None, why)
    case = f.client_case(world, "Suda")
    m = f.matter(world, [case])
    token = f.token(world["lawyer"])
    db.session.commit()
    port = free_port()
    with Sink() as sink:
        env = dict(os.environ)
        env.update(
            {
                "MDT_ENV": "production",
                "MDT_SECRET_KEY": "deployment-test-only-" + "x" * 32,
                "MDT_FILES_KEY": "0d" * 32,
                "MDT_DATABASE_URL": db_url,
                "MDT_REDIS_URL": broker,
                "MDT_SMTP_URL": sink.url,
                "MDT_BASE_URL": f"http://127.0.0.1:{port}",
                "MDT_SWEEP_SECONDS": "1",
                "MDT_INSTANCE_PATH": str(tmp_path / "instance"),
                "MDT_HEARTBEAT_SECONDS": "3600",
            }
        )
        procs = [
            _start(
                [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "mdt:create_app()"],
                env,
                tmp_path / "gunicorn.log",
            ),
            _start(
                celery(
                    "worker",
                    "--pool=solo",
                    "--loglevel=INFO",
                ),
                env,
                tmp_path / "worker.log",
            ),
            _start(
                celery(
                    "beat",
                    "--loglevel=INFO",
                    "--schedule",
                    str(tmp_path / "beat-schedule"),
                ),
                env,
                tmp_path / "beat.log",
            ),
        ]
        try:
            assert _wait_http(f"http://127.0.0.1:{port}/api/v1/health"), (
                tmp_path / "gunicorn.log"
            ).read_text()[-3000:]
            starts = (datetime.now(UTC) + timedelta(hours=30)).replace(microsecond=0)
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/legal-matters/{m.id}/hearings",
                method="POST",
                data=json.dumps(
                    {
                        "starts_at": starts.isoformat(),
                        "purpose": "Witnesses",
                        "location": "Central Labour Court, room 4",
                    }
                ).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as r:
                assert r.status == 201
                hearing_id = json.loads(r.read())["id"]
            deadline = time.monotonic() + 90
            mails = []
            while time.monotonic() < deadline and not mails:
                mails = [x for x in sink.messages if x["To"] == "lawyer@test.org"]
                time.sleep(0.25)
            logs = "\n".join(p.read_text()[-2000:] for p in tmp_path.glob("*.log"))
            assert mails, logs
            mail = mails[0]
            assert mail["Subject"].startswith("Reminder: court date on")
            assert f"http://127.0.0.1:{port}/matters/{m.id}" in mail.get_body(("plain",)).get_content()
            assert not any(word in mail.as_string().lower() for word in FORBIDDEN)
            assert "Suda" not in mail.as_string()
            sent = wait_for(
                app,
                lambda: db.session.scalars(
                    select(Reminder).where(
                        Reminder.source_type == "hearing",
                        Reminder.source_id == hearing_id,
                        Reminder.channel == "email",
                        Reminder.status == "sent",
                    )
                ).first(),
            )
            assert sent is not None and sent.member_id == world["lawyer"].id
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
