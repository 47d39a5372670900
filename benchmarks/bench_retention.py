"""Benchmark: the retention task on many closed cases.

    python benchmarks/bench_retention.py [--cases 10000]

N closed cases past the retention period (each with a person, two notes, an assessment and an
episode), plus one in ten held back (a coordinator's hold or an open legal matter), on
MDT_BENCH_DATABASE_URL (PostgreSQL; wiped first) or a temporary SQLite file. Times one run of the
task (``mdt.privacy.retention.apply_retention``) and checks that the held cases kept their names.
Numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from sqlalchemy import func, insert, select  # noqa: E402

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402


def run(n: int) -> None:
    url = fresh_database_url()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing"})
    with app.app_context():
        from flask_migrate import upgrade

        from mdt.cases.models import Assessment, Case, Episode, Note, Person
        from mdt.directory.models import Agency, Mdt, Member
        from mdt.legal.models import Claimant, LegalMatter
        from mdt.privacy.retention import apply_retention

        upgrade()
        mdt = Mdt(code="BEN", name="Bench", timezone="Asia/Bangkok", country="TH", currency="THB")
        db.session.add(mdt)
        db.session.flush()
        agency = Agency(mdt_id=mdt.id, name="Social welfare", kind="social_welfare", level="province")
        db.session.add(agency)
        db.session.flush()
        member = Member(mdt_id=mdt.id, agency_id=agency.id, email="s@b.c", name="Social", roles=["member"])
        db.session.add(member)
        db.session.flush()
        matter = LegalMatter(
            mdt_id=mdt.id, kind="labour", jurisdiction="TH", title="Claim", created_by_id=member.id
        )
        db.session.add(matter)
        db.session.flush()

        t = time.perf_counter()
        people = db.session.scalars(
            insert(Person).returning(Person.id, sort_by_parameter_order=True),
            [
                {
                    "mdt_id": mdt.id,
                    "given_name": f"Given{i}",
                    "family_name": f"Family{i}",
                    "sex": "female" if i % 2 else "male",
                    "date_of_birth": date(1980 + i % 20, 1 + i % 12, 1 + i % 28),
                    "phone": f"08{i:08d}",
                    "home_province": "Phetchabun",
                    "home_district": "Lom Sak",
                    "home_village": f"Village {i % 50}",
                    "created_at": datetime(2018, 1, 1, tzinfo=UTC),
                }
                for i in range(n)
            ],
        ).all()
        closed = datetime(2019, 3, 1, tzinfo=UTC)
        case_ids = db.session.scalars(
            insert(Case).returning(Case.id, sort_by_parameter_order=True),
            [
                {
                    "mdt_id": mdt.id,
                    "reference": f"BEN-2018-{i:05d}",
                    "person_id": people[i],
                    "stage": "closed",
                    "source": "outreach",
                    "lead_agency_id": agency.id,
                    "summary": "Came back; wants training.",
                    "district": "Lom Sak",
                    "opened_on": date(2018, 1, 1),
                    "closed_at": closed,
                    "close_reason": "Back home",
                    "created_at": closed,
                    "updated_at": closed,
                    "hold_reason": "Police investigation" if i % 20 == 0 else None,
                }
                for i in range(n)
            ],
        ).all()
        db.session.execute(
            insert(Note),
            [
                {"case_id": c, "author_id": member.id, "body": f"Visit {k}", "created_at": closed}
                for c in case_ids
                for k in range(2)
            ],
        )
        db.session.execute(
            insert(Assessment), [{"case_id": c, "needs": "Training", "risks": "Broker"} for c in case_ids]
        )
        db.session.execute(
            insert(Episode),
            [{"case_id": c, "destination_country": "KR", "job": "Farm hand"} for c in case_ids],
        )
        in_court = [c for i, c in enumerate(case_ids) if i % 20 == 10]
        db.session.execute(
            insert(Claimant), [{"matter_id": matter.id, "case_id": c, "currency": "THB"} for c in in_court]
        )
        db.session.commit()
        print(f"seeded {n} closed cases in {time.perf_counter() - t:.1f} s on {db.engine.dialect.name}")

        t = time.perf_counter()
        report = apply_retention()
        db.session.commit()
        elapsed = time.perf_counter() - t
        done = report["BEN"]
        print(
            f"retention task: {done['cases']} cases and {done['people']} people de-identified, "
            f"{done['held']} held back, in {elapsed:.2f} s ({done['cases'] / elapsed:.0f} cases/s)"
        )
        untouched = db.session.scalar(
            select(func.count()).select_from(Case).where(Case.deidentified_at.is_(None))
        )
        named = db.session.scalar(
            select(func.count()).select_from(Person).where(Person.given_name.like("Given%"))
        )
        print(f"held cases left as they were: {untouched} (people still named: {named})")
        t = time.perf_counter()
        again = apply_retention()["BEN"]
        db.session.commit()
        print(f"a second run with nothing due: {time.perf_counter() - t:.3f} s ({again})")
        db.engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    run(parser.parse_args().cases)
