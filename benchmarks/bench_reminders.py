"""Benchmark (issues 6 and 17): N reminders due at once, delivered by Celery worker processes
through Redis to a local SMTP sink and the bell; prints the time, messages per second, and the
duplicates the SMTP server received. Target (issue 17): 100,000 within 5 minutes with two worker
processes, zero duplicates; and the throughput with four.

    make bench-reminders
    MDT_BENCH_DATABASE_URL=postgresql+psycopg://... MDT_TEST_REDIS_URL=redis://127.0.0.1:6379/15 \\
        python benchmarks/bench_reminders.py [--due 100000] [--workers 2 4]

The reminders are real: action items owned by the demo MDT's members, due yesterday, derived by
the reminder source as they were the morning before (one email and one bell reminder each, as
the default channels). The sweep runs in this process, as beat would, claiming batches of 100
(``FOR UPDATE SKIP LOCKED``) and handing them to the workers; each claim also derives the next
reminder of each item (the next morning's, since the item is overdue). Each worker process is a
``celery worker --pool=solo`` (one process, one task at a time), started and stopped here.

``--cpu N`` measures instead where the CPU goes, the machine's load aside: N reminders claimed
and delivered in this one process (batches of 100, to the SMTP sink), and the CPU time of each
part per message: the claim with its derivation of the next reminders, the delivery, the
PostgreSQL backend serving them (read from ``/proc``, so on the same machine) and the sink.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import time as daytime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import func, insert, select, text  # noqa: E402

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import clock, create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402

SEND_TASK = "workers.tasks.send_reminders"


def _start_sink() -> tuple[subprocess.Popen, int, Path]:
    """The SMTP sink in a process of its own: it writes the id of each message it takes to the
    file returned (what counts the messages and their duplicates)."""
    from tests.smtp_sink import free_port

    port = free_port()
    ids_file = Path(tempfile.mkdtemp(prefix="mdt-sink-")) / "ids.txt"
    sink = subprocess.Popen(
        [sys.executable, "-m", "tests.smtp_sink", "--port", str(port), "--ids", str(ids_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout is not None
    sink.stdout.readline()  # "SMTP sink on ..."
    return sink, port, ids_file


def _prepare(app, due: int) -> None:
    from mdt.directory.models import Mdt, Member
    from mdt.meetings.models import ActionItem
    from mdt.reminders.derive import sync
    from mdt.reminders.models import Reminder

    with app.app_context():
        db.session.execute(text("DELETE FROM notification"))
        db.session.execute(text("DELETE FROM reminder"))
        db.session.execute(text("DELETE FROM action_item"))
        db.session.commit()
        mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).one()
        members = db.session.execute(
            select(Member.id, Member.agency_id).where(Member.mdt_id == mdt.id, Member.active.is_(True))
        ).all()
        today = clock.today(mdt)
        yesterday = today - timedelta(days=1)
        t = time.perf_counter()
        items = due // 2  # an email and a bell reminder each
        ids = db.session.scalars(
            insert(ActionItem).returning(ActionItem.id, sort_by_parameter_order=True),
            [
                {
                    "mdt_id": mdt.id,
                    "title": "Follow up",
                    "owner_agency_id": members[n % len(members)].agency_id,
                    "owner_id": members[n % len(members)].id,
                    "due_on": yesterday,
                    "created_by_id": members[0].id,
                    "created_at": clock.now() - timedelta(days=2),
                }
                for n in range(items)
            ],
        ).all()
        # Derived as the morning before: due at 08:00 yesterday, so due now.
        sync("action", ids, now=clock.at(yesterday, daytime(6, 0), mdt))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        n = db.session.scalar(select(func.count()).select_from(Reminder).where(Reminder.status == "pending"))
        took = time.perf_counter() - t
        print(f"{items:,} overdue action items, {n:,} reminders due, prepared in {took:.1f} s")


def _worker(url: str, redis: str, smtp: str, instance: Path, name: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            "MDT_ENV": "testing",
            "MDT_DATABASE_URL": url,
            "MDT_INSTANCE_PATH": str(instance),
            "MDT_REDIS_URL": redis,
            "MDT_SMTP_URL": smtp,
            "MDT_HEARTBEAT_SECONDS": "3600",
            "MDT_EXPIRY_SECONDS": "3600",
        }
    )
    args = [sys.executable, "-m", "celery", "-A", "workers.worker", "worker", "--pool=solo"]
    args += ["--loglevel=WARNING", "-n", f"{name}@%h", "--prefetch-multiplier=1", "--without-gossip"]
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _run(app, url: str, redis: str, workers: int, due: int) -> dict:
    from celery import Celery

    from mdt.reminders.models import Reminder
    from mdt.reminders.sending import sweep

    _prepare(app, due)
    sink, port, ids_file = _start_sink()
    instance = Path(tempfile.mkdtemp(prefix="mdt-workers-"))
    procs = [_worker(url, redis, f"smtp://127.0.0.1:{port}", instance, f"w{i}") for i in range(workers)]
    sender = Celery(broker=redis)
    try:
        time.sleep(3)  # the workers connect to Redis
        with app.app_context():
            start = time.perf_counter()
            cutoff = clock.now()
            handed = 0
            while True:
                handed += sweep(
                    dispatch=lambda ids, token: sender.send_task(SEND_TASK, args=[ids, token]), limit=10**9
                )
                left = db.session.scalar(
                    select(func.count())
                    .select_from(Reminder)
                    .where(Reminder.status.in_(("pending", "sending")), Reminder.scheduled_at <= cutoff)
                )
                db.session.commit()
                if not left:
                    break
                if time.perf_counter() - start > 1800:
                    raise SystemExit("not done after 30 minutes")
                time.sleep(0.5)
            elapsed = time.perf_counter() - start
            status = dict(
                db.session.execute(
                    select(Reminder.status, func.count())
                    .where(Reminder.scheduled_at <= cutoff)
                    .group_by(Reminder.status)
                ).all()
            )
            following = db.session.scalar(
                select(func.count()).select_from(Reminder).where(Reminder.scheduled_at > cutoff)
            )
            db.session.commit()
    finally:
        for p in procs:
            try:
                os.killpg(p.pid, 15)
            except ProcessLookupError:
                pass
        for p in procs:
            p.wait(timeout=30)
        time.sleep(0.5)
        sink.terminate()
        sink.wait()
    received = Counter(ids_file.read_text().split())
    return {
        "workers": workers,
        "seconds": elapsed,
        "handed": handed,
        "status": status,
        "emails": sum(received.values()),
        "duplicates": sum(received.values()) - len(received),
        "following": following,
    }


def _cpu_of(pid: int) -> float:
    """User and system CPU seconds of a process on this machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu(app, due: int) -> None:
    from mdt.reminders.sending import claim, deliver

    _prepare(app, due)
    sink, port, ids_file = _start_sink()
    app.config["MDT_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        with app.app_context():
            backend = db.session.scalar(text("SELECT pg_backend_pid()"))
            db.session.commit()
            n, claiming, delivering = 0, 0.0, 0.0
            pg, smtp, start = _cpu_of(backend), _cpu_of(sink.pid), time.perf_counter()
            while True:
                t = time.process_time()
                token, ids = claim(100)
                claiming += time.process_time() - t
                if not ids:
                    break
                t = time.process_time()
                deliver(ids, token)
                delivering += time.process_time() - t
                n += len(ids)
            took = time.perf_counter() - start
            pg, smtp = _cpu_of(backend) - pg, _cpu_of(sink.pid) - smtp
    finally:
        sink.terminate()
        sink.wait()
    parts = {"claim": claiming, "deliver": delivering, "PostgreSQL": pg, "SMTP sink": smtp}
    each = ", ".join(f"{name} {1000 * cpu / n:.2f}" for name, cpu in parts.items())
    print(
        f"{n:,} delivered in one process in {took:.1f} s; CPU ms per message: {each}, "
        f"total {1000 * sum(parts.values()) / n:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--due", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--cpu", type=int, metavar="N", help="CPU per message of N, in this process")
    args = parser.parse_args()
    redis = os.environ.get("MDT_TEST_REDIS_URL") or os.environ.get("MDT_REDIS_URL")
    if not redis and not args.cpu:
        raise SystemExit("Set MDT_TEST_REDIS_URL (make bench-reminders starts Redis).")
    url = fresh_database_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing"})
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.demo.data import load_demo

        upgrade()
        load_demo()
        db.session.commit()
    if args.cpu:
        if not url.startswith("postgresql"):
            raise SystemExit("--cpu reads the PostgreSQL backend's CPU: set MDT_BENCH_DATABASE_URL")
        _cpu(app, args.cpu)
        return
    for workers in args.workers:
        r = _run(app, url, redis, workers, args.due)
        sent = r["status"].get("sent", 0)
        print(
            f"{workers} worker process(es): {sent:,} sent in {r['seconds']:.1f} s "
            f"({sent / r['seconds']:,.0f} messages/s); SMTP sink received {r['emails']:,} emails, "
            f"{r['duplicates']} duplicates; outbox of the due ones {r['status']}; "
            f"the next ones derived at claim time: {r['following']:,}"
        )


if __name__ == "__main__":
    main()
