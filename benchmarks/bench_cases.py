"""Benchmark: 100,000 synthetic cases in PostgreSQL; p50/p95 of the case list, a filtered search
and the case page, beside a trivial route on the same app (the floor).

    make bench                       # starts PostgreSQL via .ci/services.sh, then runs this
    MDT_BENCH_DATABASE_URL=postgresql+psycopg://... python benchmarks/bench_cases.py [--cases N]
    python benchmarks/bench_cases.py --database-url URL --users a@x,b@y   # an already loaded one

Numbers are printed, not asserted. The database named by MDT_BENCH_DATABASE_URL is wiped; one
given by ``--database-url`` (say the national data of ``flask demo load --national``) is not
loaded or wiped (the pages write their audit rows).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import select, text  # noqa: E402

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402


def timed(client, path, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        r = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        if r.status_code != 200:
            raise SystemExit(f"{path} answered {r.status_code}")
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return p50, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="an already loaded database: nothing is loaded or wiped")
    parser.add_argument("--users", default="social@example.org,coordinator@example.org")
    parser.add_argument("--q", default="malee", help="the name searched")
    parser.add_argument("--district", default="Lom Sak")
    args = parser.parse_args()
    if not (args.database_url or os.environ.get("MDT_BENCH_DATABASE_URL")):
        raise SystemExit("set MDT_BENCH_DATABASE_URL (make bench does) or give --database-url")
    url = args.database_url or fresh_database_url()

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "MDT_ENV": "testing",
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
    }
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.cases.models import Case
        from mdt.demo.data import add_synthetic_cases, load_demo
        from mdt.directory.models import Mdt

        if not args.database_url:
            upgrade()
            load_demo()
            mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).one()
            start = time.perf_counter()
            add_synthetic_cases(mdt, args.cases)
            db.session.commit()
            print(f"loaded {args.cases:,} synthetic cases in {time.perf_counter() - start:.1f} s")
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        total = db.session.scalar(select(db.func.count()).select_from(Case))
    print(f"{total:,} cases in all")

    client = app.test_client()
    results = []
    for email in args.users.split(","):
        client.post("/logout")
        r = client.post("/login", data={"email": email, "password": "demo-password"})
        assert r.status_code == 302, r.status_code
        with app.app_context():
            from mdt.cases import services
            from mdt.directory.models import Member

            user = db.session.scalars(select(Member).where(Member.email == email)).one()
            rows, visible = services.list_cases(user, services.CaseFilters(per_page=1, mine=True))
            case_id = rows[0][0].id
        district = quote_plus(args.district)
        pages = {
            "floor: GET /about (logged in)": "/about",
            "bare framework: /api/v1/health": "/api/v1/health",
            "case list (50 rows)": "/cases",
            "filtered search": f"/cases?stage=active&district={district}&q={quote_plus(args.q)}",
            "name search": f"/cases?q={quote_plus(args.q)}",
            "case page": f"/cases/{case_id}",
        }
        floor = None
        print(f"\n{email}: {visible:,} cases on the team; {args.requests} requests each")
        print(f"{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'p95/floor':>10}")
        for name, path in pages.items():
            timed(client, path, 5)  # warm up
            p50, p95 = timed(client, path, args.requests)
            if floor is None:
                floor = p95
            ratio = p95 / floor if floor else float("nan")
            results.append((email, name, p50, p95, ratio))
            print(f"{name:34} {p50:8.2f} {p95:8.2f} {ratio:10.1f}")


if __name__ == "__main__":
    main()
