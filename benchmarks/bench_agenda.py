"""Benchmark: propose a case-conference agenda for an MDT with 5,000 open cases (issue 5).

    make bench-agenda                # starts PostgreSQL via .ci/services.sh, then runs this
    MDT_BENCH_DATABASE_URL=postgresql+psycopg://... python benchmarks/bench_agenda.py [--cases N]
    python benchmarks/bench_agenda.py --database-url postgresql+psycopg://.../mdt_national \
        [--mdt UDN] [--runs 5] [--sql "ALTER TABLE ..."]

With ``--database-url`` an existing database (``flask demo load --national``) is measured as it
is: a meeting of the MDT is created for its first coordinator, and everything (the meeting, the
proposed items, the audit rows, and any ``--sql`` statements run first, such as the DDL of a
migration not applied there yet) is rolled back at the end; nothing is written.

Without MDT_BENCH_DATABASE_URL a temporary SQLite file is used. Loads the demo data, N synthetic
open cases, 300 overdue action items and 200 overdue referrals, then times `proposals()` (reading
what the agenda should hold) and `propose_agenda()` (replacing the proposed items), printing
p50/p95 and the number of SQL statements. Numbers are printed, not asserted; the query count
staying flat as cases grow is asserted in tests/test_meetings.py.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import event, insert, select, text  # noqa: E402

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402


def _stats(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def _conference(coordinator):
    """A case conference in two days, hosted by the coordinator's agency (its agenda proposed)."""
    from mdt.meetings import services

    return services.create_meeting(
        coordinator,
        {
            "title": "Case conference",
            "kind": "case_conference",
            "starts_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "host_agency_id": coordinator.agency_id,
        },
    )


def _measure(coordinator, meeting, runs: int, commit: bool) -> None:
    """Times proposals() and propose_agenda() ``runs`` times (after 3 warm-up runs) and prints
    p50/p95, the SQL statements of proposals() and the items proposed."""
    from mdt.meetings import services

    queries = {"n": 0}

    def count(*_args, **_kwargs):
        queries["n"] += 1

    read, write, per_run = [], [], []
    for run in range(runs + 3):
        queries["n"] = 0
        event.listen(db.engine, "before_cursor_execute", count)
        start = time.perf_counter()
        proposed = services.proposals(meeting)
        elapsed = (time.perf_counter() - start) * 1000
        event.remove(db.engine, "before_cursor_execute", count)
        if run >= 3:
            read.append(elapsed)
            per_run.append(queries["n"])
        start = time.perf_counter()
        items = services.propose_agenda(coordinator, meeting)
        if commit:
            db.session.commit()
        else:
            db.session.flush()
        if run >= 3:
            write.append((time.perf_counter() - start) * 1000)
    reasons: dict[str, int] = {}
    for p in proposed.items:
        reasons[p["reason"]] = reasons.get(p["reason"], 0) + 1
    print(
        f"{len(proposed.items)} items proposed {reasons}, {proposed.left_out:,} left out by the cap; "
        f"{items} items on the agenda"
    )
    p50, p95 = _stats(read)
    print(
        f"proposals() (read):          p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   {max(per_run)} SQL statements"
    )
    p50, p95 = _stats(write)
    label = "propose_agenda() + commit: " if commit else "propose_agenda() + flush:  "
    print(f"{label}  p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


def existing(args) -> None:
    """Measure on an existing database, writing nothing (everything is rolled back)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "MDT_ENV": "testing"})
    with app.app_context():
        from mdt.cases.models import Case
        from mdt.directory.models import Mdt, Member

        try:
            for statement in args.sql:
                db.session.execute(text(statement))
            mdt = db.session.scalars(select(Mdt).where(Mdt.code == args.mdt)).one()
            coordinator = next(
                m
                for m in db.session.scalars(
                    select(Member).where(Member.mdt_id == mdt.id, Member.active.is_(True)).order_by(Member.id)
                )
                if m.has_role("coordinator") and args.coordinator in (None, m.email)
            )
            cases = db.session.scalar(select(db.func.count()).select_from(Case).where(Case.mdt_id == mdt.id))
            meeting = _conference(coordinator)
            db.session.flush()
            print(f"{args.mdt}: {cases:,} cases; {coordinator.email}; meeting {meeting.id}, rolled back")
            _measure(coordinator, meeting, args.runs, commit=False)
        finally:
            db.session.rollback()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", help="measure this existing database; nothing is written")
    parser.add_argument("--mdt", default="UDN", help="with --database-url: the MDT's code")
    parser.add_argument(
        "--coordinator", help="with --database-url: the coordinator's email (the MDT's first)"
    )
    parser.add_argument(
        "--sql", action="append", default=[], help="with --database-url: run first, rolled back with the rest"
    )
    args = parser.parse_args()
    if args.database_url:
        existing(args)
        return
    url = fresh_database_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing"})
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.cases.models import Case
        from mdt.demo.data import add_synthetic_cases, load_demo
        from mdt.directory.models import Agency, Mdt, Member
        from mdt.meetings.models import ActionItem
        from mdt.referrals.models import Referral

        upgrade()
        load_demo()
        mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).one()
        add_synthetic_cases(mdt, args.cases)
        db.session.commit()
        coordinator = db.session.scalars(
            select(Member).where(Member.email == "coordinator@example.org")
        ).one()
        agency_ids = list(db.session.scalars(select(Agency.id).where(Agency.mdt_id == mdt.id)))
        case_ids = list(
            db.session.scalars(select(Case.id).where(Case.mdt_id == mdt.id, Case.stage != "closed"))
        )
        rng = random.Random(5)
        today = date.today()
        db.session.execute(
            insert(ActionItem),
            [
                {
                    "mdt_id": mdt.id,
                    "case_id": rng.choice(case_ids),
                    "title": "Follow up",
                    "owner_agency_id": rng.choice(agency_ids),
                    "due_on": today - timedelta(days=rng.randint(1, 60)),
                    "created_by_id": coordinator.id,
                    "created_at": datetime.now(UTC),
                }
                for _ in range(300)
            ],
        )
        template = db.session.scalars(select(Referral)).first()
        if template is not None:
            db.session.execute(
                insert(Referral),
                [
                    {
                        "mdt_id": mdt.id,
                        "case_id": rng.choice(case_ids),
                        "service": template.service,
                        "from_agency_id": template.from_agency_id,
                        "to_agency_id": template.to_agency_id,
                        "consent_id": template.consent_id,
                        "reason": "Synthetic",
                        "status": "pending",
                        "respond_by": today - timedelta(days=rng.randint(1, 30)),
                        "created_by_id": coordinator.id,
                    }
                    for _ in range(200)
                ],
            )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        open_cases = db.session.scalar(
            select(db.func.count()).select_from(Case).where(Case.mdt_id == mdt.id, Case.stage != "closed")
        )
        meeting = _conference(coordinator)
        db.session.commit()

        print(f"{url.split(':')[0]}: {open_cases:,} open cases in the MDT")
        _measure(coordinator, meeting, args.runs, commit=True)


if __name__ == "__main__":
    main()
