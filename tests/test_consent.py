"""Consent: one decision (latest decision wins), asked by every consumer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mdt.extensions import db
from mdt.legal import services as legal
from mdt.referrals import services as referrals
from mdt.reminders.models import Reminder
from tests import factories as f


def _claimant_reminders():
    return db.session.scalars(
        select(Reminder).where(Reminder.purpose == "claimant", Reminder.status == "pending")
    ).all()


def test_a_later_refusal_stops_sms_reminders(world):
    """Defect 1: contact_sms given, then refused by a new record: no SMS may be derived."""
    case = f.client_case(world)
    case.person.phone = "+66 81 000 0000"
    case.person.contact_safe = True
    m = f.matter(world, [case])
    starts = (datetime.now(UTC) + timedelta(days=10)).replace(hour=3, minute=0)
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": starts.isoformat(), "purpose": "Witnesses"})
    referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    assert {r.channel for r in _claimant_reminders()} == {"sms"}
    referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": False})
    db.session.commit()
    assert _claimant_reminders() == []


# ---------------------------------------------------------------- every consumer, one decision

from datetime import date  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mdt import consent, policy  # noqa: E402
from mdt.cases import services as cases  # noqa: E402
from mdt.cases.models import CaseAgency  # noqa: E402
from mdt.errors import WorkflowError  # noqa: E402
from mdt.referrals.models import Consent  # noqa: E402
from mdt.reminders.wants import contactable  # noqa: E402

TODAY = date(2026, 6, 15)
KEYS = [
    ("share_with_agency", "legal"),
    ("share_with_agency", "labour"),
    ("legal_action", None),
    ("contact_sms", None),
]


def reference(events, on):
    """The rule in ten lines: per key, the latest record on or before ``on`` decides; it is live
    when given, not withdrawn and not expired."""
    latest = {}
    for seq, e in enumerate(events):
        if e["recorded"] <= on and (e["key"] not in latest or (e["recorded"], seq) >= latest[e["key"]][0]):
            latest[e["key"]] = ((e["recorded"], seq), e)
    return {
        key: e["given"] and not e["withdrawn"] and (e["expires"] is None or e["expires"] >= on)
        for key, (_order, e) in latest.items()
    }


@st.composite
def histories(draw):
    events = []
    for _ in range(draw(st.integers(0, 7))):
        if events and draw(st.booleans()) and draw(st.booleans()):
            events[draw(st.integers(0, len(events) - 1))]["withdrawn"] = True  # a withdrawal
            continue
        recorded = draw(st.integers(-30, 0))
        expires = draw(st.one_of(st.none(), st.integers(recorded, 30)))  # past: expired
        events.append(
            {
                "key": draw(st.sampled_from(KEYS)),
                "given": draw(st.booleans()),
                "withdrawn": False,
                "recorded": recorded,
                "expires": expires,
            }
        )
    return events


@pytest.fixture
def frozen_world(world, travel):
    with travel(datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Bangkok"))):
        token = f.token(world["social"])
        yield world, token


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_every_consumer_agrees_with_the_reference_model(frozen_world, client, history):
    world, token = frozen_world
    day = lambda offset: None if offset is None else TODAY + timedelta(days=offset)  # noqa: E731
    case = f.case(world["social"], person={"phone": "+66 81 000 0001", "contact_safe": True})
    records = []
    for e in history:
        purpose, agency_key = e["key"]
        records.append(
            Consent(
                case_id=case.id,
                purpose=purpose,
                given=e["given"],
                recorded_by_id=world["social"].id,
                agency_id=world.agencies[agency_key].id if agency_key else None,
                recorded_on=day(e["recorded"]),
                expires_on=day(e["expires"]),
                withdrawn_at=datetime.now(UTC) if e["withdrawn"] else None,
                scope=["person", "episodes"] if purpose == "share_with_agency" else None,
            )
        )
    db.session.add_all(records)
    db.session.flush()
    for agency_key in ("legal", "labour"):  # on the team through a consent
        first = next((r for r in records if r.agency_id == world.agencies[agency_key].id), None)
        if first is not None:
            case.team_agencies.append(CaseAgency(agency_id=first.agency_id, consent_id=first.id))
    db.session.commit()
    expected = reference(
        [{**e, "recorded": day(e["recorded"]), "expires": day(e["expires"])} for e in history], TODAY
    )
    effective = {
        (d["purpose"], d["agency_id"]): d
        for d in client.get(
            f"/api/v1/cases/{case.id}/consents", headers={"Authorization": f"Bearer {token}"}
        ).get_json()["effective"]
    }
    for purpose, agency_key in KEYS:
        agency = world.agencies[agency_key] if agency_key else None
        want = expected.get((purpose, agency_key), False)
        assert consent.for_case(case, purpose, agency.id if agency else None).live is want
        assert (
            db.session.scalar(
                select(consent.live_sql(case.id, purpose, agency.id if agency else None, on=TODAY))
            )
            is want
        )
        api = effective.get((purpose, agency.id if agency else None))
        assert (api["live"] if api else False) is want
        if purpose == "share_with_agency":
            member = world["lawyer" if agency_key == "legal" else "labour"]
            assert policy.can(member, "case.view", case) is want
            assert policy.can(member, "case.part.episodes", case) is want
            listed = {c.id for c, _ in cases.list_cases(member, cases.CaseFilters())[0]}
            assert (case.id in listed) is want
            try:
                consent.require_share(case, agency)
                assert want
            except WorkflowError:
                assert not want
        elif purpose == "legal_action":
            try:
                consent.require_legal_action(case)
                assert want
            except WorkflowError:
                assert not want
        else:
            assert ("sms" in contactable([case.id]).get(case.id, (None, []))[1]) is want


def test_the_case_page_shows_which_record_decides(world, client):
    case = f.case(world["social"])
    legal_id = world.agencies["legal"].id
    first = referrals.record_consent(
        world["social"],
        case,
        {"purpose": "share_with_agency", "given": True, "agency_id": legal_id, "scope": ["plan"]},
    )
    referrals.record_consent(
        world["social"], case, {"purpose": "share_with_agency", "given": False, "agency_id": legal_id}
    )
    sms = referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    section = html[html.index('id="consent"') :]
    assert section.count("replaced by a later decision") == 1 and section.count("in effect") == 1
    # Only the record in effect can be withdrawn.
    assert f"/consents/{sms.id}/withdraw" in section and f"/consents/{first.id}/withdraw" not in section
