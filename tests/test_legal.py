"""Legal matters, claimants, hearings, events and deadlines."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import Deadline, DeadlineChange, DeadlineRule
from mdt.notifications.models import Notification
from tests import factories as f


def test_matter_with_claimants_and_totals(world):
    a, b = f.client_case(world), f.client_case(world, "Suda")
    m = f.matter(world, [a, b])
    assert m.lawyers[0].member_id == world["lawyer"].id
    assert legal.totals(m) == {"THB": {"claimed": "382748.00", "awarded": "0.00", "received": "0.00"}}
    legal.update_claimant(
        world["lawyer"],
        m,
        m.claimants[0],
        {
            "status": "settled",
            "amount_awarded": "150000",
            "amount_received": "150000",
            "debt_relief": {
                "loan_cancelled": True,
                "collateral_returned": True,
                "note": "Land title returned",
            },
        },
    )
    with pytest.raises(ValidationError):
        legal.update_claimant(world["lawyer"], m, m.claimants[1], {"amount_awarded": "-1"})
    with pytest.raises(ValidationError):
        legal.update_claimant(world["lawyer"], m, m.claimants[1], {"currency": "XYZ"})
    db.session.commit()
    assert legal.totals(m)["THB"]["received"] == "150000.00"
    assert m.claimants[0].collateral_returned


def test_claimant_needs_consent_to_legal_action(world):
    case = f.client_case(world, legal_consent=False)
    with pytest.raises(WorkflowError):
        f.matter(world, [case])


def test_event_creates_deadlines_with_trace(world):
    m = f.matter(world, [f.client_case(world)])
    event, deadlines = legal.record_event(
        world["lawyer"], m, {"kind": "judgment_read", "occurred_on": "2025-12-19"}
    )
    db.session.commit()
    assert [d.rule.code for d in deadlines] == ["TH-1"]
    d = deadlines[0]
    assert d.due_on == date(2026, 1, 5)  # 15 days -> Sat 3 Jan -> Monday 5 Jan
    assert d.verified and any("Saturday" in line for line in d.trace)
    with pytest.raises(ValidationError):
        legal.record_event(
            world["lawyer"],
            m,
            {"kind": "judgment_read", "occurred_on": (date.today() + timedelta(days=2)).isoformat()},
        )
    with pytest.raises(ValidationError):
        legal.record_event(world["lawyer"], m, {"kind": "tea_break", "occurred_on": "2025-01-01"})


def test_unverified_rules_are_marked(world):
    m = f.matter(world, [f.client_case(world)], kind="criminal", jurisdiction="PH")
    _e, deadlines = legal.record_event(
        world["lawyer"], m, {"kind": "trafficking_release", "occurred_on": "2024-05-01"}
    )
    assert {d.verified for d in deadlines} == {False}
    assert len(deadlines) == 2


def test_closure_day_moves_open_deadlines_and_keeps_history(world):
    m = f.matter(world, [f.client_case(world)])
    _e, (d,) = legal.record_event(world["lawyer"], m, {"kind": "judgment_read", "occurred_on": "2025-12-22"})
    manual = Deadline(matter_id=m.id, title="Agreed filing", due_on=date(2026, 1, 6), set_by_hand=True)
    db.session.add(manual)
    db.session.commit()
    assert d.due_on == date(2026, 1, 6)  # Tuesday
    with pytest.raises(Forbidden):
        legal.save_closure(world["lawyer"], {"jurisdiction": "TH", "day": "2026-01-06", "reason": "x"})
    closure, moved = legal.save_closure(
        world["admin"], {"jurisdiction": "TH", "day": "2026-01-06", "reason": "Decreed substitution day"}
    )
    db.session.commit()
    assert moved == [d.id] and d.due_on == date(2026, 1, 7)
    assert manual.due_on == date(2026, 1, 6)  # set by hand: untouched
    history = db.session.scalars(select(DeadlineChange)).all()
    assert [(h.old_due_on, h.new_due_on) for h in history] == [(date(2026, 1, 6), date(2026, 1, 7))]
    told = db.session.scalars(
        select(Notification.member_id).where(Notification.kind == "deadline_moved")
    ).all()
    assert told == [world["lawyer"].id]
    legal.remove_closure(world["admin"], closure)
    db.session.commit()
    assert d.due_on == date(2026, 1, 6)
    # Recomputing with nothing changed moves nothing.
    assert legal.recompute("again", None, Deadline.id == d.id) == []


def test_event_date_change_and_rule_edit_recompute(world):
    m = f.matter(world, [f.client_case(world)])
    event, (d,) = legal.record_event(
        world["lawyer"], m, {"kind": "judgment_read", "occurred_on": "2025-12-22"}
    )
    db.session.commit()
    moved = legal.change_event_date(world["lawyer"], event, "2025-12-23")
    assert moved == [d.id] and d.due_on == date(2026, 1, 7)
    rule = db.session.scalars(select(DeadlineRule).where(DeadlineRule.code == "TH-1")).one()
    with pytest.raises(ValidationError):
        legal.save_rule(world["admin"], {"amount": -3}, rule)
    with pytest.raises(ValidationError):
        legal.save_rule(world["admin"], {"amount": 500, "unit": "years"}, rule)
    _rule, moved = legal.save_rule(world["admin"], {"amount": 30}, rule)
    db.session.commit()
    assert moved == [d.id] and d.due_on == date(2026, 1, 22) and rule.version == 2
    assert d.title == rule.title
    legal.mark_done(world["lawyer"], d)
    with pytest.raises(WorkflowError):
        legal.mark_done(world["lawyer"], d)
    _rule, moved = legal.save_rule(world["admin"], {"amount": 15}, rule)
    assert moved == []  # done deadlines stay as they were


def test_second_member_confirms_trigger(world):
    m = f.matter(world, [f.client_case(world)])
    event, _d = legal.record_event(world["lawyer"], m, {"kind": "judgment_read", "occurred_on": "2025-12-22"})
    with pytest.raises(WorkflowError):
        legal.confirm_event(world["lawyer"], event)
    legal.confirm_event(world["coordinator"], event)
    assert event.confirmed_by_id == world["coordinator"].id


def test_missed_sweep(world):
    m = f.matter(world, [f.client_case(world)])
    legal.record_event(world["lawyer"], m, {"kind": "judgment_read", "occurred_on": "2024-01-10"})
    db.session.commit()
    from workers.tasks import mark_missed_deadlines

    assert mark_missed_deadlines.run() == 1
    assert mark_missed_deadlines.run() == 0


def test_hearings(world):
    m = f.matter(world, [f.client_case(world)])
    with pytest.raises(ValidationError):
        legal.schedule_hearing(world["lawyer"], m, {"starts_at": "2020-01-01T09:00", "purpose": "x"})
    when = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    h = legal.schedule_hearing(world["lawyer"], m, {"starts_at": when.isoformat(), "purpose": "Witnesses"})
    assert {s.kind for s in h.support} == {"transport", "lodging", "interpreter", "witness_preparation"}
    with pytest.raises(ValidationError):
        legal.update_hearing(world["lawyer"], h, {"status": "adjourned"})
    later = when + timedelta(days=30)
    legal.update_hearing(world["lawyer"], h, {"status": "adjourned", "next_starts_at": later.isoformat()})
    db.session.commit()
    assert h.next_hearing_id is not None
    # Local time without offset is read in the court's zone.
    h2 = legal.schedule_hearing(
        world["lawyer"],
        m,
        {"starts_at": (date.today() + timedelta(days=3)).isoformat() + "T09:00", "purpose": "Mediation"},
    )
    assert h2.starts_at.hour == 2  # 09:00 Bangkok = 02:00 UTC


def test_access(world):
    case = f.client_case(world)
    m = f.matter(world, [case])
    assert legal.get_matter(world["lawyer"], m.id)
    assert legal.get_matter(world["social"], m.id)  # on the claimant's case team
    with pytest.raises(NotFound):
        legal.get_matter(world["police"], m.id)
    with pytest.raises(Forbidden):
        legal.get_matter(world["social"], m.id, edit=True)
    with pytest.raises(NotFound):
        legal.get_matter(world["outsider"], m.id)


def test_api_contract(world, client):
    case = f.client_case(world)
    token = f.token(world["lawyer"])
    h = {"Authorization": f"Bearer {token}"}
    r = client.post(
        "/api/v1/legal-matters",
        headers=h,
        json={
            "kind": "labour",
            "jurisdiction": "TH",
            "title": "43 workers v. agency",
            "respondents": [{"name": "Golden Bridge", "kind": "recruitment_agency"}],
            "claimants": [{"case_id": case.id, "amount_claimed": "191374.00", "currency": "THB"}],
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["totals"] == {"THB": {"claimed": "191374.00", "awarded": "0.00", "received": "0.00"}}
    assert body["linked_matter_ids"] == []
    mid, cid = body["id"], body["claimants"][0]["id"]
    r = client.post(
        f"/api/v1/legal-matters/{mid}/events",
        headers=h,
        json={"kind": "judgment_read", "occurred_on": "2025-12-19"},
    )
    assert r.status_code == 201
    dl = r.get_json()["deadlines"][0]
    assert set(dl) >= {"id", "rule", "title", "due_on", "citation", "verified", "trace"}
    assert (
        client.post(
            f"/api/v1/legal-matters/{mid}/events",
            headers=h,
            json={"kind": "judgment_read", "occurred_on": "2099-01-01"},
        ).status_code
        == 422
    )
    r = client.patch(
        f"/api/v1/legal-matters/{mid}/claimants/{cid}",
        headers=h,
        json={"status": "won", "amount_awarded": "191374.00"},
    )
    assert r.get_json()["status"] == "won"
    assert client.get(f"/api/v1/legal-matters/{mid}/deadlines", headers=h).get_json()["items"][0]["due_on"]
    assert client.post(f"/api/v1/deadlines/{dl['id']}/done", headers=h).get_json()["status"] == "done"
    rules = client.get("/api/v1/deadline-rules?jurisdiction=TH", headers=h).get_json()["items"]
    assert {r["code"] for r in rules} >= {"TH-1", "TH-4"} and all(r["jurisdiction"] == "TH" for r in rules)
    when = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    r = client.post(
        f"/api/v1/legal-matters/{mid}/hearings",
        headers=h,
        json={"starts_at": when, "purpose": "First hearing", "location": "Bangkok"},
    )
    assert r.status_code == 201
    hid = r.get_json()["id"]
    later = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    assert client.patch(f"/api/v1/hearings/{hid}", headers=h, json={"starts_at": later}).status_code == 200
    r = client.post(
        "/api/v1/legal-matters",
        headers=h,
        json={"kind": "criminal", "jurisdiction": "TH", "title": "Criminal track"},
    )
    other = r.get_json()["id"]
    r = client.patch(f"/api/v1/legal-matters/{mid}", headers=h, json={"linked_matter_ids": [other]})
    assert r.get_json()["linked_matter_ids"] == [other]
    police = {"Authorization": f"Bearer {f.token(world['police'])}"}
    assert client.get(f"/api/v1/legal-matters/{mid}", headers=police).status_code == 404
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/legal-matters",
        "/api/v1/legal-matters/{matter_id}",
        "/api/v1/legal-matters/{matter_id}/events",
        "/api/v1/legal-matters/{matter_id}/hearings",
        "/api/v1/hearings/{hearing_id}",
        "/api/v1/legal-matters/{matter_id}/deadlines",
        "/api/v1/deadlines/{deadline_id}/done",
        "/api/v1/deadline-rules",
        "/api/v1/legal-matters/{matter_id}/claimants/{claimant_id}",
    ):
        assert path in doc["paths"], path


def test_hidden_claimants_are_a_count(world, client):
    a = f.client_case(world)
    m = f.matter(world, [a])
    # A second claimant whose case the coordinator of another agency cannot read.
    token = f.token(world["coord_labour"])
    body = client.get(
        f"/api/v1/legal-matters/{m.id}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert body["claimants"] == [] and body["claimants_hidden"] == 1
    assert "Malee" not in str(body)


def test_web_pages(world, client, auth):
    case = f.client_case(world)
    auth.login("lawyer@test.org")
    assert client.get("/matters").status_code == 200
    r = client.post(
        "/matters/new",
        data={"title": "", "kind": "labour", "jurisdiction": "TH", "forum": "Central Labour Court"},
    )
    assert r.status_code == 422 and "Central Labour Court" in r.get_data(as_text=True)
    r = client.post(
        "/matters/new",
        data={
            "title": "Berry pickers",
            "kind": "labour",
            "jurisdiction": "TH",
            "respondent_name": ["Siam Overseas"],
            "respondent_kind": ["recruitment_agency"],
        },
    )
    assert r.status_code == 302
    mid = int(r.headers["Location"].rsplit("/", 1)[1])
    r = client.post(f"/matters/{mid}/claimants", data={"reference": "NOPE-1", "amount_claimed": "100"})
    assert r.status_code == 422
    assert (
        client.post(
            f"/matters/{mid}/claimants", data={"reference": case.reference, "amount_claimed": "191374"}
        ).status_code
        == 302
    )
    r = client.post(f"/matters/{mid}/events", data={"kind": "judgment_read", "occurred_on": "2099-01-01"})
    assert r.status_code == 422 and "cannot be in the future" in r.get_data(as_text=True)
    assert (
        client.post(
            f"/matters/{mid}/events", data={"kind": "judgment_read", "occurred_on": "2025-12-19"}
        ).status_code
        == 302
    )
    html = client.get(f"/matters/{mid}").get_data(as_text=True)
    assert "Appeal from a Labour Court judgment" in html and "Malee" in html
    assert "How it was counted" in html and "trigger date not confirmed" in html
    html = client.get("/my-legal").get_data(as_text=True)
    assert "Appeal from a Labour Court judgment" in html
    assert client.get("/admin/rules").status_code == 200
    assert client.get("/admin/rules/1").status_code == 403
    auth.logout()
    auth.login("admin@test.org")
    r = client.post("/admin/closures", data={"jurisdiction": "TH", "day": "2026-01-05", "reason": ""})
    assert r.status_code == 422
    r = client.post(
        "/admin/closures",
        data={"jurisdiction": "TH", "day": "2026-01-05", "reason": "Decreed substitution day"},
    )
    assert r.status_code == 302
    d = db.session.scalars(select(Deadline)).one()
    db.session.refresh(d)
    assert d.due_on == date(2026, 1, 6)
    rule_id = d.rule_id
    r = client.post(
        f"/admin/rules/{rule_id}",
        data={
            "title": "x",
            "citation": "y",
            "amount": "-1",
            "unit": "days",
            "roll": "forward",
            "confidence": "H",
            "matter_kinds": ["labour"],
            "active": "on",
        },
    )
    assert r.status_code == 422 and "A whole number" in r.get_data(as_text=True)
    auth.logout()
    auth.login("lawyer@test.org")
    html = client.get("/notifications").get_data(as_text=True)
    assert "A deadline moved on Berry pickers" in html


def test_case_and_respondent_pages_list_matters(world, client, auth):
    case = f.client_case(world)
    m = f.matter(world, [case])
    auth.login("social@test.org")
    assert m.title in client.get(f"/cases/{case.id}").get_data(as_text=True)
    rid = m.respondents[0].intermediary_id
    html = client.get(f"/directory/intermediaries/{rid}").get_data(as_text=True)
    assert m.title in html and "Legal matters in this MDT that name them: 1." in html
    auth.logout()
    auth.login("police@test.org")
    html = client.get(f"/directory/intermediaries/{rid}").get_data(as_text=True)
    # one matter about a person outside the police's teams: a small count, hidden
    assert m.title not in html and "Legal matters in this MDT that name them: &lt;5." in html


def test_calendar_pages_and_feed(world, client, auth):
    case = f.client_case(world)
    m = f.matter(world, [case])
    legal.record_event(
        world["lawyer"],
        m,
        {"kind": "judgment_read", "occurred_on": (date.today() - timedelta(days=2)).isoformat()},
    )
    when = datetime.now(UTC) + timedelta(days=5)
    legal.schedule_hearing(
        world["lawyer"],
        m,
        {"starts_at": when.isoformat(), "purpose": "Witnesses", "location": "Central Labour Court"},
    )
    db.session.commit()
    auth.login("lawyer@test.org")
    for view in ("month", "week", "list"):
        r = client.get(f"/calendar?view={view}&date={date.today().isoformat()}")
        assert r.status_code == 200
    assert "Appeal from a Labour Court judgment" in client.get("/calendar?view=list").get_data(as_text=True)
    assert client.get("/calendar?date=not-a-date").status_code == 200
    r = client.post("/profile/calendar-feed")
    assert r.status_code == 302
    html = client.get("/profile").get_data(as_text=True)
    url = html.split("/calendar/feed/")[1].split(".ics")[0]
    # Issue 13: a field to copy, not an error-styled message; shown once.
    assert 'id="feed-url" type="text" readonly' in html and "flash-warning" not in html
    assert "/calendar/feed/" not in client.get("/profile").get_data(as_text=True)
    auth.logout()
    r = client.get(f"/calendar/feed/{url}.ics")
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    body = r.get_data(as_text=True)
    assert "BEGIN:VEVENT" in body and "Court hearing" in body and "Filing deadline" in body
    for word in ("Malee", "Berry", "trafficking", "victim", "case"):
        assert word.lower() not in body.lower(), word
    auth.login("lawyer@test.org")
    client.post("/profile/calendar-feed", data={"action": "revoke"})
    assert client.get(f"/calendar/feed/{url}.ics").status_code == 404
    html = client.get(f"/matters/{m.id}").get_data(as_text=True)
    assert "Timeline" in html


def test_court_support_and_attendance(world, client, auth):
    m = f.matter(world, [f.client_case(world), f.client_case(world, "Suda")])
    when = datetime.now(UTC) + timedelta(days=5)
    h = legal.schedule_hearing(world["lawyer"], m, {"starts_at": when.isoformat(), "purpose": "Witnesses"})
    db.session.commit()
    transport = next(s for s in h.support if s.kind == "transport")
    auth.login("lawyer@test.org")
    r = client.post(
        f"/matters/{m.id}/hearings/{h.id}/support",
        data={
            f"owner_{transport.id}": str(world["social"].id),
            f"done_{transport.id}": "on",
            "attending": [str(m.claimants[0].id)],
        },
    )
    assert r.status_code == 302
    db.session.refresh(transport)
    assert transport.owner_id == world["social"].id and transport.done
    assert legal.attendance([h.id])[h.id] == {m.claimants[0].id}
    html = client.get(f"/matters/{m.id}").get_data(as_text=True)
    assert "1 claimant attending" in html
    with pytest.raises(ValidationError):
        legal.update_support(world["lawyer"], h, {"support": [{"id": transport.id, "owner_id": 99999}]})


def test_admin_adds_a_rule(world, client, auth):
    auth.login("admin@test.org")
    r = client.post(
        "/admin/rules/new",
        data={
            "jurisdiction": "TH",
            "trigger": "returned_home",
            "title": "Local complaint window",
            "amount": "99999",
            "unit": "years",
            "citation": "Provincial order",
            "confidence": "U",
            "matter_kinds": ["administrative"],
        },
    )
    assert r.status_code == 422 and "Local complaint window" in r.get_data(as_text=True)
    r = client.post(
        "/admin/rules/new",
        data={
            "jurisdiction": "TH",
            "trigger": "returned_home",
            "title": "Local complaint window",
            "amount": "60",
            "unit": "days",
            "roll": "forward",
            "citation": "Provincial order",
            "confidence": "U",
            "matter_kinds": ["administrative"],
            "active": "on",
        },
    )
    assert r.status_code == 302
    rule = db.session.scalars(
        select(DeadlineRule).where(DeadlineRule.title == "Local complaint window")
    ).one()
    assert rule.matter_kinds == ["administrative"] and not rule.verified


def test_api_input_is_checked_by_the_schemas(world, client):
    """One schema per shape: unknown fields are refused, a case is a claimant once, a claim is in
    the court's currency, times without an offset are the court's, and bad times are a 422."""
    case = f.client_case(world)
    lawyer = world["lawyer"]
    h = {"Authorization": f"Bearer {f.token(lawyer)}"}
    base = {"kind": "labour", "jurisdiction": "PH", "title": "Seafarers v. manning agency"}
    r = client.post("/api/v1/legal-matters", headers=h, json={**base, "colour": "red"})
    assert r.status_code == 422 and "colour" in r.get_json()["errors"]
    r = client.post(
        "/api/v1/legal-matters",
        headers=h,
        json={**base, "claimants": [{"case_id": case.id}, {"case_id": case.id}]},
    )
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["claimants[1].case_id"]
    r = client.post(
        "/api/v1/legal-matters",
        headers=h,
        json={**base, "claimants": [{"case_id": case.id}], "lawyer_ids": [lawyer.id, lawyer.id]},
    )
    assert r.status_code == 201, r.get_json()
    matter = r.get_json()
    assert matter["lawyer_ids"] == [lawyer.id] and matter["claimants"][0]["currency"] == "PHP"
    mid, cid = matter["id"], matter["claimants"][0]["id"]

    r = client.post(
        f"/api/v1/legal-matters/{mid}/hearings",
        headers=h,
        json={"starts_at": "0001-01-01T00:00", "purpose": "Mediation"},
    )
    assert r.status_code == 422 and "starts_at" in r.get_json()["errors"]
    day = (date.today() + timedelta(days=5)).isoformat()
    r = client.post(
        f"/api/v1/legal-matters/{mid}/hearings",
        headers=h,
        json={"starts_at": f"{day}T09:00", "purpose": "Mediation"},
    )
    assert r.status_code == 201 and r.get_json()["starts_at"] == f"{day}T01:00:00+00:00"  # Manila
    hid = r.get_json()["id"]
    r = client.patch(f"/api/v1/hearings/{hid}", headers=h, json={"starts_at": f"{day}T10:00"})
    assert r.status_code == 200 and r.get_json()["starts_at"] == f"{day}T02:00:00+00:00"
    r = client.patch(f"/api/v1/hearings/{hid}", headers=h, json={"status": "adjourned"})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["next_starts_at"]

    r = client.patch(
        f"/api/v1/legal-matters/{mid}/claimants/{cid}",
        headers=h,
        json={"debt_relief": {"loan_cancelled": True, "note": "Loan written off"}},
    )
    assert r.status_code == 200
    assert r.get_json()["debt_relief"] == {
        "loan_cancelled": True,
        "collateral_returned": False,
        "note": "Loan written off",
    }
    r = client.patch(f"/api/v1/legal-matters/{mid}/claimants/{cid}", headers=h, json={"status": None})
    assert r.status_code == 422 and "status" in r.get_json()["errors"]

    r = client.post(
        f"/api/v1/legal-matters/{mid}/events",
        headers=h,
        json={"kind": "decision_received", "occurred_on": (date.today() - timedelta(days=3)).isoformat()},
    )
    assert r.status_code == 201 and r.get_json()["deadlines"]
    eid = r.get_json()["id"]
    r = client.patch(
        f"/api/v1/events/{eid}", headers=h, json={"occurred_on": "2025-01-02", "kind": "dismissal"}
    )
    assert r.status_code == 422 and "kind" in r.get_json()["errors"]
    r = client.patch(f"/api/v1/events/{eid}", headers=h, json={"occurred_on": "2025-01-02"})
    assert r.status_code == 200 and r.get_json()["occurred_on"] == "2025-01-02"
    assert not r.get_json()["confirmed"] and r.get_json()["deadlines"]

    r = client.patch(f"/api/v1/legal-matters/{mid}", headers=h, json={"linked_matter_ids": [mid]})
    assert r.status_code == 422 and "linked_matter_ids" in r.get_json()["errors"]
    r = client.patch(f"/api/v1/legal-matters/{mid}", headers=h, json={"title": ""})
    assert r.status_code == 422 and "title" in r.get_json()["errors"]
    body = client.get("/api/v1/legal-matters?per_page=1", headers=h).get_json()
    assert len(body["items"]) == 1 and body["total"] == 1 and body["items"][0]["id"] == mid
    assert client.get("/api/v1/deadline-rules?jurisdiction=XX", headers=h).status_code == 422
    # An id out of range is not found, whatever the method.
    assert client.patch("/api/v1/legal-matters/2147483648", headers=h, json={}).status_code == 404


def test_admin_api_rules_and_closures(world, client):
    h = {"Authorization": f"Bearer {f.token(world['admin'])}"}
    rule = {
        "jurisdiction": "TH",
        "trigger": "returned_home",
        "title": "Local complaint window",
        "amount": 60,
        "unit": "days",
        "citation": "Provincial order",
        "confidence": "U",
        "matter_kinds": ["administrative", "administrative"],
    }
    r = client.post("/api/v1/deadline-rules", headers=h, json={**rule, "matter_kinds": []})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["matter_kinds"]
    r = client.post("/api/v1/deadline-rules", headers=h, json={**rule, "code": "TH-1"})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["code"]
    r = client.post("/api/v1/deadline-rules", headers=h, json=rule)
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["matter_kinds"] == ["administrative"] and created["roll"] == "forward"
    assert created["offset_days"] == 0 and created["active"] and not created["verified"]
    # A period is checked with the rule's other values: 200 years is impossible.
    years = db.session.scalars(select(DeadlineRule).where(DeadlineRule.unit == "years")).first()
    r = client.patch(f"/api/v1/deadline-rules/{years.id}", headers=h, json={"amount": 200})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["amount"]
    r = client.patch(f"/api/v1/deadline-rules/{created['id']}", headers=h, json={"active": False})
    assert r.status_code == 200 and r.get_json()["recomputed"] == [] and not r.get_json()["active"]
    assert r.get_json()["version"] == 2

    closure = {"jurisdiction": "TH", "day": "2026-01-06", "reason": "Decreed substitution day"}
    r = client.post("/api/v1/closure-days", headers=h, json=closure)
    assert r.status_code == 201
    added = r.get_json()
    assert added["court"] == "" and added["action"] == "closed" and added["recomputed"] == []
    r = client.post("/api/v1/closure-days", headers=h, json=closure)
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["day"]
    r = client.delete(f"/api/v1/closure-days/{added['id']}", headers=h)
    assert r.status_code == 200 and r.get_json() == {"recomputed": []}


def test_forms_keep_their_messages(world, client, auth):
    m = f.matter(world, [f.client_case(world)])
    auth.login("lawyer@test.org")
    r = client.post(f"/matters/{m.id}/hearings", data={"starts_at": "", "purpose": "Witnesses"})
    assert r.status_code == 422 and "Use a date and time like 2026-03-05T09:30." in r.get_data(as_text=True)
    r = client.post(f"/matters/{m.id}/claimants", data={"reference": "", "amount_claimed": "-5"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "No such case, or you are not on its team." in page and "The amount cannot be negative." in page
    r = client.post(f"/matters/{m.id}/supervisor", data={"supervising_lawyer_id": str(world["social"].id)})
    assert r.status_code == 422 and "Choose a lawyer of this MDT." in r.get_data(as_text=True)
    auth.logout()
    auth.login("admin@test.org")
    r = client.post(
        "/admin/rules/new",
        data={
            "jurisdiction": "TH",
            "trigger": "returned_home",
            "title": "Local complaint window",
            "amount": "",
            "unit": "days",
            "citation": "Provincial order",
            "confidence": "U",
        },
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "A whole number from 0 to 36500." in page
    assert "Choose the kinds of matter the rule applies to." in page
