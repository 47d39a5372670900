"""Benchmark (issue 17): the national dashboard, against an already loaded database (the national
data: ``flask --app mdt demo load --national``).

    python benchmarks/bench_dashboard.py --database-url postgresql+psycopg://.../mdt_national \\
        [--runs 5] [--member viewer1.national@national.example.org] [--parts] [--page] [--check FILE]

Times, in-process, ``reports.summary`` for a national viewer over every MDT for the last three and
the last twelve whole months (p50 and max of ``--runs``); ``--parts`` times each part of it
(people reached, served, referrals, legal, meetings, cases open too long, risk) once per run,
``--page`` the dashboard page through the test client, signed in as the viewer. ``--check FILE``
writes the figures (JSON) to FILE the first time and compares them with it afterwards, so that a
change can be shown to leave every figure identical. Nothing is written but the sign-in.
Target: under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import event, select  # noqa: E402

from mdt import clock, create_app  # noqa: E402
from mdt.directory.models import Member  # noqa: E402
from mdt.extensions import db  # noqa: E402
from mdt.reports import services as reports  # noqa: E402


def _parts(user, period) -> dict:
    """Each part of ``summary``, as it calls them (the MDTs read again each time, as a request
    does: a rollback expires them)."""
    previous = period.previous()

    def mdts():
        return reports.scope(user, None)

    return {
        "reached": lambda: reports._people(user, mdts(), reports._reached(period)),
        "reached previous": lambda: reports._people_total(user, mdts(), reports._reached(previous)),
        "served": lambda: reports._people(user, m := mdts(), reports._served(m, period), months=False),
        "served previous": lambda: reports._people_total(user, m := mdts(), reports._served(m, previous)),
        "referrals": lambda: reports._referrals(user, mdts(), period),
        "legal": lambda: reports._legal(user, mdts(), period),
        "meetings": lambda: reports._meetings(mdts(), period),
        "open too long": lambda: reports._open_too_long(user, mdts(), reports.OPEN_DAYS),
        "risk": lambda: reports._risk(user, mdts(), period),
    }


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    ms = (time.perf_counter() - t) * 1000
    db.session.rollback()
    return ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("MDT_NATIONAL_DATABASE_URL"))
    parser.add_argument("--member", default="viewer1.national@national.example.org")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--parts", action="store_true")
    parser.add_argument("--page", action="store_true")
    parser.add_argument("--check")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("give --database-url (a database loaded with flask demo load --national)")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": args.database_url,
            "MDT_ENV": "testing",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    periods = {}
    with app.app_context():
        user = db.session.scalars(select(Member).where(Member.email == args.member)).one()
        mdts = reports.scope(user, None)
        n_mdts = len(mdts)
        today = clock.today(user.mdt)
        for label, months in (("a quarter", 2), ("a year", 11)):
            periods[label] = reports.Period.whole_months(_months_before(today, months), today)
        figures = {}
        for label, period in periods.items():
            statements: list[int] = []

            def count(*_args, statements=statements):
                statements.append(1)

            event.listen(db.engine, "before_cursor_execute", count)
            figures[label] = reports.summary(user, reports.scope(user, None), period)
            event.remove(db.engine, "before_cursor_execute", count)
            db.session.rollback()
            samples = [
                _time(lambda period=period: reports.summary(user, reports.scope(user, None), period))
                for _ in range(args.runs)
            ]
            print(
                f"summary, {n_mdts} MDTs, {label} {period.start}..{period.end}"
                f" ({figures[label]['reached']['total']} people reached, {len(statements)} statements):"
                f" p50 {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms"
            )
            if args.parts:
                for name, fn in _parts(user, period).items():
                    part = [_time(fn) for _ in range(args.runs)]
                    print(f"    {name}: p50 {statistics.median(part):.0f} ms")
        if args.check:
            found = json.loads(json.dumps(figures, default=str))
            path = Path(args.check)
            if path.exists():
                same = json.loads(path.read_text()) == found
                print(f"figures {'identical to' if same else 'DIFFERENT from'} {path}")
                if not same:
                    path.with_suffix(".new.json").write_text(json.dumps(found, indent=1, sort_keys=True))
            else:
                path.write_text(json.dumps(found, indent=1, sort_keys=True))
                print(f"figures written to {path}")
    if args.page:
        client = app.test_client()
        r = client.post("/login", data={"email": args.member, "password": "demo-password"})
        assert r.status_code == 302, r.status_code
        for label, period in periods.items():
            path = f"/reports?from={period.start.isoformat()}&to={period.end.isoformat()}"
            samples = []
            for _ in range(args.runs):
                t = time.perf_counter()
                r = client.get(path)
                samples.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.status_code
            print(
                f"dashboard page, {label}: p50 {statistics.median(samples):.0f} ms, max {max(samples):.0f} ms"
            )


def _months_before(day, months: int):
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return day.replace(year=year, month=month + 1, day=1)


if __name__ == "__main__":
    main()
