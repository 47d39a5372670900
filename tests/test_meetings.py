"""Case conferences: agendas proposed from the cases, redaction, action items (issue 5, part)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mdt.errors import Forbidden, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.meetings import services as meetings
from mdt.notifications.models import Notification
from tests import factories as f


def when(days=3, hour=9):
    return (
        (datetime.now(UTC) + timedelta(days=days))
        .replace(hour=hour, minute=0, second=0, microsecond=0)
        .isoformat()
    )


def test_agenda_proposed_with_reasons_and_hearing_soon(world):
    from mdt.legal import services as legal

    intake = f.case(world["social"], given="Newcomer")
    court = f.client_case(world, "Suda")
    m = f.matter(world, [court])
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": when(6), "purpose": "Witnesses"})
    db.session.commit()
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Case conference",
            "kind": "case_conference",
            "starts_at": when(1),
            "host_agency_id": world.agencies["sw"].id,
        },
    )
    db.session.commit()
    reasons = {i.case_id: i.reason for i in meeting.items if i.case_id}
    assert {i.matter_id: i.reason for i in meeting.items if i.matter_id} == {m.id: "hearing_soon"}
    assert reasons[intake.id] == "new_intake"
    assert reasons[court.id] == "new_intake"  # its hearing is the matter's item
    assert all(i.title.startswith("TST-") for i in meeting.items if i.case_id)  # references, never names


def test_redacted_for_agencies_without_access(world, client):
    case = f.case(world["social"], given="Secretname")
    db.session.commit()
    meeting = f.meeting(world, 1)
    meetings.save_minutes(
        world["coordinator"],
        meeting,
        meeting.items[0],
        {"discussion": "Secretname wants sewing training", "decisions": "Refer"},
    )
    db.session.commit()
    rows = meetings.agenda_for(world["police"], meeting)
    assert rows[0].visible is False and rows[0].person is None
    client.post("/login", data={"email": "police@test.org", "password": f.PASSWORD})
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Secretname" not in html and "restricted" in html and case.reference in html
    token = f.token(world["police"])
    body = client.get(
        f"/api/v1/meetings/{meeting.id}/agenda", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert body["items"][0]["restricted"] is True and "Secretname" not in str(body)
    ics = client.get(f"/meetings/{meeting.id}/invitation.ics").get_data(as_text=True)
    assert "Secretname" not in ics and "case" not in ics.lower()


def test_publish_and_bad_input(world):
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Regular",
            "kind": "regular",
            "starts_at": when(2),
            "host_agency_id": world.agencies["labour"].id,
        },
    )
    db.session.commit()
    assert meeting.items == []
    with pytest.raises(WorkflowError):
        meetings.publish(world["coordinator"], meeting)  # an empty agenda
    with pytest.raises(Forbidden):
        meetings.add_item(world["social"], meeting, {"title": "x"})
    meetings.add_item(world["coordinator"], meeting, {"title": "Action plan review"})
    meetings.publish(world["coordinator"], meeting)
    db.session.commit()
    told = db.session.scalars(
        select(Notification.member_id).where(Notification.kind == "meeting_published")
    ).all()
    assert world["labour"].id in told and world["coordinator"].id not in told
    with pytest.raises(WorkflowError):
        meetings.publish(world["coordinator"], meeting)
    with pytest.raises(ValidationError):
        meetings.create_meeting(
            world["coordinator"],
            {
                "title": "x",
                "kind": "regular",
                "starts_at": when(2),
                "ends_at": when(1),
                "host_agency_id": world.agencies["sw"].id,
            },
        )


def test_action_items(world, client):
    case = f.case(world["social"])
    meeting = f.meeting(world, 1)
    with pytest.raises(ValidationError) as exc:
        meetings.create_action_item(
            world["coordinator"], meeting, {"title": "Check wages", "due_on": date.today().isoformat()}
        )
    assert "owner_agency_id" in exc.value.errors
    with pytest.raises(ValidationError) as exc:
        meetings.create_action_item(
            world["coordinator"],
            meeting,
            {
                "title": "Check wages",
                "owner_agency_id": world.agencies["labour"].id,
                "due_on": (date.today() - timedelta(days=3)).isoformat(),
            },
        )
    assert "due_on" in exc.value.errors
    item = meetings.create_action_item(
        world["coordinator"],
        meeting,
        {
            "title": "Check unpaid wages",
            "owner_agency_id": world.agencies["labour"].id,
            "due_on": (date.today() + timedelta(days=10)).isoformat(),
            "case_id": case.id,
        },
    )
    db.session.commit()
    client.post("/login", data={"email": "labour@test.org", "password": f.PASSWORD})
    html = client.get("/actions").get_data(as_text=True)
    assert case.reference in html and "restricted" in html  # the labour office is not on the team
    assert client.post(f"/actions/{item.id}/done", data={"note": "Called the employer"}).status_code == 302
    db.session.refresh(item)
    assert item.done_at is not None
    with pytest.raises(WorkflowError):
        meetings.close_action(world["labour"], item)


def test_series_rotation_and_overlap(world):
    from mdt.meetings.models import MeetingSeries

    series = MeetingSeries(
        mdt_id=world.mdt.id,
        title="Monthly MDT",
        kind="regular",
        rrule="FREQ=MONTHLY;BYDAY=1TH",
        rotation=[world.agencies["sw"].id, world.agencies["labour"].id],
    )
    db.session.add(series)
    db.session.commit()
    first = meetings.create_meeting(
        world["coordinator"], {"title": "M1", "kind": "regular", "starts_at": when(3), "series_id": series.id}
    )
    second = meetings.create_meeting(
        world["coordinator"],
        {"title": "M2", "kind": "regular", "starts_at": when(33), "series_id": series.id},
    )
    assert [first.host_agency_id, second.host_agency_id] == [
        world.agencies["sw"].id,
        world.agencies["labour"].id,
    ]
    with pytest.raises(ValidationError):
        meetings.create_meeting(
            world["coordinator"],
            {"title": "Clash", "kind": "regular", "starts_at": when(3), "series_id": series.id},
        )


def test_api_contract(world, client):
    token = f.token(world["coordinator"])
    h = {"Authorization": f"Bearer {token}"}
    f.case(world["social"])
    db.session.commit()
    r = client.post(
        "/api/v1/meetings",
        headers=h,
        json={
            "title": "Case conference",
            "kind": "case_conference",
            "starts_at": when(2),
            "host_agency_id": world.agencies["sw"].id,
            "location": "Provincial hall",
        },
    )
    assert r.status_code == 201
    mid = r.get_json()["id"]
    agenda = client.get(f"/api/v1/meetings/{mid}/agenda", headers=h).get_json()
    assert agenda["items"][0]["reason"] == "new_intake"
    assert set(agenda["items"][0]) >= {"id", "position", "case_id", "reason", "title", "detail"}
    r = client.post(f"/api/v1/meetings/{mid}/agenda/items", headers=h, json={"title": "Host rotation"})
    assert r.status_code == 201 and r.get_json()["reason"] == "manual"
    r = client.post(
        f"/api/v1/meetings/{mid}/action-items",
        headers=h,
        json={
            "title": "Visit the family",
            "owner_agency_id": world.agencies["sw"].id,
            "due_on": (date.today() + timedelta(days=7)).isoformat(),
        },
    )
    assert r.status_code == 201
    aid = r.get_json()["id"]
    assert client.post(f"/api/v1/action-items/{aid}/done", headers=h, json={}).get_json()["done"] is True
    r = client.get(f"/api/v1/meetings/{mid}/calendar.ics", headers=h)
    assert r.mimetype == "text/calendar" and "UID:meeting-" in r.get_data(as_text=True)


def test_agenda_proposal_query_count_constant(world):
    from mdt.demo.data import add_synthetic_cases
    from tests.support import count_queries

    meeting = f.meeting(world, 1)
    for i in range(5):
        f.case(world["social"], given=f"P{i}")
    db.session.commit()
    with count_queries() as small:
        few = meetings.proposals(meeting)
    add_synthetic_cases(world.mdt, 300)
    db.session.commit()
    with count_queries() as large:
        many = meetings.proposals(meeting, cap=1000)
    assert len(many.items) > len(few.items)
    assert small["n"] == large["n"]


def test_meetings_in_calendar_and_feed(world, client, auth):
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Monthly conference",
            "kind": "case_conference",
            "starts_at": when(2),
            "host_agency_id": world.agencies["sw"].id,
        },
    )
    db.session.commit()
    auth.login("labour@test.org")
    html = client.get("/calendar?view=list").get_data(as_text=True)
    assert "Monthly conference" in html
    client.post("/profile/calendar-feed")
    token = client.get("/profile").get_data(as_text=True).split("/calendar/feed/")[1].split(".ics")[0]
    feed = client.get(f"/calendar/feed/{token}.ics").get_data(as_text=True)
    assert f"UID:meeting-{meeting.id}@mdt-calendar" in feed and "MDT meeting" in feed


def test_minutes_revisions_approval_and_case_history(world):
    from mdt.cases.models import Note
    from mdt.meetings.models import MinutesRevision

    case = f.case(world["social"])
    meeting = f.meeting(world, 1)
    item = meeting.items[0]
    with pytest.raises(WorkflowError):
        meetings.approve_minutes(world["coordinator"], meeting)  # nothing written yet
    meetings.save_minutes(world["coordinator"], meeting, item, {"discussion": "First draft"})
    meetings.save_minutes(
        world["coordinator"], meeting, item, {"discussion": "Second draft", "decisions": "Refer to legal aid"}
    )
    assert [
        r.discussion for r in db.session.scalars(select(MinutesRevision).order_by(MinutesRevision.id))
    ] == ["First draft", "Second draft"]
    assert meetings.approve_minutes(world["coordinator"], meeting) == 1
    db.session.commit()
    notes = db.session.scalars(select(Note.body).where(Note.case_id == case.id)).all()
    assert any("Refer to legal aid" in n for n in notes)
    with pytest.raises(WorkflowError):
        meetings.approve_minutes(world["coordinator"], meeting)
    with pytest.raises(WorkflowError):
        meetings.save_minutes(world["coordinator"], meeting, item, {"discussion": "Changed later"})


def test_reschedule_bumps_sequence(world, client):
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Conference",
            "kind": "regular",
            "starts_at": when(1),
            "host_agency_id": world.agencies["sw"].id,
        },
    )
    db.session.commit()
    assert meeting.sequence == 0
    meetings.reschedule(world["coordinator"], meeting, {"starts_at": when(2), "location": "Hall B"})
    db.session.commit()
    assert meeting.sequence == 1
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    ics = client.get(f"/meetings/{meeting.id}/invitation.ics").get_data(as_text=True)
    assert "SEQUENCE:1" in ics and "Hall B" in ics


def test_printable_minutes_are_redacted_and_decisions_prefill_referrals(world, client):
    case = f.case(world["social"], given="Secretname")
    meeting = f.meeting(world, 1)
    meetings.save_minutes(
        world["coordinator"], meeting, meeting.items[0], {"decisions": "Secretname to get legal aid"}
    )
    meetings.create_action_item(
        world["coordinator"],
        meeting,
        {
            "title": "Call Secretname's employer",
            "owner_agency_id": world.agencies["labour"].id,
            "due_on": (date.today() + timedelta(days=5)).isoformat(),
            "case_id": case.id,
        },
    )
    db.session.commit()
    client.post("/login", data={"email": "labour@test.org", "password": f.PASSWORD})
    html = client.get(f"/meetings/{meeting.id}/print").get_data(as_text=True)
    assert "Secretname" not in html and case.reference in html and "restricted" in html
    client.post("/logout")
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    html = client.get(f"/meetings/{meeting.id}/print").get_data(as_text=True)
    assert "Secretname to get legal aid" in html and "Call Secretname" in html
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Make a referral from this decision" in page
    r = client.get(f"/referrals/new?case_id={case.id}&reason=Secretname+to+get+legal+aid")
    assert "Secretname to get legal aid" in r.get_data(as_text=True)


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), reader


def test_pdf_is_redacted_per_reader_and_sets_thai_in_the_shipped_font(world, client):
    case = f.case(world["social"], given="Secretname")
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "ประชุมทีมสหวิชาชีพ",
            "kind": "case_conference",
            "starts_at": when(1),
            "host_agency_id": world.agencies["sw"].id,
        },
    )
    meetings.save_minutes(
        world["coordinator"],
        meeting,
        meeting.items[0],
        {"decisions": "Secretname ต้องการความช่วยเหลือทางกฎหมาย"},
    )
    db.session.commit()
    client.post("/login", data={"email": "labour@test.org", "password": f.PASSWORD})
    r = client.get(f"/meetings/{meeting.id}/agenda.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text, reader = _pdf_text(r.data)
    assert case.reference in text and "restricted" in text and "Secretname" not in text
    assert "ประชุมทีมสหวิชาชีพ" in text.replace(" ", "")
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Sarabun" in name for name in fonts), fonts
    client.post("/logout")
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    text, _ = _pdf_text(client.get(f"/meetings/{meeting.id}/agenda.pdf").data)
    assert "Secretname" in text


def test_proposed_details_are_worded_in_each_readers_language(world, client):
    from mdt.legal import services as legal

    court = f.client_case(world, "Suda")
    m = f.matter(world, [court])
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": when(6), "purpose": "Witnesses"})
    meeting = f.meeting(world, 1)
    db.session.commit()
    item = next(i for i in meeting.items if i.matter_id == m.id)
    assert item.detail is None and item.detail_args["key"] == "hearing"
    client.post("/login", data={"email": "lawyer@test.org", "password": f.PASSWORD})
    assert "Hearing on" in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    client.post("/language", data={"lang": "th"})
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Hearing on" not in html and "นัดพิจารณา" in html


def test_series_from_the_web_first_thursday_with_rotation(world, client):
    from zoneinfo import ZoneInfo

    from mdt.meetings.models import Meeting, MeetingSeries

    sw, labour, police = (world.agencies[k].id for k in ("sw", "labour", "police"))
    # The first Thursday of a month at least a month away, 09:30 local time.
    day = date.today().replace(day=1) + timedelta(days=62)
    day = day.replace(day=1)
    while day.weekday() != 3:
        day += timedelta(days=1)
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    form = {
        "title": "Monthly MDT",
        "kind": "regular",
        "starts_at": f"{day.isoformat()}T09:30",
        "duration_minutes": "90",
        "repeats": "monthly_weekday",
        f"order_{labour}": "2",
        f"order_{sw}": "1",
        f"order_{police}": "3",
        "invited_agency_ids": [str(sw), str(labour)],
    }
    bad = client.post("/meetings/series", data={**form, "repeats": "custom", "rrule": "EVERY THURSDAY"})
    assert bad.status_code == 422 and "FREQ=MONTHLY" in bad.get_data(as_text=True)
    assert 'value="Monthly MDT"' in bad.get_data(as_text=True)  # nothing typed is lost
    assert client.post("/meetings/series", data=form).status_code == 302
    series = db.session.scalars(select(MeetingSeries)).one()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1TH" and series.rotation == [sw, labour, police]
    page = client.get("/meetings/series").get_data(as_text=True)
    assert "The first Thursday of every month" in page
    assert client.post(f"/meetings/series/{series.id}/schedule", data={"count": "4"}).status_code == 302
    made = db.session.scalars(
        select(Meeting).where(Meeting.series_id == series.id).order_by(Meeting.starts_at)
    ).all()
    zone = ZoneInfo(world.mdt.timezone)
    local = [m.starts_at.astimezone(zone) for m in made]
    assert len(made) == 4 and all(t.weekday() == 3 and t.day <= 7 for t in local)
    assert all((t.hour, t.minute) == (9, 30) for t in local)
    assert [m.host_agency_id for m in made] == [sw, labour, police, sw]
    assert all((m.ends_at - m.starts_at) == timedelta(minutes=90) for m in made)
    assert made[0].invited_agency_ids == sorted([sw, labour])
    # Scheduling again continues after the last one, never twice on one date.
    client.post(f"/meetings/series/{series.id}/schedule", data={"count": "1"})
    again = db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)).all()
    assert len(again) == 5 and len({m.starts_at for m in again}) == 5


def test_attendance_recorded_and_printed(world, client):
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Conference",
            "kind": "case_conference",
            "starts_at": when(1),
            "host_agency_id": world.agencies["sw"].id,
            "invited_agency_ids": [world.agencies["sw"].id, world.agencies["labour"].id],
        },
    )
    db.session.commit()
    sheet = meetings.attendance_sheet(meeting)
    agencies_listed = {row["member"].agency_id for row in sheet}
    assert agencies_listed <= {world.agencies["sw"].id, world.agencies["labour"].id}
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    listed = [str(r["member"].id) for r in sheet]
    r = client.post(
        f"/meetings/{meeting.id}/attendance", data={"listed": listed, "present": [str(world["labour"].id)]}
    )
    assert r.status_code == 302
    rows = {r["member"].id: r["present"] for r in meetings.attendance_sheet(meeting)}
    assert rows[world["labour"].id] is True and rows[world["social"].id] is False
    printed = client.get(f"/meetings/{meeting.id}/print").get_data(as_text=True)
    assert (
        world["labour"].name in printed
        and world["social"].name not in printed.split("Present")[1].split("</p>")[0]
    )
    bad = client.post(
        f"/meetings/{meeting.id}/attendance", data={"listed": ["999999"], "present": ["999999"]}
    )
    assert bad.status_code == 422


def test_the_openapi_document_describes_meetings_from_their_schemas(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    create = paths["/api/v1/meetings"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/Meeting")
    assert {"201", "400", "401", "403", "422"} <= set(create["responses"])
    agenda = schemas["AgendaItem"]["properties"]
    assert {"id", "position", "case_id", "reason", "title", "detail", "restricted"} <= set(agenda)
    assert "manual" in agenda["reason"]["enum"]
    action = schemas["ActionItem"]["properties"]
    assert {"title", "restricted", "due_on", "owner_agency_id", "owner_id", "done", "done_note"} <= set(
        action
    )
    done = paths["/api/v1/action-items/{item_id}/done"]["post"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(done["responses"])
    ics = paths["/api/v1/meetings/{meeting_id}/calendar.ics"]["get"]["responses"]["200"]
    assert list(ics["content"]) == ["text/calendar"]
    listed = paths["/api/v1/reminders"]["get"]
    assert {"status", "scope", "page", "per_page"} <= {p["name"] for p in listed["parameters"]}


def test_bad_input_gets_a_clear_answer_at_its_field(world, client):
    h = {"Authorization": f"Bearer {f.token(world['coordinator'])}"}
    sw = world.agencies["sw"].id
    base = {"title": "Conference", "kind": "regular", "starts_at": when(2), "host_agency_id": sw}
    for field, value in (
        ("starts_at", "0001-01-01T00:00+05:00"),  # out of the years a datetime holds once in UTC
        ("starts_at", 5),
        ("invited_agency_ids", [2**40]),
        ("invited_agency_ids", [True]),
        ("host_agency_id", 2**40),
        ("series_id", 2**31 - 1),
        ("unexpected", 1),
    ):
        r = client.post("/api/v1/meetings", headers=h, json={**base, field: value})
        assert r.status_code == 422 and field in r.get_json()["errors"], (field, value, r.get_json())
    other = meetings.create_meeting(world["coordinator"], {**base, "title": "Other"})
    meeting = meetings.create_meeting(world["coordinator"], base)
    item = meetings.add_item(world["coordinator"], other, {"title": "Elsewhere"})
    db.session.commit()
    action = {
        "title": "Call",
        "owner_agency_id": sw,
        "due_on": (date.today() + timedelta(days=9)).isoformat(),
    }
    r = client.post(
        f"/api/v1/meetings/{meeting.id}/action-items", headers=h, json={**action, "agenda_item_id": item.id}
    )
    assert r.status_code == 422 and "agenda_item_id" in r.get_json()["errors"]
    aid = client.post(f"/api/v1/meetings/{meeting.id}/action-items", headers=h, json=action).get_json()["id"]
    done = f"/api/v1/action-items/{aid}/done"
    assert client.post(done, headers=h, json=[1]).status_code == 400
    r = client.post(done, headers=h, json={"note": 5})
    assert r.status_code == 422 and r.get_json()["errors"] == {"note": ["Expected text."]}
    r = client.post(done, headers=h, json={"note": "  Called  "})
    assert r.status_code == 200 and r.get_json()["done_note"] == "Called"
    assert client.post(done, headers=h).status_code == 409


def test_web_forms_keep_their_messages(world, client):
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    page = client.post("/meetings/new", data={"title": "", "starts_at": "soon", "invited_agency_ids": ["x"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    for message in (
        "This field is required.",
        "Use a date and time like 2026-03-05T09:30.",
        "Choose the host agency.",
        "Choose agencies from the list.",
    ):
        assert message in text, message
    # A rule by the second would make scheduling look through every second to the year 9999.
    series = client.post(
        "/meetings/series",
        data={
            "title": "Too often",
            "kind": "regular",
            "starts_at": f"{(date.today() + timedelta(days=9)).isoformat()}T09:30",
            "repeats": "custom",
            "rrule": "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
            "rotation": [str(world.agencies["sw"].id)],
        },
    )
    assert series.status_code == 422 and "FREQ=MONTHLY;BYDAY=1TH" in series.get_data(as_text=True)
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Conference",
            "kind": "regular",
            "starts_at": when(2),
            "host_agency_id": world.agencies["sw"].id,
        },
    )
    db.session.commit()
    with pytest.raises(ValidationError) as exc:
        meetings.record_attendance(world["coordinator"], meeting, ["x"], [str(world["social"].id), "0"])
    assert exc.value.errors == {"present": ["Choose members from the list."]}
    with pytest.raises(ValidationError) as exc:
        meetings.reschedule(world["coordinator"], meeting, {"starts_at": ""})
    assert exc.value.errors == {"starts_at": ["Use a date and time like 2026-03-05T09:30."]}
