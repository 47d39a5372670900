"""Reminders through real Celery workers on a real Redis, to a real SMTP server on loopback
(issue 6, reliability): flushing Redis loses nothing, and killing a worker in the middle of a
batch loses nothing and repeats at most the message that was in flight."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mdt import clock
from mdt.extensions import db
from mdt.meetings import services as meetings
from mdt.reminders import sending
from mdt.reminders.models import Reminder
from tests import factories as f
from tests.conftest import need
from tests.smtp_sink import Sink
from tests.support import celery, redis_url, wait_for

pytestmark = pytest.mark.real_clock  # worker processes read the real clock

ROOT = Path(__file__).resolve().parent.parent


def _meetings(world, n: int) -> None:
    for i in range(n):
        meeting = meetings.create_meeting(
            world["coordinator"],
            {
                "title": f"Meeting {i}",
                "kind": "regular",
                "starts_at": f.at(10 + i),
                "host_agency_id": world.agencies["sw"].id,
                "invited_agency_ids": [world.agencies["labour"].id],
            },
        )
        meetings.add_item(world["coordinator"], meeting, {"title": "Planning"})
        meetings.publish(world["coordinator"], meeting)
    db.session.commit()
    f.due_now()


def _worker(app, tmp_path, redis_url, smtp_url, *, beat: bool, name: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            "MDT_ENV": "testing",
            "MDT_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "MDT_INSTANCE_PATH": str(tmp_path / "instance"),
            "MDT_REDIS_URL": redis_url,
            "MDT_SMTP_URL": smtp_url,
            "MDT_SWEEP_SECONDS": "1",
            "MDT_REMINDER_LEASE_SECONDS": "3",
            "MDT_HEARTBEAT_SECONDS": "3600",
            "MDT_EXPIRY_SECONDS": "3600",
        }
    )
    args = celery(
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "-n",
        f"{name}@%h",
        "--prefetch-multiplier=1",
    )
    if beat:
        args += ["-B", "--schedule", str(tmp_path / f"beat-{name}")]
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen, hard: bool = False) -> str:
    try:
        os.killpg(proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        return proc.communicate(timeout=20)[0] or ""
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.communicate()[0] or ""


def _all_email_sent(app):
    return wait_for(
        app,
        lambda: (
            db.session.scalar(
                select(func.count())
                .select_from(Reminder)
                .where(
                    Reminder.channel == "email",
                    Reminder.status != "sent",
                    Reminder.scheduled_at <= clock.now(),  # the next ones (a day before) wait
                )
            )
            == 0
        ),
        timeout=90,
    )


def test_flushing_redis_loses_nothing(world, app, tmp_path):
    url, why = redis_url()
    need("Redis", url is not None, why)
    from celery import Celery

    _meetings(world, 2)
    emails = db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.channel == "email"))
    sender = Celery(broker=url)
    handed = sending.sweep(
        dispatch=lambda ids, token: sender.send_task("workers.tasks.send_reminders", args=[ids, token])
    )
    assert handed > emails > 0
    import redis

    redis.Redis.from_url(url).flushdb()  # every queued send task is gone
    with Sink() as sink:
        proc = _worker(app, tmp_path, url, sink.url, beat=True, name="flush")
        try:
            done = _all_email_sent(app)
        finally:
            output = _stop(proc)
        assert done, output[-3000:]
        counts = Counter(m["X-MDT-Reminder"] for m in sink.messages)
        assert len(counts) == emails and max(counts.values()) == 1


def test_killing_a_worker_mid_batch_repeats_at_most_one(world, app, tmp_path):
    url, why = redis_url()
    need("Redis", url is not None, why)
    from celery import Celery

    _meetings(world, 4)
    emails = db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.channel == "email"))
    with Sink(delay=0.3) as sink:
        first = _worker(app, tmp_path, url, sink.url, beat=False, name="first")
        try:
            sender = Celery(broker=url)
            sending.sweep(
                batch=1000,
                dispatch=lambda ids, token: sender.send_task(
                    "workers.tasks.send_reminders", args=[ids, token]
                ),
            )
            deadline = time.monotonic() + 60
            while len(sink.messages) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(sink.messages) >= 3, "the first worker sent nothing"
        finally:
            _stop(first, hard=True)  # kill -9 in the middle of the batch
        before = len(sink.messages)
        assert before < emails
        second = _worker(app, tmp_path, url, sink.url, beat=True, name="second")
        try:
            done = _all_email_sent(app)
        finally:
            output = _stop(second)
        assert done, output[-3000:]
        counts = Counter(m["X-MDT-Reminder"] for m in sink.messages)
        assert len(counts) == emails
        assert sum(counts.values()) - len(counts) <= 1  # at most the one in flight, once
