"""Benchmark (issue 17): the possible-duplicate check at intake and the name search, against an
already loaded database (the national data: ``flask --app mdt demo load --national``).

    python benchmarks/bench_search.py --database-url postgresql+psycopg://.../mdt_national \\
        [--samples 200] [--member social1.udn@national.example.org]

For each sample it takes a random person on file, misspells the given name (one letter changed),
and times, in-process: ``possible_duplicates`` (what the intake form asks with the name and the
date of birth typed) and the case list searched by that misspelt name, as a social worker of the
agency that leads the person's case sees it (``list_cases`` with ``q``). Prints p50/p95 and how
often the person was found. Nothing is written but the list's audit rows. Target: the duplicate
check under 50 ms p95.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import func, select, text  # noqa: E402

from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402


def misspell(name: str, rng: random.Random) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    letters = "aeiou" if name.isascii() else "กขคงจชดตนบปผพมยรลวสหอ"
    return name[:i] + rng.choice([c for c in letters if c != name[i]]) + name[i + 1 :]


def stats(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"p50 {statistics.median(samples):7.1f} ms   p95 {p95:7.1f} ms   max {samples[-1]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("MDT_NATIONAL_DATABASE_URL"))
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--member", default="social1.udn@national.example.org")
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("give --database-url (a database loaded with flask demo load --national)")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "MDT_ENV": "testing"})
    rng = random.Random(17)
    with app.app_context():
        from mdt.cases import services
        from mdt.cases.models import Case, Person
        from mdt.directory.models import Member

        people = db.session.scalar(select(func.count()).select_from(Person))
        member = db.session.scalars(select(Member).where(Member.email == args.member)).one()
        sample = db.session.execute(
            select(Person.id, Person.mdt_id, Person.given_name, Person.family_name, Person.date_of_birth)
            .join(Case, Case.person_id == Person.id)
            .where(Case.lead_agency_id == member.agency_id, Person.date_of_birth.is_not(None))
            .order_by(func.random())
            .limit(args.samples)
        ).all()
        db.session.execute(text("SELECT 1"))
        print(f"{people:,} people on file; {len(sample)} samples of cases {member.email}'s agency leads")
        dup_ms, dup_found, search_ms, search_found = [], 0, [], 0
        for p in sample:
            given = misspell(p.given_name, rng)
            t = time.perf_counter()
            found = services.possible_duplicates(p.mdt_id, given, p.family_name, p.date_of_birth, None)
            dup_ms.append((time.perf_counter() - t) * 1000)
            dup_found += any(f.id == p.id for f in found)
            t = time.perf_counter()
            rows, _total = services.list_cases(
                member, services.CaseFilters(q=f"{given} {p.family_name}"), count_cap=services.COUNT_CAP
            )
            search_ms.append((time.perf_counter() - t) * 1000)
            search_found += any(c.person_id == p.id for c, _ in rows)
            db.session.rollback()  # the list's audit row is not kept
    n = len(sample)
    print(f"duplicate check (misspelt given name + date of birth): {stats(dup_ms)}; found {dup_found}/{n}")
    print(f"name search, misspelt full name, 50 rows: {stats(search_ms)}; found {search_found}/{n}")


if __name__ == "__main__":
    main()
