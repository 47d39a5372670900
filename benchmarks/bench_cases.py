"""Benchmark: 100,000 synthetic cases in PostgreSQL; p50/p95 of the case list, a filtered search
and the case page, beside a trivial route on the same app (the floor).

    make bench                       # starts PostgreSQL via .ci/services.sh, then runs this
    MDT_BENCH_DATABASE_URL=postgresql+psycopg://... python benchmarks/bench_cases.py [--cases N]

Numbers are printed, not asserted. The database named by MDT_BENCH_DATABASE_URL is wiped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

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
    args = parser.parse_args()
    if not os.environ.get("MDT_BENCH_DATABASE_URL"):
        raise SystemExit("set MDT_BENCH_DATABASE_URL (make bench does)")
    url = fresh_database_url()

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "MDT_ENV": "testing",
        "WTF_CSRF_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
    }
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.demo.data import add_synthetic_cases, load_demo
        from mdt.directory.models import Mdt

        upgrade()
        load_demo()
        mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).one()
        start = time.perf_counter()
        add_synthetic_cases(mdt, args.cases)
        db.session.commit()
        load_seconds = time.perf_counter() - start
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        from mdt.cases.models import Case

        total = db.session.scalar(select(db.func.count()).select_from(Case))
    print(f"loaded {args.cases:,} synthetic cases in {load_seconds:.1f} s ({total:,} cases in all)")

    client = app.test_client()
    results = []
    for email in ("social@example.org", "coordinator@example.org"):
        client.post("/logout")
        r = client.post("/login", data={"email": email, "password": "demo-password"})
        assert r.status_code == 302, r.status_code
        with app.app_context():
            from mdt.cases import services
            from mdt.directory.models import Member

            user = db.session.scalars(select(Member).where(Member.email == email)).one()
            rows, visible = services.list_cases(user, services.CaseFilters(per_page=1, mine=True))
            case_id = rows[0][0].id
        pages = {
            "floor: GET /about (logged in)": "/about",
            "bare framework: /api/v1/health": "/api/v1/health",
            "case list (50 rows)": "/cases",
            "filtered search": "/cases?stage=active&district=Lom+Sak&q=malee",
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
