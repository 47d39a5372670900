"""Benchmark: compute 10,000 deadlines, then recompute them after a closure day is added.

    python benchmarks/bench_deadlines.py [--deadlines N]

1. The engine alone: N computations (rule x trigger date) against the Thai court calendar.
2. Through the services and the database (MDT_BENCH_DATABASE_URL for PostgreSQL, else a
   temporary SQLite file): N open deadlines on 100 matters, then an admin adds a closure day and
   every open deadline of that jurisdiction is recomputed (the ones that move get a history row and
   a notification). Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import func, insert, select  # noqa: E402

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402
from mdt.legal.calendar import CourtCalendar, Period, compute  # noqa: E402


def engine_only(n: int) -> float:
    rng = random.Random(1)
    calendar = CourtCalendar("TH")
    periods = [
        Period(15, "days"),
        Period(1, "months"),
        Period(3, "months"),
        Period(15, "years"),
        Period(30, "days"),
        Period(0, "days", -1, "backward"),
    ]
    starts = [date(2020, 1, 1) + timedelta(days=rng.randint(0, 2500)) for _ in range(n)]
    compute(starts[0], periods[0], calendar)  # warm the holiday cache for the first year
    t = time.perf_counter()
    for i, start in enumerate(starts):
        compute(start, periods[i % len(periods)], calendar)
    return time.perf_counter() - t


def through_services(n: int) -> tuple[float, float, int]:
    url = fresh_database_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing"})
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.directory.models import Agency, Mdt, Member
        from mdt.legal import services as legal
        from mdt.legal.models import Deadline, DeadlineRule, LegalMatter, MatterEvent, MatterLawyer
        from mdt.reminders.models import Reminder

        upgrade()
        mdt = Mdt(code="BEN", name="Bench", timezone="Asia/Bangkok", country="TH", currency="THB")
        db.session.add(mdt)
        db.session.flush()
        agency = Agency(mdt_id=mdt.id, name="Legal aid", kind="legal_aid", level="province")
        db.session.add(agency)
        db.session.flush()
        admin = Member(mdt_id=mdt.id, agency_id=agency.id, email="a@b.c", name="Admin", roles=["admin"])
        lawyer = Member(mdt_id=mdt.id, agency_id=agency.id, email="l@b.c", name="Lawyer", roles=["lawyer"])
        db.session.add_all([admin, lawyer])
        db.session.flush()
        rule = db.session.scalars(select(DeadlineRule).where(DeadlineRule.code == "TH-1")).one()
        matters = []
        for i in range(100):
            m = LegalMatter(
                mdt_id=mdt.id, kind="labour", jurisdiction="TH", title=f"Matter {i}", created_by_id=lawyer.id
            )
            db.session.add(m)
            matters.append(m)
        db.session.flush()
        db.session.execute(
            insert(MatterLawyer), [{"matter_id": m.id, "member_id": lawyer.id} for m in matters]
        )
        rng = random.Random(2)
        today = date.today()
        events = [
            {
                "matter_id": matters[i % 100].id,
                "kind": "judgment_read",
                "occurred_on": today - timedelta(days=rng.randint(0, 14)),
                "recorded_by_id": lawyer.id,
            }
            for i in range(n)
        ]
        event_ids = db.session.scalars(
            insert(MatterEvent).returning(MatterEvent.id, sort_by_parameter_order=True), events
        ).all()
        calendar = CourtCalendar("TH")
        t = time.perf_counter()
        rows = []
        for event_id, ev in zip(event_ids, events, strict=False):
            result = compute(ev["occurred_on"], Period(rule.amount, rule.unit), calendar)
            rows.append(
                {
                    "matter_id": ev["matter_id"],
                    "event_id": event_id,
                    "rule_id": rule.id,
                    "title": rule.title,
                    "due_on": result.due_on,
                    "citation": rule.citation,
                    "verified": True,
                    "trace": result.trace,
                    "status": "open",
                }
            )
        ids = db.session.scalars(
            insert(Deadline).returning(Deadline.id, sort_by_parameter_order=True), rows
        ).all()
        db.session.commit()
        create_seconds = time.perf_counter() - t
        # Their reminders, as the services derive them when a deadline is created: the recompute
        # then moves real outbox rows (cancels the old ones, adds the new ones).
        t = time.perf_counter()
        from mdt.legal.signals import deadline_changed
        from mdt.signals import send

        send(deadline_changed, ids)
        db.session.commit()
        reminders = db.session.scalar(select(func.count()).select_from(Reminder))
        print(
            f"reminders of the {n:,} deadlines derived: {reminders:,} rows in {time.perf_counter() - t:.3f} s"
        )
        # The busiest due date: closing it moves the most deadlines.
        busiest = max(set(r["due_on"] for r in rows), key=lambda d: sum(r["due_on"] == d for r in rows))
        t = time.perf_counter()
        _closure, moved = legal.save_closure(
            admin, {"jurisdiction": "TH", "day": busiest.isoformat(), "reason": "benchmark closure"}
        )
        db.session.commit()
        recompute_seconds = time.perf_counter() - t
        by_status = dict(
            db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status)).all()
        )
        print(f"reminders after the recompute: {by_status}")
        return create_seconds, recompute_seconds, len(moved)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deadlines", type=int, default=10_000)
    args = parser.parse_args()
    n = args.deadlines
    seconds = engine_only(n)
    print(f"engine: {n:,} deadlines computed in {seconds:.3f} s ({seconds / n * 1e6:.1f} µs each)")
    create_seconds, recompute_seconds, moved = through_services(n)
    where = "PostgreSQL" if os.environ.get("MDT_BENCH_DATABASE_URL") else "SQLite"
    print(f"{where}: {n:,} deadlines computed and stored in {create_seconds:.3f} s")
    print(
        f"{where}: closure day added, {n:,} open deadlines recomputed in {recompute_seconds:.3f} s "
        f"({moved:,} moved, each with a history row and a notification)"
    )


if __name__ == "__main__":
    main()
