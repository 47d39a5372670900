"""Functional tests through the test client."""

import re

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from mdt.audit.models import AuditEvent
from mdt.cases.models import Case, IntakeDraft
from mdt.extensions import db
from tests import factories as f
from tests.conftest import PG_URL
from tests.support import confirmed


def test_login_required(client):
    r = client.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_login_wrong_password_keeps_email(world, client, auth):
    r = auth.login("social@test.org", "wrong")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "Wrong email or password" in html and "social@test.org" in html


def test_login_and_home(world, client, auth):
    r = auth.login("social@test.org")
    assert r.status_code == 302
    r = client.get("/")
    assert r.status_code == 200 and "My cases" in r.get_data(as_text=True)


def test_intake_keeps_values_on_error(world, client, auth):
    auth.login("social@test.org")
    form = {
        "given_name": "",
        "family_name": "Kongkaew",
        "sex": "female",
        "source": "outreach",
        "phone": "0812223333",
        "destination_country": "QQQ",
        "recruitment_fee": "-1",
        "intermediary_name": "Golden Bridge",
        "intermediary_kind": "recruitment_agency",
    }
    r = client.post("/cases/new", data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for kept in ("Kongkaew", "0812223333", "QQQ", "Golden Bridge"):
        assert kept in html
    assert "This field is required." in html
    assert "The amount cannot be negative." in html
    assert db.session.scalar(select(Case.id)) is None
    # The form was saved as a draft: a new intake starts empty, and lists this one as unfinished.
    html = client.get("/cases/new").get_data(as_text=True)
    assert 'value="Kongkaew"' not in html and "Your unfinished intakes" in html
    link = re.search(r'href="(/cases/new\?draft=\d+)">Kongkaew</a>', html).group(1)
    assert 'value="Kongkaew"' in client.get(link).get_data(as_text=True)


def test_intake_creates_case_and_clears_draft(world, client, auth):
    auth.login("social@test.org")
    saved = client.post("/cases/new/draft", data={"given_name": "Wanida"}).get_data(as_text=True)
    draft_id = int(re.search(r'name="draft_id" value="(\d+)"', saved).group(1))
    assert db.session.get(IntakeDraft, draft_id).member_id == world["social"].id
    r = client.post(
        "/cases/new",
        data={
            "draft_id": str(draft_id),
            "given_name": "Wanida",
            "sex": "female",
            "source": "self",
            "destination_country": "RO",
            "sector": "garment",
            "intermediary_name": "Euro Work",
            "intermediary_kind": "recruitment_agency",
        },
    )
    assert r.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert case.episodes[0].destination_country == "RO"
    assert case.episodes[0].links[0].intermediary.name == "Euro Work"
    db.session.expire_all()
    assert db.session.get(IntakeDraft, draft_id) is None


def test_duplicate_warning_then_same_person(world, client, auth):
    first = f.case(world["social"], person={"date_of_birth": "1990-01-02"})
    db.session.commit()
    auth.login("social@test.org")
    form = {
        "given_name": "Malee",
        "family_name": "Srisuk",
        "sex": "female",
        "source": "self",
        "date_of_birth": "1990-01-02",
    }
    r = client.post("/cases/new", data=form)
    html = r.get_data(as_text=True)
    assert "may already be registered" in html and first.reference in html
    r = client.post("/cases/new", data={**form, "person_id": str(first.person_id)})
    assert r.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Case)) == 2


def test_case_page_audited_and_hidden_from_others(world, client, auth):
    case = f.case(world["social"])
    db.session.commit()
    auth.login("police@test.org")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.get(f"/cases/{case.id}/audit").status_code == 404
    auth.logout()
    auth.login("social2@test.org")
    r = client.get(f"/cases/{case.id}")
    assert r.status_code == 200 and "Malee" in r.get_data(as_text=True)
    reads = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.read")).all()
    assert [e.actor_id for e in reads] == [world["social2"].id]


def test_coordinator_sees_summary_only(world, client, auth):
    case = f.case(world["social"], summary="Secret story")
    db.session.commit()
    auth.login("coordlab@test.org")
    r = client.get(f"/cases/{case.id}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and case.reference in html
    assert "Malee" not in html and "Secret story" not in html
    assert client.post(f"/cases/{case.id}/notes", data={"body": "x"}).status_code == 403


def test_add_note_error_keeps_page(world, client, auth):
    case = f.case(world["social"])
    db.session.commit()
    auth.login("social@test.org")
    r = client.post(f"/cases/{case.id}/notes", data={"body": "   "})
    assert r.status_code == 422 and "Write the note first." in r.get_data(as_text=True)
    r = client.post(f"/cases/{case.id}/notes", data={"body": "Home visit", "restricted": "on"})
    assert r.status_code == 302
    r = client.get(f"/cases/{case.id}/audit")
    assert "added a note" in r.get_data(as_text=True)


def test_stage_change_via_form(world, client, auth):
    case = f.case(world["social"])
    db.session.commit()
    auth.login("social@test.org")
    r = client.post(f"/cases/{case.id}/stage", data={"to": "closed", "reason": ""})
    assert r.status_code == 422 and "Say why the case is closed." in r.get_data(as_text=True)
    r = client.post(f"/cases/{case.id}/stage", data={"to": "active"})
    assert r.status_code == 409
    r = client.post(f"/cases/{case.id}/stage", data={"to": "assessment"})
    assert r.status_code == 302


def test_episode_assessment_plan_team_forms(world, client, auth):
    case = f.case(world["social"])
    db.session.commit()
    auth.login("social@test.org")
    assert client.get(f"/cases/{case.id}/episodes/new").status_code == 200
    r = client.post(
        f"/cases/{case.id}/episodes/new",
        data={"destination_country": "SE", "wages_owed": "-3", "job": "Berry picking"},
    )
    assert r.status_code == 422 and "Berry picking" in r.get_data(as_text=True)
    assert (
        client.post(
            f"/cases/{case.id}/episodes/new",
            data={
                "destination_country": "SE",
                "sector": "agriculture",
                "wages_owed": "38000",
                "currency": "THB",
                "channel": "formal",
            },
        ).status_code
        == 302
    )
    r = client.post(
        f"/cases/{case.id}/edit",
        data={"given_name": "", "family_name": "Changed", "sex": "female", "source": "self"},
    )
    assert r.status_code == 422 and "Changed" in r.get_data(as_text=True)
    assert (
        client.post(
            f"/cases/{case.id}/edit",
            data={"given_name": "Malee", "sex": "female", "source": "self", "home_district": "Lom Sak"},
        ).status_code
        == 302
    )
    assert client.get(f"/cases/{case.id}/team").status_code == 200
    assert (
        client.post(
            f"/cases/{case.id}/assessment",
            data={"goals": "Small shop", "risks": "Lender threats", "deportation_risk": "on"},
        ).status_code
        == 302
    )
    assert client.post(f"/cases/{case.id}/plan", data={"kind": "service", "text": "x"}).status_code == 422
    assert (
        client.post(
            f"/cases/{case.id}/plan",
            data={"kind": "service", "service": "skills_training", "text": "Sewing course"},
        ).status_code
        == 302
    )
    r = client.post(f"/cases/{case.id}/team", data={"agency_ids": [str(world.agencies["legal"].id)]})
    assert r.status_code == 409 and "has not given consent" in r.get_data(as_text=True)
    consent = {"purpose": "share_with_agency", "agency_id": str(world.agencies["legal"].id), "given": "true"}
    r = client.post(f"/cases/{case.id}/consents", data=consent)  # read back first, nothing saved
    assert r.status_code == 200 and "Legal Aid NGO may see these parts of the case" in r.get_data(
        as_text=True
    )
    assert client.post(f"/cases/{case.id}/consents", data=confirmed(consent)).status_code == 302
    assert (
        client.post(
            f"/cases/{case.id}/team", data={"agency_ids": [str(world.agencies["legal"].id)]}
        ).status_code
        == 302
    )
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for text in ("Sweden", "Small shop", "Lender threats", "Sewing course", "Legal Aid NGO"):
        assert text in html


def test_admin_manages_directory_but_not_cases(world, client, auth):
    case = f.case(world["social"])
    db.session.commit()
    auth.login("admin@test.org")
    r = client.post(
        "/directory/agencies/new", data={"name": "", "kind": "ngo", "level": "province", "area": "Lom Sak"}
    )
    assert r.status_code == 422 and "Lom Sak" in r.get_data(as_text=True)
    r = client.post(
        "/directory/agencies/new",
        data={"name": "Women's Group", "kind": "ngo", "level": "village", "area": "Moo 3"},
    )
    assert r.status_code == 302
    r = client.post(
        "/directory/members/new",
        data={
            "name": "New Person",
            "email": "new@test.org",
            "agency_id": str(world.agencies["sw"].id),
            "roles": ["member"],
            "password": "short",
            "active": "on",
        },
    )
    assert r.status_code == 422 and "new@test.org" in r.get_data(as_text=True)
    r = client.post(
        "/directory/members/new",
        data={
            "name": "New Person",
            "email": "new@test.org",
            "agency_id": str(world.agencies["sw"].id),
            "roles": ["member"],
            "password": "long-enough-pass",
            "active": "on",
        },
    )
    assert r.status_code == 302
    assert client.get(f"/cases/{case.id}").status_code == 404


@pytest.mark.parametrize("who,status", [("social", 403), ("coordinator", 302), ("admin", 302)])
def test_action_plan_editing(world, client, auth, who, status):
    auth.login(world[who].email)
    r = client.post(
        "/directory/action-plan",
        data={"agency_id": str(world.agencies["legal"].id), "responsibility": "Legal assessment"},
    )
    assert r.status_code == status


def test_other_mdt_invisible_everywhere(world, client, auth):
    case = f.case(world["outsider"], given="Hiddenname")
    db.session.commit()
    auth.login("coord@test.org")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert case.reference not in client.get("/cases?q=Hiddenname").get_data(as_text=True)
    assert case.reference not in client.get("/cases").get_data(as_text=True)
    assert "Other Social Welfare" not in client.get("/directory/").get_data(as_text=True)


def test_thai_interface(world, client, auth):
    auth.login("social@test.org")
    client.post("/language", data={"lang": "th"})
    html = client.get("/").get_data(as_text=True)
    assert 'lang="th"' in html
    assert "เคสของฉัน" in html  # "My cases"
    db.session.expire_all()
    assert db.session.get(type(world["social"]), world["social"].id).ui_language == "th"


def test_change_password(world, client, auth):
    auth.login("social@test.org")
    r = client.post(
        "/profile/password", data={"current_password": "wrong", "new_password": "x", "repeat_password": "x"}
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "This is not your current password." in html and "At least 12 characters." in html
    r = client.post(
        "/profile/password",
        data={
            "current_password": "correct-horse-battery",
            "new_password": "a-new-long-one",
            "repeat_password": "a-new-long-one",
        },
    )
    assert r.status_code == 302
    auth.logout()
    assert auth.login("social@test.org", "a-new-long-one").status_code == 302


def test_deactivated_member_is_logged_out(world, client, auth):
    auth.login("social2@test.org")
    assert client.get("/").status_code == 200
    world["social2"].active = False
    db.session.commit()
    assert client.get("/").status_code == 302
    assert auth.login("social2@test.org").status_code == 200  # refused: form shown again


def test_illegal_stage_move_explained_on_page(world, client, auth):
    case = f.case(world["social"])
    db.session.commit()
    auth.login("social@test.org")
    r = client.post(f"/cases/{case.id}/stage", data={"to": "follow_up"})
    assert r.status_code == 409
    assert "cannot move from" in r.get_data(as_text=True)


def test_a_late_autosave_after_registering_keeps_no_draft(world, client, auth):
    """The autosave of a select changed just before "Register" may arrive after the case exists: it
    must not bring the registered person back as an unfinished intake."""
    auth.login("social@test.org")
    saved = client.post("/cases/new/draft", data={"given_name": "Wanida"}).get_data(as_text=True)
    draft_id = re.search(r'name="draft_id" value="(\d+)"', saved).group(1)
    form = {"draft_id": draft_id, "given_name": "Wanida", "sex": "female", "source": "self"}
    assert client.post("/cases/new", data=form).status_code == 302
    late = client.post("/cases/new/draft", data=form)
    assert late.status_code == 204
    assert db.session.scalars(select(IntakeDraft)).all() == []


def test_a_database_out_of_reach_answers_503_and_to_try_again(database_template, tmp_path):
    """Issue 17 (drills): while PostgreSQL restarts, new connections are refused. The pages (in
    the member's language, without the database) and the API answer 503 with Retry-After and say
    that nothing was saved, not a 500 "error logged"."""
    from tests.conftest import make_app

    down = make_app(
        database_template,
        tmp_path,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://mdt:x@127.0.0.1:1/unreachable",
    )
    client = down.test_client()
    # Pages: benchmarks/drills/run.py (sessions in Redis). Here sessions would be kept in the
    # unreachable database too, so the API, which keeps none, is what this test can reach.
    api = client.get("/api/v1/cases", headers={"Authorization": "Bearer not-checked-yet"})
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert api.headers["Retry-After"] == "30" and "try again" in api.get_json()["detail"]


def test_a_connection_dropped_at_the_commit_answers_503_too(world, client, auth, web_app):
    """Issue 17 (drills): the last of the 500s while PostgreSQL restarted. The page was read on a
    live connection; the server went away before the request's commit, which runs after the view
    (``mdt.transaction``): the error then escapes Flask's ``after_request`` and reaches the
    handler as a 500. Here the request's own connection is terminated, for real, just before it
    commits."""
    if not (PG_URL and PG_URL.startswith("postgresql")):
        pytest.skip("terminating a connection needs PostgreSQL (the suite's PostgreSQL pass)")
    web_app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: no test re-raise
    auth.login("social@test.org")
    dropped = []

    def drop_the_connection(session):
        if dropped:
            return
        pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with db.engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        dropped.append(pid)

    event.listen(Session, "before_commit", drop_the_connection)
    try:
        page = client.get("/cases")
    finally:
        event.remove(Session, "before_commit", drop_the_connection)
    assert dropped
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "cannot be reached for a moment" in page.get_data(as_text=True)
    assert page.headers.get("Content-Security-Policy")  # the other hooks ran on the 503 as well
    assert client.get("/cases").status_code == 200  # and the next request finds a live connection
