"""Benchmark (issue 6): 100,000 pending reminders of which 10,000 are due, delivered by email to
a local SMTP sink (a separate process on loopback). Prints the time, messages per second and
duplicates. Target: under 60 s on a two-core machine, zero duplicates.

    make bench-reminders
    MDT_BENCH_DATABASE_URL=postgresql+psycopg://... python benchmarks/bench_reminders.py \\
        [--pending 100000] [--due 10000] [--senders 2]

``--senders N`` runs N sweeping processes at once (each claims and sends, as N Celery workers
would); their claims never overlap, which the duplicate count checks. Without
MDT_BENCH_DATABASE_URL a temporary SQLite file is used (one sender is then the sensible choice).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import func, insert, select  # noqa: E402

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402


def _sender(url: str, smtp_url: str, out) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing", "MDT_SMTP_URL": smtp_url})
    with app.app_context():
        from mdt.reminders.sending import deliver, sweep

        totals: Counter = Counter()
        sweep(dispatch=lambda ids, token: totals.update(deliver(ids, token)), limit=10**9)
        out.put(dict(totals))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=2)
    args = parser.parse_args()
    url = fresh_database_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing"})
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.demo.data import load_demo
        from mdt.directory.models import Mdt, Member
        from mdt.meetings.models import ActionItem
        from mdt.reminders.models import Reminder

        upgrade()
        load_demo()
        mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).one()
        people = db.session.execute(select(Member.id, Member.agency_id).where(Member.mdt_id == mdt.id)).all()
        coordinator = db.session.scalars(
            select(Member.id).where(Member.email == "coordinator@example.org")
        ).one()
        now = datetime.now(UTC)
        rng = random.Random(6)
        # Sources: 1,000 open action items (inserted directly, so no reminders are derived).
        item_ids = db.session.scalars(
            insert(ActionItem).returning(ActionItem.id),
            [
                {
                    "mdt_id": mdt.id,
                    "title": "Follow up",
                    "owner_agency_id": rng.choice(people).agency_id,
                    "due_on": date.today() + timedelta(days=rng.randint(0, 60)),
                    "created_by_id": coordinator,
                    "created_at": now,
                }
                for _ in range(1000)
            ],
        ).all()
        db.session.execute(db.text("DELETE FROM reminder"))
        start = time.perf_counter()
        batch = []
        for n in range(args.pending):
            member_id = people[n % len(people)].id
            due = n < args.due
            batch.append(
                {
                    "key": f"bench:{n}",
                    "mdt_id": mdt.id,
                    "member_id": member_id,
                    "source_type": "action",
                    "source_id": item_ids[n % len(item_ids)],
                    "purpose": "reminder",
                    "lead": "due",
                    "channel": "email",
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "scheduled_at": now - timedelta(minutes=rng.randint(1, 600))
                    if due
                    else now + timedelta(hours=rng.randint(1, 24 * 60)),
                }
            )
            if len(batch) == 10_000:
                db.session.execute(insert(Reminder), batch)
                batch = []
        if batch:
            db.session.execute(insert(Reminder), batch)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE reminder"))
            db.session.commit()
        print(
            f"{url.split(':')[0]}: {args.pending:,} pending reminders ({args.due:,} due) "
            f"loaded in {time.perf_counter() - start:.1f} s"
        )

    from tests.smtp_sink import free_port

    port = free_port()
    ids_file = Path(tempfile.mkdtemp(prefix="mdt-sink-")) / "ids.txt"
    sink = subprocess.Popen(
        [sys.executable, "-m", "tests.smtp_sink", "--port", str(port), "--ids", str(ids_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    sink.stdout.readline()  # "SMTP sink on ..."
    try:
        ctx = multiprocessing.get_context("spawn")
        out = ctx.Queue()
        start = time.perf_counter()
        senders = [
            ctx.Process(target=_sender, args=(url, f"smtp://127.0.0.1:{port}", out))
            for _ in range(args.senders)
        ]
        for p in senders:
            p.start()
        results = [out.get() for _ in senders]
        for p in senders:
            p.join()
        elapsed = time.perf_counter() - start
        time.sleep(0.5)
    finally:
        sink.terminate()
        sink.wait()
    received = Counter(ids_file.read_text().split())
    totals: Counter = Counter()
    for r in results:
        totals.update(r)
    with app.app_context():
        from mdt.reminders.models import Reminder

        status = dict(
            db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all()
        )
    duplicates = sum(received.values()) - len(received)
    print(
        f"{args.senders} sender process(es): {totals['sent']:,} sent in {elapsed:.1f} s "
        f"({totals['sent'] / elapsed:,.0f} messages/s); SMTP sink received {sum(received.values()):,} "
        f"messages for {len(received):,} reminders: {duplicates} duplicates"
    )
    print(f"outbox afterwards: {status}")


if __name__ == "__main__":
    main()
