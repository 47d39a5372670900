"""Benchmark (issue 17): deep pages of the case list, by number (``OFFSET``) and by cursor
(``after=``), against an already loaded database (``flask --app mdt demo load --national``).

    python benchmarks/bench_deep_pages.py --database-url postgresql+psycopg://.../mdt_national \\
        [--member social1.udn@national.example.org] [--pages 1 100 1000 3000] [--runs 5]

For each page: p50 of ``list_cases`` asked by number, then with the cursor of the previous page's
last row, in-process, and whether both gave the same rows. Nothing is kept (the list's audit rows
are rolled back).
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

from sqlalchemy import select  # noqa: E402

from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("MDT_NATIONAL_DATABASE_URL"))
    parser.add_argument("--member", default="social1.udn@national.example.org")
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 100, 1000, 3000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("give --database-url (a database loaded with flask demo load --national)")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "MDT_ENV": "testing"})
    with app.app_context():
        from mdt.cases import services
        from mdt.directory.models import Member

        member = db.session.scalars(select(Member).where(Member.email == args.member)).one()

        def timed(f):
            took = []
            for _ in range(args.runs):
                t = time.perf_counter()
                rows, _total = services.list_cases(member, f, count_cap=services.COUNT_CAP)
                took.append((time.perf_counter() - t) * 1000)
                db.session.rollback()
            return statistics.median(took), [case.id for case, _on_team in rows]

        for page in args.pages:
            by_number, rows = timed(services.CaseFilters(page=page))
            if page == 1:
                print(f"page {page:6,}: by number {by_number:7.1f} ms")
                continue
            before, _total = services.list_cases(member, services.CaseFilters(page=page - 1))
            after = services.read_cursor(services.cursor(before[-1][0]))
            db.session.rollback()
            by_cursor, same = timed(services.CaseFilters(page=page, after=after))
            print(
                f"page {page:6,}: by number {by_number:7.1f} ms   by cursor {by_cursor:7.1f} ms   "
                f"same rows: {same == rows}"
            )


if __name__ == "__main__":
    main()
