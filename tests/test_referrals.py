"""Referrals and the consent that controls what is shared (issue: referrals)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mdt import policy
from mdt.errors import Forbidden, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.notifications.models import Notification
from mdt.referrals import services as referrals
from mdt.referrals.models import Referral
from tests import factories as f
from tests.support import confirmed


def consent(world, case, agency_key, **extra):
    data = {
        "purpose": "share_with_agency",
        "given": True,
        "agency_id": world.agencies[agency_key].id,
        **extra,
    }
    c = referrals.record_consent(world["social"], case, data)
    db.session.commit()
    return c


def refer(world, case, agency_key, service="legal_aid", **extra):
    r = referrals.create_referral(
        world["social"],
        {
            "case_id": case.id,
            "to_agency_id": world.agencies[agency_key].id,
            "service": service,
            "reason": "Unpaid wages from the berry farm",
            **extra,
        },
    )
    db.session.commit()
    return r


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_referral_without_consent_refused_and_nothing_shared(world):
    case = f.case(world["social"])
    db.session.commit()
    with pytest.raises(WorkflowError):
        refer(world, case, "legal")
    db.session.rollback()
    assert count(Referral) == 0 and count(Notification) == 0
    assert not policy.can(world["lawyer"], "case.view", case)


def test_police_needs_named_consent_and_risk_acknowledgement(world, client):
    case = f.case(world["social"], given="Secretname")
    db.session.commit()
    with pytest.raises(ValidationError) as exc:
        consent(world, case, "police")
    assert "risks_acknowledged" in exc.value.errors
    db.session.rollback()
    # Consent for another agency does not open the door to the police.
    consent(world, case, "legal")
    with pytest.raises(WorkflowError):
        refer(world, case, "police", service="other")
    db.session.rollback()
    # Nothing reveals the person to the police: no page, API, notification or list row.
    token = f.token(world["police"])
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/cases/{case.id}", headers=headers).status_code == 404
    body = client.get("/api/v1/referrals?direction=incoming", headers=headers).get_json()
    assert body["total"] == 0
    assert count(Notification, Notification.member_id == world["police"].id) == 0
    client.post("/login", data={"email": "police@test.org", "password": f.PASSWORD})
    for path in ("/", "/cases", "/referrals", "/notifications", f"/cases/{case.id}"):
        assert "Secretname" not in client.get(path).get_data(as_text=True)
    # With the named consent and the risks discussed, the referral goes through.
    consent(world, case, "police", risks_acknowledged=True)
    assert refer(world, case, "police", service="other").status == "pending"


def test_lifecycle_and_access(world):
    case = f.case(world["social"])
    from mdt.cases import services as cases

    cases.add_note(world["social"], case, "Family situation")
    consent(world, case, "legal", scope=["person", "episodes"])
    r = refer(world, case, "legal")
    lawyer = world["lawyer"]
    assert r.status == "pending" and r.respond_by > date.today()
    # Before acceptance: the referral is visible, the case is not.
    assert policy.can(lawyer, "referral.view", r)
    assert not policy.can(lawyer, "case.view", case)
    assert count(Notification, Notification.member_id == lawyer.id, Notification.kind == "referral_new") == 1
    referrals.accept(lawyer, r)
    db.session.commit()
    db.session.refresh(case)
    assert policy.can(lawyer, "case.view", case)
    assert policy.can(lawyer, "case.part.episodes", case)
    assert not policy.can(lawyer, "case.part.notes", case)  # outside the consent's scope
    assert cases.case_notes(lawyer, case) == []
    assert not policy.can(lawyer, "case.edit", case)
    # Answering twice is refused and changes nothing.
    with pytest.raises(WorkflowError):
        referrals.accept(lawyer, r)
    with pytest.raises(WorkflowError):
        referrals.decline(lawyer, r, "busy")
    with pytest.raises(ValidationError):
        referrals.complete(lawyer, r, {"outcome": "not_received"})
    referrals.complete(
        lawyer, r, {"outcome": "not_received", "reason": "discrimination", "accompanied": "true"}
    )
    db.session.commit()
    assert r.status == "completed" and r.outcome_reason == "discrimination" and r.accompanied
    kinds = set(
        db.session.scalars(select(Notification.kind).where(Notification.member_id == world["social"].id))
    )
    assert {"referral_accepted", "referral_completed"} <= kinds


def test_withdrawing_consent_removes_access_at_once(world):
    case = f.case(world["social"])
    c = consent(world, case, "legal")
    accepted = refer(world, case, "legal")
    referrals.accept(world["lawyer"], accepted)
    db.session.commit()
    pending = refer(world, case, "legal", service="documents")
    db.session.refresh(case)
    assert policy.can(world["lawyer"], "case.view", case)
    effects = referrals.withdraw_consent(world["social"], c, "The person changed her mind")
    db.session.commit()
    db.session.refresh(case)
    assert sorted(effects["referrals_withdrawn"]) == sorted([accepted.id, pending.id])
    assert not policy.can(world["lawyer"], "case.view", case)
    assert pending.status == "withdrawn"
    from mdt.cases import services as cases

    visible, _total = cases.list_cases(world["lawyer"], cases.CaseFilters())
    assert visible == []
    with pytest.raises(WorkflowError):
        referrals.accept(world["lawyer"], pending)


def test_expired_consent_closes_access_without_a_task(world):
    case = f.case(world["social"])
    c = consent(world, case, "legal")
    r = refer(world, case, "legal")
    referrals.accept(world["lawyer"], r)
    db.session.commit()
    c.expires_on = date.today() - timedelta(days=1)
    c.recorded_on = date.today() - timedelta(days=30)
    db.session.commit()
    db.session.refresh(case)
    assert not policy.can(world["lawyer"], "case.view", case)
    from mdt.cases import services as cases

    assert cases.list_cases(world["lawyer"], cases.CaseFilters())[1] == 0


def test_decline_and_withdraw(world):
    case = f.case(world["social"])
    consent(world, case, "legal")
    r = refer(world, case, "legal")
    with pytest.raises(Forbidden):
        referrals.accept(world["labour"], r)
    with pytest.raises(ValidationError):
        referrals.decline(world["lawyer"], r, " ")
    referrals.decline(world["lawyer"], r, "Outside our area")
    db.session.commit()
    assert not policy.can(world["lawyer"], "case.view", case)
    r2 = refer(world, case, "legal")
    referrals.accept(world["lawyer"], r2)
    db.session.commit()
    with pytest.raises(Forbidden):
        referrals.withdraw(world["lawyer"], r2)
    referrals.withdraw(world["social"], r2, "Found another lawyer")
    db.session.commit()
    db.session.refresh(case)
    assert not policy.can(world["lawyer"], "case.view", case)


def test_closed_case_cannot_be_referred(world):
    from mdt.cases import services as cases

    case = f.case(world["social"])
    consent(world, case, "legal")
    cases.change_stage(world["social"], case, "closed", "Moved away")
    db.session.commit()
    with pytest.raises(WorkflowError):
        refer(world, case, "legal")


def test_expiry_sweep(world):
    case = f.case(world["social"])
    consent(world, case, "legal")
    r = refer(world, case, "legal")
    r.respond_by = date.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(WorkflowError):
        referrals.accept(world["lawyer"], r)
    db.session.rollback()
    from workers.tasks import expire_referrals

    assert expire_referrals.run() == 1
    assert expire_referrals.run() == 0  # idempotent
    db.session.refresh(r)
    assert r.status == "expired"
    told = set(
        db.session.scalars(select(Notification.member_id).where(Notification.kind == "referral_expired"))
    )
    assert {world["social"].id, world["coordinator"].id, world["coord_labour"].id} <= told


def test_respond_by_defaults_from_service(world):
    referrals.save_service(
        world["admin"],
        {
            "agency_id": world.agencies["legal"].id,
            "category": "legal_aid",
            "name": "Labour court help",
            "response_days": 3,
            "areas": "Lom Sak",
        },
    )
    case = f.case(world["social"])
    consent(world, case, "legal")
    r = refer(world, case, "legal")
    assert r.respond_by == date.today() + timedelta(days=3)
    found = referrals.find_services(world.mdt.id, "legal_aid", "lom sak")
    assert [s.name for s in found] == ["Labour court help"]
    assert referrals.find_services(world.mdt.id, "legal_aid", "Nong Phai") == []
    with pytest.raises(Forbidden):  # a member lists services only for their own agency
        referrals.save_service(
            world["social"], {"agency_id": world.agencies["legal"].id, "category": "shelter", "name": "x"}
        )


def test_grant_instalments(world):
    case = f.case(world["social"])
    consent(world, case, "labour")
    r = refer(world, case, "labour", service="livelihood_grant")
    referrals.accept(world["labour"], r)
    referrals.add_instalment(world["labour"], r, {"amount": "5000", "paid_on": date.today().isoformat()})
    with pytest.raises(ValidationError):
        referrals.add_instalment(world["labour"], r, {"amount": "-5", "paid_on": "2026-01-01"})
    with pytest.raises(ValidationError):
        referrals.add_instalment(
            world["labour"], r, {"amount": "10", "currency": "ZZZ", "paid_on": "2026-01-01"}
        )
    db.session.commit()
    assert [str(i.amount) for i in r.instalments] == ["5000.00"]
    assert r.instalments[0].currency == "THB"


def test_figures(world):
    case = f.case(world["social"])
    consent(world, case, "legal")
    consent(world, case, "labour")
    a = refer(world, case, "legal")
    refer(world, case, "labour", service="job_placement")
    referrals.accept(world["lawyer"], a)
    db.session.commit()
    from mdt.reports import services as reports

    period = reports.Period(date.today() - timedelta(days=1), date.today())
    data = reports.summary(world["coordinator"], [world.mdt], period)["referrals"]
    assert data["made"] == 2 and data["accepted"] == 1
    assert {k: v["made"] for k, v in data["by_service"].items()} == {"legal_aid": 1, "job_placement": 1}
    assert {k: v for k, v in data["by_status"].items() if v} == {"accepted": 1, "pending": 1}
    assert data["median_days_to_answer"] is not None


def test_api_contract(world, client):
    case = f.case(world["social"])
    db.session.commit()
    social = {"Authorization": f"Bearer {f.token(world['social'])}"}
    lawyer = {"Authorization": f"Bearer {f.token(world['lawyer'])}"}
    body = {"case_id": case.id, "to_agency_id": world.agencies["legal"].id, "service": "legal_aid"}
    r = client.post("/api/v1/referrals", json=body, headers=social)
    assert r.status_code == 409 and r.mimetype == "application/problem+json"
    r = client.post(
        f"/api/v1/cases/{case.id}/consents",
        headers=social,
        json={
            "purpose": "share_with_agency",
            "agency_id": world.agencies["legal"].id,
            "given": True,
            "language": "th",
        },
    )
    assert r.status_code == 201
    consent_id = r.get_json()["id"]
    r = client.post("/api/v1/referrals", json=body, headers=social)
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    rid = r.get_json()["id"]
    incoming = client.get("/api/v1/referrals?direction=incoming", headers=lawyer).get_json()
    assert incoming["total"] == 1 and incoming["items"][0]["id"] == rid
    assert client.get(f"/api/v1/cases/{case.id}", headers=lawyer).status_code == 404
    assert client.post(f"/api/v1/referrals/{rid}/accept", headers=lawyer).get_json()["status"] == "accepted"
    assert client.post(f"/api/v1/referrals/{rid}/accept", headers=lawyer).status_code == 409
    assert client.get(f"/api/v1/cases/{case.id}", headers=lawyer).status_code == 200
    r = client.post(
        f"/api/v1/referrals/{rid}/complete", headers=lawyer, json={"outcome": "received", "accompanied": True}
    )
    assert r.get_json()["outcome"] == "received"
    r = client.post(f"/api/v1/consents/{consent_id}/withdraw", headers=social, json={})
    assert r.status_code == 200
    assert client.get(f"/api/v1/cases/{case.id}", headers=lawyer).status_code == 404
    assert client.get("/api/v1/referrals?direction=sideways", headers=lawyer).status_code == 422
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/referrals",
        "/api/v1/referrals/{referral_id}/accept",
        "/api/v1/referrals/{referral_id}/decline",
        "/api/v1/referrals/{referral_id}/complete",
        "/api/v1/referrals/{referral_id}/withdraw",
        "/api/v1/cases/{case_id}/consents",
        "/api/v1/consents/{consent_id}/withdraw",
    ):
        assert path in doc["paths"], path


def test_web_forms(world, client, auth):
    case = f.case(world["social"])
    db.session.commit()
    auth.login("social@test.org")
    r = client.post(
        f"/cases/{case.id}/consents",
        data={
            "purpose": "share_with_agency",
            "agency_id": str(world.agencies["police"].id),
            "given": "true",
            "language": "Thai",
        },
    )
    assert r.status_code == 422 and "risks" in r.get_data(as_text=True)
    r = client.post(
        "/referrals/new",
        data={
            "case_id": case.id,
            "service": "legal_aid",
            "to_agency_id": world.agencies["legal"].id,
            "reason": "Needs a lawyer for wages",
        },
    )
    assert r.status_code == 409 and "Needs a lawyer for wages" in r.get_data(as_text=True)
    client.post(
        f"/cases/{case.id}/consents",
        data=confirmed(
            {"purpose": "share_with_agency", "agency_id": str(world.agencies["legal"].id), "given": "true"}
        ),
    )
    r = client.post(
        "/referrals/new",
        data={"case_id": case.id, "service": "legal_aid", "to_agency_id": world.agencies["legal"].id},
    )
    assert r.status_code == 302
    assert "legal" in client.get(f"/cases/{case.id}").get_data(as_text=True).lower()
    auth.logout()
    auth.login("lawyer@test.org")
    html = client.get("/").get_data(as_text=True)
    assert 'class="badge count"' in html  # the bell shows an unread notification
    html = client.get("/referrals").get_data(as_text=True)
    assert case.reference in html
    rid = db.session.scalar(select(Referral.id))
    assert client.post(f"/referrals/{rid}/decline", data={"reason": ""}).status_code == 422
    assert client.post(f"/referrals/{rid}/accept").status_code == 302
    assert client.post(f"/referrals/{rid}/accept").status_code == 409
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get("/referrals/figures").status_code == 403


def test_inbox_query_count_constant(world, client, auth):
    from tests.support import measure as _measure

    case = f.case(world["social"])
    consent(world, case, "legal")
    refer(world, case, "legal")
    auth.login("lawyer@test.org")
    paths = ["/referrals?direction=incoming", "/referrals?direction=outgoing", "/notifications"]
    _measure(client, paths)
    small = _measure(client, paths)
    for i in range(30):
        c = f.case(world["social"], given=f"P{i}")
        consent(world, c, "legal")
        refer(world, c, "legal", service="shelter")
    auth.logout()
    auth.login("lawyer@test.org")
    _measure(client, paths)
    large = _measure(client, paths)
    assert small == large, (small, large)


def test_later_refusal_overrides_consent(world):
    case = f.case(world["social"])
    consent(world, case, "legal")
    r = refer(world, case, "legal")
    referrals.record_consent(
        world["social"],
        case,
        {"purpose": "share_with_agency", "agency_id": world.agencies["legal"].id, "given": False},
    )
    db.session.commit()
    assert r.status == "withdrawn"
    with pytest.raises(WorkflowError):
        refer(world, case, "legal")


def test_figures_page_for_coordinators(world, client, auth):
    case = f.case(world["social"])
    consent(world, case, "legal")
    refer(world, case, "legal")
    auth.login("coord@test.org")
    # the old address leads to the dashboard's referrals, with its period
    r = client.get("/referrals/figures?start=2026-01-01&end=2026-06-30")
    assert r.status_code == 302 and r.headers["Location"].startswith("/reports?")
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "referrals made" in html and "Legal aid" in html
    r = client.get("/reports?from=2026-13-01")
    assert r.status_code == 422 and "Use a date like" in r.get_data(as_text=True)


def test_a_bad_plan_item_in_the_address_is_ignored(world, client):
    case = f.case(world["social"])
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    page = client.get(f"/referrals/new?case_id={case.id}&plan_item_id=abc")
    assert page.status_code == 200 and "Refer" in page.get_data(as_text=True)


def test_api_validates_with_the_schemas(world, client):
    """One schema per shape: messages at their fields, unknown fields refused, an invisible case
    is 404 before anything is said about the fields, out-of-range ids are 404 for both methods."""
    case = f.case(world["social"])
    hidden = f.case(world["labour"])
    db.session.commit()
    social = {"Authorization": f"Bearer {f.token(world['social'])}"}
    path = f"/api/v1/cases/{case.id}/consents"
    r = client.post(path, headers=social, json={})
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"purpose", "given"}
    r = client.post(path, headers=social, json={"purpose": "contact_sms", "given": True, "colour": "red"})
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"colour"}
    r = client.post(path, headers=social, json={"purpose": "contact_sms", "given": True, "language": "a\x00"})
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"language"}
    r = client.post(
        path,
        headers=social,
        json={"purpose": "share_with_agency", "given": True, "agency_id": world.agencies["legal"].id},
    )
    assert r.status_code == 201 and r.get_json()["scope"] == ["person"]
    effective = client.get(path, headers=social).get_json()["effective"]
    assert effective == [
        {
            "purpose": "share_with_agency",
            "agency_id": world.agencies["legal"].id,
            "live": True,
            "parts": ["person"],
            "consent_id": r.get_json()["id"],
        }
    ]
    for method in (client.get, client.post):
        assert method("/api/v1/cases/2147483648/consents", headers=social, json={}).status_code == 404
    r = client.post("/api/v1/referrals", headers=social, json={"case_id": hidden.id, "service": "nothing"})
    assert r.status_code == 404
    r = client.post(
        "/api/v1/referrals",
        headers=social,
        json={"case_id": case.id, "to_agency_id": world.agencies["legal"].id, "service": "legal_aid", "x": 1},
    )
    assert r.status_code == 422 and set(r.get_json()["errors"]) == {"x"}
