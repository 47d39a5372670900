"""Celery worker and beat, run as real processes: on the embedded file-system broker, and on a
real Redis server. The beat task writes a heartbeat row that the admin status page shows."""

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from mdt.auth.models import WorkerHeartbeat
from mdt.extensions import db
from tests.conftest import need
from tests.support import celery, redis_url, wait_for

pytestmark = pytest.mark.real_clock  # worker processes read the real clock

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("broker", ["embedded", "redis"])
def test_worker_and_beat(app, world, tmp_path, broker):
    env = dict(os.environ)
    env.update(
        {
            "MDT_ENV": "testing",
            "MDT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MDT_INSTANCE_PATH": str(tmp_path / "instance"),
            "MDT_HEARTBEAT_SECONDS": "1",
        }
    )
    env.pop("MDT_REDIS_URL", None)
    if broker == "redis":
        url, why = redis_url()
        need("Redis", url is not None, why)
        env["MDT_REDIS_URL"] = url
    proc = subprocess.Popen(
        celery(
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=WARNING",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        beats = wait_for(
            app,
            lambda: db.session.scalar(
                select(WorkerHeartbeat.beats)
                .where(WorkerHeartbeat.name == "beat")
                .where(WorkerHeartbeat.beats >= 2)
            ),
        )
        if beats is None:
            proc.terminate()
            output = proc.communicate(timeout=20)[0]
            pytest.fail(f"no heartbeat from the {broker} worker:\n{output[-4000:]}")
        assert beats >= 2
        if broker == "redis":
            # A task sent from the web app through Redis runs in the worker process.
            from celery import Celery

            sender = Celery(broker=env["MDT_REDIS_URL"])
            sender.send_task("workers.tasks.heartbeat", args=["probe"])
            probe = wait_for(
                app,
                lambda: db.session.scalar(
                    select(WorkerHeartbeat.beats).where(WorkerHeartbeat.name == "probe")
                ),
            )
            assert probe == 1
            # A de-identified export asked for is made by the worker, its progress and file
            # written where the web app finds them (mdt.reports.export).
            from mdt.reports import export
            from mdt.reports.models import Export

            asked = export.request_export(
                world["coordinator"],
                {"kind": "deidentified", "format": "csv", "from": "2026-01-01", "to": "2026-12-31"},
            )
            db.session.commit()
            sender.send_task("workers.tasks.make_export", args=[asked.id])
            ready = wait_for(
                app,
                lambda: db.session.scalar(
                    select(Export.filename).where(Export.id == asked.id, Export.status == "ready")
                ),
            )
            assert ready and (tmp_path / "instance" / "exports" / ready).read_bytes().startswith(
                b"# MDT Case Tracker"
            )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_heartbeat_task_is_idempotent_counter(ctx):
    from workers.tasks import heartbeat

    assert heartbeat.run("unit") == 1
    assert heartbeat.run("unit") == 2


def test_status_page_shows_worker(world, client, auth):
    from workers.tasks import heartbeat

    auth.login("admin@test.org")
    assert "has not reported yet" in client.get("/directory/status").get_data(as_text=True)
    heartbeat("beat")  # through the task class: its own unit of work, committed
    assert "last seen" in client.get("/directory/status").get_data(as_text=True)
    auth.logout()
    auth.login("social@test.org")
    assert client.get("/directory/status").status_code == 403
