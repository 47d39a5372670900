"""Retention, legal holds and erasure (issue 12, section 3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mdt.audit.models import AuditEvent
from mdt.cases.models import Case, Episode, Note, Person
from mdt.extensions import db
from mdt.notifications.models import Notification
from mdt.privacy import retention
from mdt.privacy.models import ErasureRequest
from tests import factories as f


def _closed(case, years_ago: float):
    """Close ``case`` as if it had closed that long before the suite's clock (2026-06-15)."""
    case.stage = "closed"
    case.close_reason = "Back home, working in the family shop"
    case.closed_at = datetime(2026, 6, 15, tzinfo=UTC).replace(year=2026 - int(years_ago))
    return case


@pytest.fixture
def old_case(world):
    from mdt.cases import services as cases

    case = f.case(
        world["social"],
        given="Pranee",
        family="Kongkaew",
        person={"date_of_birth": "1990-04-12", "phone": "0812345678", "home_village": "Ban Dong"},
        summary="Came back from Lebanon; wants sewing training.",
    )
    cases.add_note(world["social"], case, "She is staying with her aunt in Ban Dong.")
    db.session.add(
        Episode(case_id=case.id, destination_country="LB", sector="domestic", job="Housemaid for Mr X")
    )
    _closed(case, 6)
    db.session.commit()
    return case


def _run():
    from workers.tasks import apply_retention

    return apply_retention()


def test_a_case_closed_longer_ago_than_the_period_is_de_identified(world, old_case):
    recent = _closed(f.case(world["social"], given="Somsri"), 4)
    db.session.commit()
    report = _run()
    assert report[world.mdt.code] == {"cases": 1, "people": 1, "held": 0}
    db.session.expire_all()
    case, person = db.session.get(Case, old_case.id), db.session.get(Person, old_case.person_id)
    assert case.deidentified_at is not None and case.summary is None and case.stage == "closed"
    assert person.given_name == "—" and person.family_name == "" and person.phone is None
    assert person.home_village is None and person.date_of_birth.isoformat() == "1990-01-01"
    assert person.sex == "female"  # the figures keep it
    assert db.session.scalar(select(db.func.count()).select_from(Note).where(Note.case_id == case.id)) == 0
    episode = db.session.scalars(select(Episode).where(Episode.case_id == case.id)).one()
    assert (episode.destination_country, episode.sector, episode.job) == ("LB", "domestic", None)
    assert db.session.get(Case, recent.id).deidentified_at is None
    run = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.retention")).one()
    assert run.detail == {"cases": 1, "people": 1, "held": 0, "years": 5}
    assert _run()[world.mdt.code] == {"cases": 0, "people": 0, "held": 0}  # nothing twice


def test_cases_on_hold_are_never_touched(world, old_case):
    on_hold = _closed(f.case(world["social"], given="Kanya"), 7)
    in_court = _closed(f.client_case(world, given="Wilai"), 8)
    db.session.flush()
    retention.set_hold(world["coordinator"], on_hold, "Police investigation of the broker")
    f.matter(world, [in_court])
    db.session.commit()
    report = _run()
    assert report[world.mdt.code] == {"cases": 1, "people": 1, "held": 2}
    db.session.expire_all()
    for held in (on_hold, in_court):
        case = db.session.get(Case, held.id)
        assert case.deidentified_at is None and case.person.given_name in ("Kanya", "Wilai")


def test_a_person_with_another_live_case_keeps_their_name(world, old_case):
    from mdt.cases import services as cases

    person = {"given_name": "Pranee", "family_name": "Kongkaew", "sex": "female"}
    again = cases.create_case(
        world["social"], {"source": "outreach", "person_id": old_case.person_id, "person": person}
    )
    db.session.commit()
    _run()
    db.session.expire_all()
    assert db.session.get(Case, old_case.id).deidentified_at is not None
    assert db.session.get(Person, old_case.person_id).given_name == "Pranee"
    assert db.session.get(Case, again.id).deidentified_at is None


@pytest.mark.parametrize("years", ["0", "-1", "abc", "101", ""])
def test_an_impossible_retention_period_changes_nothing(world, client, years):
    client.post("/login", data={"email": "admin@test.org", "password": f.PASSWORD})
    r = client.post("/privacy/retention", data={"years": years})
    assert r.status_code == 422 and "whole number of years" in r.get_data(as_text=True)
    db.session.expire_all()
    assert world.mdt.retention_years == 5


def test_the_administrator_sets_the_period(world, client):
    client.post("/login", data={"email": "admin@test.org", "password": f.PASSWORD})
    assert client.post("/privacy/retention", data={"years": "7"}).status_code == 302
    db.session.expire_all()
    assert world.mdt.retention_years == 7
    client.post("/logout")
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    assert client.post("/privacy/retention", data={"years": "2"}).status_code == 403


def _login(web_app, email):
    client = web_app.test_client()
    client.post("/login", data={"email": email, "password": f.PASSWORD})
    return client


def test_an_erasure_request_is_recorded_approved_and_carried_out(world, web_app):
    case = f.case(world["social"], given="Pranee", family="Kongkaew", person={"phone": "0812345678"})
    db.session.commit()
    social = _login(web_app, "social@test.org")
    assert social.post(f"/privacy/cases/{case.id}/erasure").status_code == 302
    request = db.session.scalars(select(ErasureRequest)).one()
    assert request.status == "pending"
    told = {
        n.member_id
        for n in db.session.scalars(select(Notification).where(Notification.kind == "erasure_request"))
    }
    assert world["coordinator"].id in told
    assert social.post(f"/privacy/erasure/{request.id}", data={"decision": "approve"}).status_code == 403

    coordinator = _login(web_app, "coord@test.org")
    page = coordinator.get("/privacy/").get_data(as_text=True)
    assert case.reference in page and "Waiting for a decision" in page
    assert coordinator.post(f"/privacy/erasure/{request.id}", data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).status == "done"
    assert db.session.get(Person, case.person_id).given_name == "—"
    done = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erasure_done")).one()
    assert "Pranee" not in str(done.detail) and "0812345678" not in str(done.detail)
    assert done.case_id is None and done.detail == {"cases": 1, "people": 1}


def test_an_open_labour_claim_refuses_the_erasure_until_it_ends(world, web_app):
    case = f.client_case(world, given="Wilai")
    matter = f.matter(world, [case])
    db.session.commit()
    social = _login(web_app, "social@test.org")
    r = social.post(f"/privacy/cases/{case.id}/erasure", follow_redirects=True)
    assert "An open legal matter" in r.get_data(as_text=True)
    request = db.session.scalars(select(ErasureRequest)).one()
    assert (request.status, request.refused_because) == ("refused", "legal_matter")
    coordinator = _login(web_app, "coord@test.org")
    r = coordinator.post(
        f"/privacy/erasure/{request.id}", data={"decision": "approve"}, follow_redirects=True
    )
    assert "An open legal matter" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, case.person_id).given_name == "Wilai"

    # The claim ends: the next run looks at the request again and tells the coordinators.
    db.session.get(type(matter), matter.id).stage = "closed"
    db.session.commit()
    report = _run()
    assert report["_reopened_requests"] == 1
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).status == "pending"
    assert coordinator.post(f"/privacy/erasure/{request.id}", data={"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, case.person_id).given_name == "—"


def test_a_refusal_needs_a_reason(world, web_app):
    case = f.case(world["social"])
    db.session.commit()
    _login(web_app, "social@test.org").post(f"/privacy/cases/{case.id}/erasure")
    request = db.session.scalars(select(ErasureRequest)).one()
    coordinator = _login(web_app, "coord@test.org")
    r = coordinator.post(f"/privacy/erasure/{request.id}", data={"decision": "refuse", "note": ""})
    assert r.status_code == 422 and "Say why" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).status == "pending"
    r = coordinator.post(
        f"/privacy/erasure/{request.id}", data={"decision": "refuse", "note": "Needed for the grant audit"}
    )
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).status == "refused"


def test_only_coordinators_set_a_hold(world, web_app):
    case = f.case(world["social"])
    db.session.commit()
    assert (
        _login(web_app, "social@test.org")
        .post(f"/privacy/cases/{case.id}/hold", data={"reason": "x"})
        .status_code
        == 403
    )
    coordinator = _login(web_app, "coord@test.org")
    assert (
        coordinator.post(
            f"/privacy/cases/{case.id}/hold", data={"reason": "Evidence for the DSI"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Case, case.id).hold_reason == "Evidence for the DSI"
    assert coordinator.post(f"/privacy/cases/{case.id}/hold", data={"reason": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).hold_reason is None
