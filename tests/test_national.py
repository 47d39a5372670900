"""Issue 17: national-size demo data (``flask --app mdt demo load --national``), loaded here at a
tiny scale; docs/performance.md has the full-size figures."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdt import clock
from mdt.cases.models import Case, CaseCounter, Person
from mdt.demo.national import PROVINCES, apportion, zipf_weights
from mdt.directory.models import Agency, Mdt, Member
from mdt.extensions import db
from mdt.legal.models import Claimant, Deadline, Hearing, LegalMatter, MatterLawyer
from mdt.meetings.models import Meeting
from mdt.referrals.models import Consent
from mdt.reminders.models import Reminder

SCALE = 0.0005
PASSWORD = "demo-password"


@pytest.fixture
def national(runner, ctx):
    result = runner.invoke(args=["demo", "load", "--national", "--scale", str(SCALE)])
    assert result.exit_code == 0, result.output
    return result.output


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_apportion_adds_up():
    assert sum(apportion(1_000_000, zipf_weights(77))) == 1_000_000
    assert apportion(5, [1, 1]) in ([3, 2], [2, 3])
    assert apportion(0, [1, 2]) == [0, 0]


def test_counts_are_proportional_and_skewed(national):
    assert "cases (with people and episodes): 500 in" in national
    assert count(Mdt) == len(PROVINCES) == 77
    assert len({code for code, _name in PROVINCES}) == 77
    assert count(Case) == count(Person) == 500
    assert count(LegalMatter) == 10
    assert count(Hearing) == 50
    assert count(Deadline) == 50
    assert count(Meeting) == 25
    # Members: every MDT keeps a coordinator, a social worker, a lawyer and police, and an admin.
    assert count(Member) >= 77 * 5
    # The skew: the biggest MDT holds a big share, the top five most.
    per_mdt = db.session.execute(
        select(Case.mdt_id, func.count()).group_by(Case.mdt_id).order_by(func.count().desc())
    ).all()
    shares = [n / 500 for _mdt, n in per_mdt]
    assert shares[0] > 0.15 and sum(shares[:5]) > 0.4
    biggest = db.session.get(Mdt, per_mdt[0][0])
    assert biggest is not None and biggest.code == PROVINCES[0][0]
    # References: unique, in the format of the services, counters at the last number given.
    refs = db.session.scalars(select(Case.reference).where(Case.mdt_id == biggest.id)).all()
    assert len(set(refs)) == len(refs) and all(r.startswith(f"{biggest.code}-") for r in refs)
    for counter in db.session.scalars(select(CaseCounter).where(CaseCounter.mdt_id == biggest.id)):
        assert f"{biggest.code}-{counter.year}-{counter.last:04d}" in refs
        assert f"{biggest.code}-{counter.year}-{counter.last + 1:04d}" not in refs
    # Every case is led by an agency of its MDT and was registered by one of that agency's members.
    stray = db.session.scalar(
        select(func.count())
        .select_from(Case)
        .join(Agency, Agency.id == Case.lead_agency_id)
        .join(Member, Member.id == Case.created_by_id)
        .where((Agency.mdt_id != Case.mdt_id) | (Member.agency_id != Case.lead_agency_id))
    )
    assert stray == 0
    # Every claimant's case has a consent to legal action, and claims come in groups.
    claimant_cases = set(db.session.scalars(select(Claimant.case_id)))
    consented = set(db.session.scalars(select(Consent.case_id).where(Consent.purpose == "legal_action")))
    assert claimant_cases and claimant_cases <= consented
    # Two national agencies (in Bangkok) hold the national viewers.
    assert db.session.scalar(select(func.count()).select_from(Agency).where(Agency.level == "national")) == 2
    assert count(Reminder) > 0


def test_loading_twice_is_refused(national, runner):
    again = runner.invoke(args=["demo", "load", "--national", "--scale", str(SCALE)])
    assert again.exit_code != 0 and "not empty" in again.output
    assert runner.invoke(args=["demo", "load", "--national", "--if-empty"]).exit_code == 0


def test_refused_in_production(database_template, tmp_path):
    from tests.conftest import make_app

    app = make_app(
        database_template, tmp_path, MDT_ENV="production", SECRET_KEY="x" * 40, MDT_FILES_KEY="ab" * 32
    )
    result = app.test_cli_runner().invoke(args=["demo", "load", "--national", "--scale", "0.0001"])
    assert result.exit_code != 0 and "production" in result.output
    with app.app_context():
        assert count(Mdt) == 0
        db.engine.dispose()


def _sign_in(client, email: str) -> None:
    r = client.post("/login", data={"email": email, "password": PASSWORD})
    assert r.status_code == 302, email


def test_social_worker_of_the_biggest_mdt_opens_cases(national, client):
    code = PROVINCES[0][0].lower()
    email = f"social1.{code}@national.example.org"
    member = db.session.scalars(select(Member).where(Member.email == email)).one()
    case = db.session.scalars(
        select(Case).where(Case.lead_agency_id == member.agency_id).order_by(Case.id)
    ).first()
    assert case is not None
    _sign_in(client, email)
    listing = client.get("/cases")
    assert listing.status_code == 200 and f"{code.upper()}-" in listing.get_data(as_text=True)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and case.reference in page.get_data(as_text=True)


def test_lawyer_sees_hearings_on_the_calendar(national, client):
    hearing = db.session.scalars(
        select(Hearing).where(Hearing.status != "cancelled").order_by(Hearing.starts_at.desc())
    ).first()
    assert hearing is not None
    lawyer_id = db.session.scalars(
        select(MatterLawyer.member_id).where(MatterLawyer.matter_id == hearing.matter_id)
    ).first()
    lawyer = db.session.get(Member, lawyer_id)
    assert lawyer is not None and lawyer.has_role("lawyer")
    _sign_in(client, lawyer.email)
    day = clock.local_date(hearing.starts_at, "Asia/Bangkok")
    page = client.get(f"/calendar?view=list&date={day.isoformat()}")
    assert page.status_code == 200 and hearing.purpose in page.get_data(as_text=True)
    assert client.get(f"/matters/{hearing.matter_id}").status_code == 200


def test_coordinators_open_meetings(national, client):
    meeting = db.session.scalars(select(Meeting).order_by(Meeting.starts_at.desc())).first()
    assert meeting is not None
    mdt = db.session.get(Mdt, meeting.mdt_id)
    assert mdt is not None
    _sign_in(client, f"coordinator1.{mdt.code.lower()}@national.example.org")
    assert client.get("/meetings").status_code == 200
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
