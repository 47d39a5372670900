"""Benchmark: the figures dashboard and the de-identified export on 100,000 synthetic cases in
PostgreSQL (each with a migration episode, a third with a referral).

    make bench-reports               # starts PostgreSQL via .ci/services.sh, then runs this
    MDT_BENCH_DATABASE_URL=postgresql+psycopg://... python benchmarks/bench_reports.py [--cases N]

Printed: p50/p95 of the dashboard page for a year (and of the summary alone) for the coordinator,
the number of SQL statements it makes, and how long the export of every case takes as CSV and as
XLSX. Numbers are printed, not asserted. The database named by MDT_BENCH_DATABASE_URL is wiped.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import event, insert, select, text  # noqa: E402

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402

COUNTRIES = ["MY", "KR", "TW", "JP", "IL", "SA", "SG", "SE", "FI", "AE"]
SECTORS = ["agriculture", "domestic_work", "manufacturing", "construction", "fishing", "care"]


def _p(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def _fill(mdt, n: int) -> None:
    """Episodes for every case, and referrals for a third of them (bulk inserts)."""
    from mdt.cases.models import Case, Episode
    from mdt.directory.models import Agency, Member
    from mdt.referrals.models import Referral

    rng = random.Random(14)
    agencies = list(db.session.scalars(select(Agency.id).where(Agency.mdt_id == mdt.id)))
    member = db.session.scalars(select(Member.id).where(Member.mdt_id == mdt.id)).first()
    rows = db.session.execute(
        select(Case.id, Case.lead_agency_id, Case.created_at).where(Case.mdt_id == mdt.id)
    ).all()
    for start in range(0, len(rows), 5000):
        chunk = rows[start : start + 5000]
        db.session.execute(
            insert(Episode),
            [
                {"case_id": r.id, "destination_country": rng.choice(COUNTRIES), "sector": rng.choice(SECTORS)}
                for r in chunk
            ],
        )
        referrals = []
        for r in chunk:
            if rng.random() > 0.33:
                continue
            status = rng.choice(["pending", "accepted", "completed", "completed", "declined", "expired"])
            answered = r.created_at + timedelta(days=rng.randint(1, 10)) if status != "pending" else None
            referrals.append(
                {
                    "mdt_id": mdt.id,
                    "case_id": r.id,
                    "from_agency_id": r.lead_agency_id,
                    "to_agency_id": rng.choice(agencies),
                    "service": rng.choice(["legal_aid", "job_placement", "medical", "shelter"]),
                    "respond_by": (r.created_at + timedelta(days=7)).date(),
                    "status": status,
                    "created_by_id": member,
                    "created_at": r.created_at,
                    "answered_at": answered if status not in ("pending", "expired") else None,
                    "decline_reason": "No capacity" if status == "declined" else None,
                    "outcome": rng.choice(["received", "received", "not_received"])
                    if status == "completed"
                    else None,
                    "completed_at": answered + timedelta(days=rng.randint(1, 30))
                    if status == "completed"
                    else None,
                }
            )
        if referrals:
            db.session.execute(insert(Referral), referrals)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    if not os.environ.get("MDT_BENCH_DATABASE_URL"):
        raise SystemExit("set MDT_BENCH_DATABASE_URL (make bench-reports does)")
    url = fresh_database_url()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "MDT_ENV": "testing",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        from mdt import clock
        from mdt.demo.data import add_synthetic_cases, load_demo
        from mdt.directory.models import Mdt, Member

        upgrade()
        load_demo()
        mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).one()
        start = time.perf_counter()
        add_synthetic_cases(mdt, args.cases)
        _fill(mdt, args.cases)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(
            f"loaded {args.cases:,} cases with episodes and referrals in {time.perf_counter() - start:.1f} s"
        )
        today = clock.today(mdt)
        year_ago = today - timedelta(days=365)
        coordinator = db.session.scalars(
            select(Member).where(Member.email == "coordinator@example.org")
        ).one()

        from mdt.reports import services as reports

        for label, first in (("a quarter", today - timedelta(days=91)), ("a year", year_ago)):
            period = reports.Period(first, today)
            samples = []
            for _ in range(args.requests):
                t = time.perf_counter()
                figures = reports.summary(coordinator, [mdt], period)
                samples.append((time.perf_counter() - t) * 1000)
                db.session.rollback()
            p50, p95 = _p(samples)
            print(
                f"summary for {label} ({figures['reached']['total']} people reached):"
                f" p50 {p50:.0f} ms, p95 {p95:.0f} ms"
            )

    client = app.test_client()
    assert (
        client.post(
            "/login", data={"email": "coordinator@example.org", "password": "demo-password"}
        ).status_code
        == 302
    )
    quarter_ago = today - timedelta(days=91)
    statements = []

    def count(*_args):
        statements.append(1)

    for label, first in (("a quarter", quarter_ago), ("a year", year_ago)):
        path = f"/reports?from={first.isoformat()}&to={today.isoformat()}"
        with app.app_context():
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", count)
            client.get(path)
            counted = len(statements)
            event.remove(db.engine, "before_cursor_execute", count)
        samples = []
        for _ in range(args.requests):
            t = time.perf_counter()
            r = client.get(path)
            samples.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.status_code
        p50, p95 = _p(samples)
        print(f"dashboard page for {label}: p50 {p50:.0f} ms, p95 {p95:.0f} ms, {counted} SQL statements")

    with app.app_context():
        from mdt.reports import export

        coordinator = db.session.scalars(
            select(Member).where(Member.email == "coordinator@example.org")
        ).one()
        for fmt in ("csv", "xlsx"):
            asked = export.request_export(
                coordinator,
                {
                    "kind": "deidentified",
                    "format": fmt,
                    "from": today.replace(year=today.year - 4, day=1).isoformat(),  # at most five years
                    "to": today.isoformat(),
                    "k": 5,
                },
            )
            db.session.commit()
            t = time.perf_counter()
            made = export.make(asked.id)
            db.session.commit()
            seconds = time.perf_counter() - t
            assert made is not None
            size = (export.folder() / made.filename).stat().st_size
            print(
                f"export {fmt}: {made.rows:,} rows ({made.generalised:,} generalised,"
                f" {made.suppressed:,} left out) in {seconds:.1f} s, {size / 1e6:.1f} MB"
            )


if __name__ == "__main__":
    main()
