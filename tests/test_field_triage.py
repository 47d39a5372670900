"""Issue 16, parts 1 to 3: follow-up visits and their schedule, village volunteers, the public
complaint form and the coordinators' triage queue."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from mdt.cases.models import Case, Intermediary
from mdt.extensions import db
from mdt.monitoring import services as monitoring
from mdt.reminders.models import Reminder
from mdt.triage.models import TriageItem
from mdt.visits import services as visits
from mdt.visits.models import VisitDue
from tests import factories as f


def volunteer(world):
    member = f.member(
        world.mdt, world.agencies["sw"], "watchdog@test.org", ("volunteer",), name="Village Watchdog"
    )
    db.session.commit()
    return member


# ---------------------------------------------------------------- visits


def test_visit_schedule_overdue_on_the_home_page_until_a_visit_is_made(client, world, auth):
    case = f.case(
        world["social"],
        given="Kanya",
        episodes=[{"destination_country": "KR", "departed_on": "2025-01-10", "returned_on": "2026-04-01"}],
    )
    db.session.commit()
    auth.login("social@test.org")
    assert (
        client.post(f"/cases/{case.id}/visits/schedule", data={"months": ["1", "3", "6", "12"]}).status_code
        == 302
    )
    dues = db.session.scalars(
        select(VisitDue).where(VisitDue.case_id == case.id).order_by(VisitDue.due_on)
    ).all()
    assert [d.due_on.isoformat() for d in dues] == ["2026-05-01", "2026-07-01", "2026-10-01", "2027-04-01"]
    home = client.get("/").get_data(as_text=True)
    assert "Follow-up visits overdue" in home and case.reference in home
    # Another agency's member does not see it.
    auth.logout()
    auth.login("police@test.org")
    assert case.reference not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("social@test.org")
    form = client.get(f"/cases/{case.id}/visits/new")
    assert form.status_code == 200 and b'name="wellbeing"' in form.data
    refused = client.post(
        f"/cases/{case.id}/visits/new", data={"visited_on": "2026-06-14", "place": "Ban Tha"}
    )
    assert refused.status_code == 422 and b"Ban Tha" in refused.data  # what was typed is kept
    made = client.post(
        f"/cases/{case.id}/visits/new",
        data={
            "visited_on": "2026-06-14",
            "place": "Ban Tha",
            "wellbeing": "coping",
            "needs": ["debt"],
            "seen": ["person"],
        },
    )
    assert made.status_code == 302
    assert "Follow-up visits overdue" not in client.get("/").get_data(as_text=True)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Ban Tha" in page and "Coping" in page and "Debt" in page


# ---------------------------------------------------------------- volunteers


def test_a_volunteer_sends_and_follows_but_reads_no_case(client, world, auth):
    watchdog = volunteer(world)
    existing = f.client_case(world)
    auth.login("watchdog@test.org")
    assert client.get("/").status_code == 200
    for url in (
        "/cases",
        f"/cases/{existing.id}",
        "/cases/new",
        "/directory/",
        "/matters",
        "/meetings",
        "/triage",
    ):
        assert client.get(url).status_code == 403, url
    token = f.token(watchdog)
    assert (
        client.get("/api/v1/cases?q=Malee", headers={"Authorization": f"Bearer {token}"}).status_code == 403
    )
    sent = client.post(
        "/submissions/intake",
        data={
            "given_name": "Noi",
            "family_name": "Saengdao",
            "sex": "female",
            "source": "watchdog",
            "summary": "Back from Taiwan, owes the broker.",
        },
    )
    assert sent.status_code == 302
    mine = client.get("/submissions").get_data(as_text=True)
    assert "Noi Saengdao" in mine and "Received" in mine
    # A visit report about the person it sent.
    item = db.session.scalar(select(TriageItem).where(TriageItem.submitted_by_id == watchdog.id))
    assert (
        client.post(
            "/submissions/visit",
            data={"intake_id": str(item.id), "visited_on": "2026-06-14", "wellbeing": "well"},
        ).status_code
        == 302
    )
    # The coordinator accepts the intake as a case; the volunteer then sees its status only.
    auth.logout()
    auth.login("coord@test.org")
    queue = client.get("/triage").get_data(as_text=True)
    assert "Noi Saengdao" in queue and "Village Watchdog" in queue
    assert client.post(f"/triage/{item.id}/accept").status_code == 302
    db.session.expire_all()
    accepted = db.session.get(TriageItem, item.id)
    case = db.session.get(Case, accepted.case_id)
    assert case.person.full_name == "Noi Saengdao" and case.source == "watchdog"
    visit_item = db.session.scalar(select(TriageItem).where(TriageItem.parent_id == item.id))
    assert client.post(f"/triage/{visit_item.id}/accept").status_code == 302
    assert "Well" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    auth.logout()
    auth.login("watchdog@test.org")
    mine = client.get("/submissions").get_data(as_text=True)
    assert "Accepted" in mine and "Noi Saengdao" not in mine
    assert client.get(f"/cases/{case.id}").status_code == 403


def test_a_volunteers_offline_intake_lands_in_triage_not_in_cases(client, world):
    watchdog = volunteer(world)
    token = f.token(watchdog)
    before = db.session.scalar(select(func.count()).select_from(Case))
    answer = client.post(
        "/api/v1/sync",
        json={
            "changes": [
                {
                    "idempotency_key": str(uuid.uuid4()),
                    "entity": "case",
                    "fields": {"person": {"given_name": "Dao", "sex": "female"}, "source": "watchdog"},
                }
            ]
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.get_json()
    (result,) = answer.get_json()["results"]
    assert result["status"] == "applied"
    assert db.session.get(TriageItem, result["id"]).kind == "intake"
    assert db.session.scalar(select(func.count()).select_from(Case)) == before


def test_a_volunteer_role_stands_alone(client, world):
    token = f.token(world["admin"])
    answer = client.post(
        "/api/v1/members",
        json={
            "name": "Mixed",
            "email": "mixed@test.org",
            "agency_id": world.agencies["sw"].id,
            "roles": ["volunteer", "member"],
            "password": "a long passphrase 1",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    assert "roles" in answer.get_json()["errors"]


# ---------------------------------------------------------------- the public form


def test_a_complaint_gets_a_code_and_phrase_that_tell_the_status_only(client, world, auth):
    agency = Intermediary(
        mdt_id=world.mdt.id, name="Golden Jobs Co.", kind="recruitment_agency", licence_no="123/2560"
    )
    db.session.add(agency)
    db.session.commit()
    sent = client.post(
        "/public/complaints",
        json={
            "what_happened": "They kept my passport and I was not paid for four months.",
            "where": "Taichung",
            "agency_id": agency.id,
            "contact_way": "line",
            "contact": "noi123",
            "language": "th",
            "mdt_id": world.mdt.id,
        },
    )
    assert sent.status_code == 201
    code, phrase = sent.get_json()["tracking_code"], sent.get_json()["phrase"]
    status = client.get("/public/complaints/status", query_string={"code": code, "phrase": phrase})
    assert status.get_json() == {"status": "received"}
    # Typed loosely: lower case, no dash, no space.
    loose = client.get(
        "/public/complaints/status",
        query_string={"code": code.replace("-", "").lower(), "phrase": phrase.replace(" ", "")},
    )
    assert loose.get_json() == {"status": "received"}
    wrong = client.get("/public/complaints/status", query_string={"code": code, "phrase": "0000 0000"})
    unknown = client.get("/public/complaints/status", query_string={"code": "ABCD-EFGH", "phrase": phrase})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]
    # Not counted on the agency's monitoring record until a coordinator takes it up.
    assert monitoring.figures(world["coordinator"], [agency.id])[agency.id]["complaints"] == 0
    # The coordinator opens it: "being looked at"; declines it: "closed", with no details.
    auth.login("coord@test.org")
    item = db.session.scalar(select(TriageItem).where(TriageItem.tracking_code == code))
    page = client.get(f"/triage/{item.id}").get_data(as_text=True)
    assert "They kept my passport" in page and "Golden Jobs Co." in page
    status = client.get("/public/complaints/status", query_string={"code": code, "phrase": phrase})
    assert status.get_json() == {"status": "being_looked_at"}
    refused = client.post(f"/triage/{item.id}/decline", data={"reason": ""})
    assert refused.status_code == 422 and b"Say why" in refused.data
    assert (
        client.post(
            f"/triage/{item.id}/decline", data={"reason": "Not in our province; sent to Chiang Rai."}
        ).status_code
        == 302
    )
    status = client.get("/public/complaints/status", query_string={"code": code, "phrase": phrase})
    assert status.get_json() == {"status": "closed"}
    assert monitoring.figures(world["coordinator"], [agency.id])[agency.id]["complaints"] == 0
    # Another one, which the coordinator finds is about a person already known: it counts.
    again = client.post(
        "/public/complaints",
        json={"what_happened": "Same agency, fees.", "agency_id": agency.id, "mdt_id": world.mdt.id},
    )
    other = db.session.scalar(
        select(TriageItem).where(TriageItem.tracking_code == again.get_json()["tracking_code"])
    )
    known = f.client_case(world)
    assert client.post(f"/triage/{other.id}/merge", data={"reference": known.reference}).status_code == 302
    assert monitoring.figures(world["coordinator"], [agency.id])[agency.id]["complaints"] == 1


def test_the_complaint_form_in_the_persons_language_keeps_what_was_typed(client, world):
    page = client.get("/login").get_data(as_text=True)
    assert "/report" in page
    burmese = client.get("/report?language=my").get_data(as_text=True)
    assert 'lang="my"' in burmese
    refused = client.post(
        "/report?language=en", data={"where": "Busan", "what_happened": "", "mdt_id": str(world.mdt.id)}
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert "Busan" in body and "Tell us what happened." in body
    sent = client.post(
        "/report",
        data={"what_happened": "No pay for 3 months", "mdt_id": str(world.mdt.id), "language": "km"},
    )
    assert sent.status_code == 201
    assert 'lang="km"' in sent.get_data(as_text=True)
    item = db.session.scalar(select(TriageItem).where(TriageItem.kind == "complaint"))
    assert item.language == "km" and item.data["what_happened"] == "No pay for 3 months"


def test_a_robot_filling_the_trap_is_answered_alike_and_nothing_is_kept(client, world):
    sent = client.post(
        "/public/complaints",
        json={"what_happened": "Buy cheap", "website": "http://spam.example", "mdt_id": world.mdt.id},
    )
    assert sent.status_code == 201 and sent.get_json()["tracking_code"]
    assert db.session.scalar(select(func.count()).select_from(TriageItem)) == 0


def test_a_flood_from_one_address_is_stopped(client, web_app, world):
    web_app.config["MDT_COMPLAINT_LIMIT"] = 2
    answers = [
        client.post(
            "/public/complaints", json={"what_happened": f"Report {n}", "mdt_id": world.mdt.id}
        ).status_code
        for n in range(4)
    ]
    assert answers == [201, 201, 429, 429]
    assert db.session.scalar(select(func.count()).select_from(TriageItem)) == 2
    page = client.post("/report?language=en", data={"what_happened": "One more", "mdt_id": str(world.mdt.id)})
    assert page.status_code == 429
    assert b"try again in an hour" in page.data and b"One more" in page.data  # nothing typed is lost


def test_several_teams_ask_which_province(client, world):
    answer = client.post("/public/complaints", json={"what_happened": "No pay"})
    assert answer.status_code == 422 and "mdt_id" in answer.get_json()["errors"]


def test_a_visit_due_reminds_the_worker_and_a_visit_made_cancels_it(world):
    social = world["social"]
    case = f.case(
        social,
        episodes=[{"destination_country": "KR", "departed_on": "2025-01-10", "returned_on": "2026-05-20"}],
    )
    visits.set_schedule(social, case, {"months": [1]})  # due on 2026-06-20
    db.session.commit()
    rows = db.session.scalars(select(Reminder).where(Reminder.source_type == "visit")).all()
    assert {r.member_id for r in rows} == {social.id}
    assert {r.purpose for r in rows} == {"reminder", "overdue"}
    assert all(r.status == "pending" for r in rows)
    visits.add_visit(social, case, {"visited_on": "2026-06-15", "wellbeing": "well"})
    db.session.commit()
    db.session.expire_all()
    rows = db.session.scalars(select(Reminder).where(Reminder.source_type == "visit")).all()
    assert rows and all(r.status == "cancelled" for r in rows)
