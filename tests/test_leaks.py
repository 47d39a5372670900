"""Leaks found by the security review of the first wave (issue 11), one regression test each:
visibility decided outside the policy, and reads the audit trail missed."""

from __future__ import annotations

import re
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from sqlalchemy import select

from mdt.audit.models import AuditEvent
from mdt.cases import services as cases
from mdt.extensions import db
from mdt.meetings import services as meetings
from mdt.reminders import sending
from tests import factories as f

PERSON = {
    "given_name": "Secretname",
    "family_name": "Hidden",
    "sex": "female",
    "date_of_birth": "1990-04-01",
    "phone": "+66 81 555 0101",
}


def _bearer(member) -> dict:
    return {"Authorization": f"Bearer {f.token(member)}"}


def _login(client, email: str) -> None:
    client.post("/login", data={"email": email, "password": f.PASSWORD})


def _hidden_case(world):
    """A case of social welfare's that the police may not see, with a safe-contact note."""
    case = f.case(
        world["social"],
        given="Secretname",
        family="Hidden",
        person={
            "date_of_birth": "1990-04-01",
            "phone": "+66 81 555 0101",
            "home_village": "Ban Secret",
            "safe_contact_note": "Call her aunt",
        },
    )
    db.session.commit()
    return case


def _audit(action: str, actor) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action, AuditEvent.actor_id == actor.id)
    ).all()


# ---------------------------------------------------------------- linking an intake to a person


def test_api_intake_cannot_link_to_a_person_the_member_may_not_see(world, client):
    case = _hidden_case(world)
    h = _bearer(world["police"])
    assert client.get(f"/api/v1/cases/{case.id}", headers=h).status_code == 404
    r = client.post(
        "/api/v1/cases",
        headers=h,
        json={"source": "self", "person_id": case.person_id, "person": {"given_name": "X", "sex": "female"}},
    )
    assert r.status_code == 422, r.get_json()
    text = r.get_data(as_text=True)
    assert "Secretname" not in text and "Ban Secret" not in text and "aunt" not in text
    assert "person_id" in r.get_json()["errors"]
    # The lead agency may link a new case to its own returnee.
    r = client.post(
        "/api/v1/cases",
        headers=_bearer(world["social2"]),
        json={
            "source": "self",
            "person_id": case.person_id,
            "person": {"given_name": "Ignored", "sex": "female"},
        },
    )
    assert r.status_code == 201 and r.get_json()["person"]["given_name"] == "Secretname"


def test_a_change_to_a_shared_person_is_audited_on_each_of_their_cases(world):
    first = _hidden_case(world)
    second = cases.create_case(
        world["social"],
        {"source": "self", "person_id": first.person_id, "person": {"given_name": "x", "sex": "female"}},
    )
    db.session.commit()
    cases.update_case(world["social"], second, {"person": {"home_village": "Ban New"}})
    db.session.commit()
    on_first = db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == first.id, AuditEvent.action == "person.update")
    ).all()
    assert len(on_first) == 1 and on_first[0].detail["via_case_id"] == second.id


def test_web_intake_cannot_link_to_a_hidden_person(world, client):
    case = _hidden_case(world)
    _login(client, "police@test.org")
    r = client.post(
        "/cases/new",
        data={**PERSON, "given_name": "Other", "source": "self", "person_id": str(case.person_id)},
    )
    assert r.status_code == 422
    assert "Secretname" not in r.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.create")).all()) == 1


def test_duplicate_warning_reveals_nothing_of_a_hidden_person(world, client):
    _hidden_case(world)
    _login(client, "police@test.org")
    # Same name and date of birth: no offer to open a new case for that person.
    page = client.post("/cases/new", data={**PERSON, "phone": "", "source": "self"})
    html = page.get_data(as_text=True)
    assert 'name="person_id"' not in html and "ask the coordinator" in html
    # Only the phone matches (the same intake, retyped): neither the name nor the date of birth of
    # the person found.
    draft_id = re.search(r'name="draft_id" value="(\d+)"', html).group(1)
    page = client.post(
        "/cases/new",
        data={
            "given_name": "Nok",
            "sex": "female",
            "source": "self",
            "phone": PERSON["phone"],
            "draft_id": draft_id,
        },
    )
    html = page.get_data(as_text=True)
    assert "A person with this phone number is already registered" in html
    assert "Secretname" not in html and "1990" not in html and 'name="person_id"' not in html


# ---------------------------------------------------------------- meetings


def _meeting_with_hidden_case(world):
    case = _hidden_case(world)
    meeting = f.meeting(world)
    item = next(i for i in meeting.items if i.case_id == case.id)
    meetings.save_minutes(
        world["coordinator"],
        meeting,
        item,
        {"discussion": "Secretdiscussion of her debts", "decisions": "Secretdecision to refer"},
    )
    manual = meetings.add_item(
        world["coordinator"], meeting, {"title": "Secretname's brother", "case_id": case.id}
    )
    action = meetings.create_action_item(
        world["coordinator"],
        meeting,
        {
            "title": "Secretaction visit Ban Secret",
            "case_id": case.id,
            "owner_agency_id": world.agencies["labour"].id,
            "due_on": f.at(5)[:10],
        },
    )
    db.session.commit()
    return case, meeting, manual, action


def test_minutes_form_and_manual_titles_hidden_from_readers_without_access(world, client):
    case, meeting, manual, _action = _meeting_with_hidden_case(world)
    # A coordinator of another agency prepares meetings but is not on the case's team.
    _login(client, "coordlab@test.org")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    for secret in ("Secretdiscussion", "Secretdecision", "Secretname", "Secretaction"):
        assert secret not in html, secret
    assert case.reference in html and "restricted" in html
    body = client.get(
        f"/api/v1/meetings/{meeting.id}/agenda", headers=_bearer(world["coord_labour"])
    ).get_data(as_text=True)
    assert "Secretname" not in body and "Secretdiscussion" not in body
    for path in (f"/meetings/{meeting.id}/print",):
        assert "Secretname" not in client.get(path).get_data(as_text=True)


def test_closing_an_action_item_does_not_return_a_hidden_title(world, client):
    _case, _meeting, _manual, action = _meeting_with_hidden_case(world)
    r = client.post(
        f"/api/v1/action-items/{action.id}/done", headers=_bearer(world["labour"]), json={"note": "done"}
    )
    assert r.status_code == 200
    assert "Secretaction" not in r.get_data(as_text=True)


# ---------------------------------------------------------------- the embedded email outbox


def test_a_coordinator_reads_only_their_own_mdts_outbox(world, client, app):
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Conference",
            "kind": "case_conference",
            "starts_at": f.at(10),
            "host_agency_id": world.agencies["sw"].id,
            "invited_agency_ids": [world.agencies["labour"].id],
        },
    )
    meetings.add_item(world["coordinator"], meeting, {"title": "Planning"})
    meetings.publish(world["coordinator"], meeting)
    db.session.commit()
    f.due_now()
    sending.sweep()
    mails = sorted(Path(app.instance_path, "outbox").rglob("*.eml"))
    assert mails
    _login(client, "outsider@test.org")  # a coordinator of the other MDT
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert not any(m.name in html for m in mails)
    for mail in mails:
        assert client.get(f"/admin/outbox/{mail.name}").status_code == 404
    client.post("/logout")
    _login(client, "coord@test.org")
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert all(m.name in html for m in mails[:5])
    mail = message_from_bytes(mails[0].read_bytes(), policy=email_policy.default)
    assert client.get(f"/admin/outbox/{mails[0].name}").status_code == 200 and mail["Subject"]


# ---------------------------------------------------------------- reads the audit trail missed


def test_every_read_of_personal_data_is_audited(world, client):
    case = f.client_case(world, "Secretname")
    m = f.matter(world, [case])
    db.session.commit()
    social, lawyer = world["social"], world["lawyer"]
    _login(client, "social@test.org")
    for path in (
        f"/cases/{case.id}/edit",
        f"/cases/{case.id}/team",
        f"/cases/{case.id}/consents",
        "/cases?q=Secret",
    ):
        assert client.get(path).status_code == 200, path
    h = _bearer(social)
    assert client.get("/api/v1/cases", headers=h).status_code == 200
    assert client.get(f"/api/v1/cases/{case.id}/consents", headers=h).status_code == 200
    client.post("/logout")
    _login(client, "lawyer@test.org")
    assert client.get(f"/matters/{m.id}").status_code == 200
    db.session.expire_all()
    assert [e.case_id for e in _audit("case.read_edit", social)] == [case.id]
    assert [e.case_id for e in _audit("case.read_team", social)] == [case.id]
    assert len(_audit("case.read_consents", social)) == 2  # the page and the API
    lists = _audit("case.list", social)
    assert len(lists) == 2  # one row per request
    assert all(case.id in e.detail["ids"] for e in lists)
    assert any(e.detail.get("q") == "Secret" for e in lists)
    matter_reads = _audit("matter.read", lawyer)
    assert matter_reads and case.id in matter_reads[0].detail["case_ids"]


# ---------------------------------------------------------------- found by the second review


def _share(world, case, parts, agency="legal", **team):
    from mdt.referrals import services as referrals

    recorded = referrals.record_consent(
        world["social"],
        case,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": world.agencies[agency].id,
            "scope": parts,
        },
    )
    cases.set_team(world["social"], case, team.get("agencies", []), team.get("members", []))
    db.session.commit()
    return recorded


def _visible_ids(member, **filters) -> set[int]:
    found, _total = cases.list_cases(member, cases.CaseFilters(**filters))
    return {case.id for case, _full in found}


def test_a_member_assigned_by_name_sees_only_what_their_agencys_consent_opens(world):
    from mdt import policy
    from mdt.referrals import services as referrals

    case = _hidden_case(world)
    cases.add_episode(world["social"], case, {"destination_country": "MY", "sector": "fishing"})
    recorded = _share(world, case, ["person"], members=[world["lawyer"].id])
    lawyer = world["lawyer"]
    assert policy.can(lawyer, "case.part.person", case)
    for right in ("case.part.episodes", "case.part.notes", "case.edit", "case.consent"):
        assert not policy.can(lawyer, right, case), right
    # Filters on a part the consent does not open tell nothing about it.
    assert case.id in _visible_ids(lawyer, q="Secretname")
    assert case.id not in _visible_ids(lawyer, destination="MY")
    assert case.id not in _visible_ids(lawyer, sector="fishing")
    # Withdrawn: the name on the team goes too, and with it every part.
    outcome = referrals.withdraw_consent(world["social"], recorded, "She asked")
    db.session.commit()
    assert outcome["access_removed"] == [world.agencies["legal"].id]
    assert lawyer.id not in {a.member_id for a in case.assignments}
    assert not policy.can(lawyer, "case.view", case) and case.id not in _visible_ids(lawyer)


def test_a_partial_share_opens_filters_only_on_the_parts_it_names(world):
    case = _hidden_case(world)
    cases.add_episode(world["social"], case, {"destination_country": "MY", "sector": "fishing"})
    _share(world, case, ["person"], agencies=[world.agencies["legal"].id])
    lawyer = world["lawyer"]
    assert case.id in _visible_ids(lawyer)
    assert case.id not in _visible_ids(lawyer, destination="MY")
    _share(world, case, ["person", "episodes"], agencies=[world.agencies["legal"].id])
    assert case.id in _visible_ids(lawyer, destination="MY")


def test_a_partial_share_does_not_let_its_agency_open_new_cases_for_the_person(world, client):
    case = _hidden_case(world)
    _share(world, case, ["person"], agencies=[world.agencies["legal"].id])
    r = client.post(
        "/api/v1/cases",
        headers=_bearer(world["lawyer"]),
        json={"source": "self", "person_id": case.person_id, "person": {"given_name": "X", "sex": "female"}},
    )
    assert r.status_code == 422 and "person_id" in r.get_json()["errors"]


def test_police_lead_a_case_only_with_the_persons_consent(world, client):
    from mdt.errors import WorkflowError

    police = world.agencies["police"].id
    r = client.post(
        "/api/v1/cases",
        headers=_bearer(world["social"]),
        json={"source": "self", "lead_agency_id": police, "person": {"given_name": "X", "sex": "female"}},
    )
    assert r.status_code == 409
    case = _hidden_case(world)
    with pytest.raises(WorkflowError):
        cases.update_case(world["social"], case, {"lead_agency_id": world.agencies["legal"].id})
    db.session.rollback()
    _share(world, case, ["person", "episodes", "assessment", "plan", "notes"])
    cases.update_case(world["social"], case, {"lead_agency_id": world.agencies["legal"].id})
    db.session.commit()
    assert case.lead_agency_id == world.agencies["legal"].id


def test_a_hidden_case_named_as_claimant_looks_like_a_missing_one(world):
    from mdt.errors import ValidationError
    from mdt.legal import services as legal

    hidden = _hidden_case(world)
    answers = {}
    for case_id in (hidden.id, 999999):
        with pytest.raises(ValidationError) as refused:
            legal.create_matter(
                world["lawyer"],
                {
                    "kind": "not-a-kind",
                    "jurisdiction": "TH",
                    "title": "x",
                    "claimants": [{"case_id": case_id}],
                },
            )
        db.session.rollback()
        answers[case_id] = refused.value.errors
    assert answers[hidden.id] == answers[999999] and "claimants[0].case_id" in str(answers[hidden.id])


def test_a_court_date_text_asks_the_consent_of_the_case_in_court(world, app):
    from datetime import timedelta

    from sqlalchemy import update

    from mdt import clock
    from mdt.legal import services as legal
    from mdt.referrals import services as referrals
    from mdt.referrals.models import Consent

    in_court = f.client_case(world, "Secretname")
    in_court.person.phone = "+66 81 000 0000"
    in_court.person.contact_safe = True
    other = cases.create_case(
        world["social"],
        {"source": "self", "person_id": in_court.person_id, "person": {"given_name": "x", "sex": "female"}},
    )
    db.session.commit()
    texted = referrals.record_consent(world["social"], in_court, {"purpose": "contact_sms", "given": True})
    referrals.record_consent(world["social"], other, {"purpose": "contact_sms", "given": True})
    m = f.matter(world, [in_court])
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(10), "purpose": "Witnesses"})
    db.session.commit()
    # The consent on the case in court runs out before the messages are due (no event cancels
    # them); the consent on her other case must not carry them.
    db.session.execute(
        update(Consent)
        .where(Consent.id == texted.id)
        .values(expires_on=clock.today(world.mdt) - timedelta(days=1))
    )
    db.session.commit()
    f.due_now()
    sending.sweep()
    assert not list((Path(app.instance_path) / "outbox").rglob("sms.log"))


def test_a_change_that_changes_nothing_still_audits_the_answer(world, client):
    case = f.client_case(world, "Secretname")
    m = f.matter(world, [case])
    social, lawyer = world["social"], world["lawyer"]
    r = client.patch(f"/api/v1/cases/{case.id}", headers=_bearer(social), json={})
    assert r.status_code == 200 and r.get_json()["person"]["given_name"] == "Secretname"
    claimant = m.claimants[0]
    h = _bearer(lawyer)
    assert client.patch(f"/api/v1/legal-matters/{m.id}", headers=h, json={}).status_code == 200
    r = client.patch(f"/api/v1/legal-matters/{m.id}/claimants/{claimant.id}", headers=h, json={})
    assert r.status_code == 200
    db.session.expire_all()
    assert [e.case_id for e in _audit("case.read", social)] == [case.id]
    assert [e.detail["case_ids"] for e in _audit("matter.read", lawyer)] == [[case.id], [case.id]]


def test_a_referral_is_an_audited_read_before_the_case_opens(world, client):
    from mdt.referrals import services as referrals

    case = _hidden_case(world)
    referrals.record_consent(
        world["social"],
        case,
        {"purpose": "share_with_agency", "given": True, "agency_id": world.agencies["legal"].id},
    )
    referral = referrals.create_referral(
        world["social"],
        {
            "case_id": case.id,
            "to_agency_id": world.agencies["legal"].id,
            "service": "legal_aid",
            "reason": "Unpaid wages",
        },
    )
    db.session.commit()
    lawyer = world["lawyer"]
    assert client.get(f"/api/v1/referrals/{referral.id}", headers=_bearer(lawyer)).status_code == 200
    _login(client, "lawyer@test.org")
    assert client.get(f"/referrals/{referral.id}").status_code == 200
    db.session.expire_all()
    reads = _audit("referral.read", lawyer)
    assert [(e.case_id, e.via) for e in reads] == [(case.id, "api"), (case.id, "web")]


def test_the_outbox_keeps_a_returnees_address_out_of_its_list(world, client, app):
    from mdt.legal import services as legal
    from mdt.referrals import services as referrals

    case = f.client_case(world, "Secretname")
    case.person.email = "secret.person@example.org"
    case.person.contact_safe = True
    referrals.record_consent(world["social"], case, {"purpose": "contact_email", "given": True})
    m = f.matter(world, [case])
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(10), "purpose": "Witnesses"})
    db.session.commit()
    f.due_now()
    sending.sweep()
    mails = [
        p
        for p in Path(app.instance_path, "outbox").rglob("*.eml")
        if b"secret.person@example.org" in p.read_bytes()
    ]
    assert mails
    _login(client, "coord@test.org")
    html = client.get("/admin/outbox").get_data(as_text=True)
    assert mails[0].name in html and "secret.person" not in html
    assert "secret.person" in client.get(f"/admin/outbox/{mails[0].name}").get_data(as_text=True)
    db.session.expire_all()
    reads = _audit("reminder.read_mail", world["coordinator"])
    assert [e.detail["person_id"] for e in reads] == [case.person_id]
