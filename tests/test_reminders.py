"""Reminders (issue 6): derived from their sources in the same transaction, claimed safely, sent
through the bell, email and SMS, neutral in wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from sqlalchemy import select, update

from mdt.cases import services as cases
from mdt.errors import ValidationError
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.meetings import services as meetings
from mdt.notifications.models import Notification
from mdt.reminders import sending
from mdt.reminders import services as reminders
from mdt.reminders.derive import plan
from mdt.reminders.messages import FORBIDDEN
from mdt.reminders.models import Reminder
from tests import factories as f


def rows(**where):
    stmt = select(Reminder)
    for k, v in where.items():
        stmt = stmt.where(getattr(Reminder, k) == v)
    return db.session.scalars(stmt.order_by(Reminder.scheduled_at, Reminder.id)).all()


def planned(kind, source_id, **where):
    """The whole plan of one source (the outbox holds only the next reminder of each recipient,
    purpose and channel)."""
    return [r for r in plan(kind, [source_id]) if all(r[k] == v for k, v in where.items())]


def run_through() -> int:
    """Let time pass until every reminder has gone: each sweep sends what is due, and each claim
    adds the next reminders. Returns how many were handed out."""
    handed = 0
    for _ in range(10):
        f.due_now()
        done = sending.sweep()
        if not done:
            break
        handed += done
    return handed


def published_meeting(world, days=10):
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Case conference",
            "kind": "case_conference",
            "starts_at": f.at(days),
            "host_agency_id": world.agencies["sw"].id,
            "location": "Hall B",
            "invited_agency_ids": [world.agencies["labour"].id],
        },
    )
    meetings.add_item(world["coordinator"], meeting, {"title": "Planning"})
    meetings.publish(world["coordinator"], meeting)
    db.session.commit()
    return meeting


def test_meeting_reminders_follow_the_meeting(world, client):
    meeting = published_meeting(world)
    assert {
        (r["lead"], r["channel"]) for r in planned("meeting", meeting.id, member_id=world["labour"].id)
    } == {
        ("7d", "app"),
        ("7d", "email"),
        ("1d", "app"),
        ("1d", "email"),
    }
    mine = rows(source_type="meeting", member_id=world["labour"].id)  # the next of each channel
    assert {(r.lead, r.channel) for r in mine} == {("7d", "app"), ("7d", "email")}
    assert all(r.status == "pending" for r in mine)
    assert not rows(source_type="meeting", member_id=world["police"].id)  # not invited
    assert rows(source_type="meeting")[0].scheduled_at == meeting.starts_at - timedelta(days=7)
    # Moving the meeting moves its reminders in the same transaction: the old ones are cancelled.
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    new_start = (
        (meeting.starts_at + timedelta(days=2))
        .astimezone(__import__("zoneinfo").ZoneInfo(world.mdt.timezone))
        .strftime("%Y-%m-%dT%H:%M")
    )
    assert client.post(f"/meetings/{meeting.id}/reschedule", data={"starts_at": new_start}).status_code == 302
    db.session.expire_all()
    live = rows(source_type="meeting", member_id=world["labour"].id, status="pending")
    assert len(live) == 2 and all(r.scheduled_at >= meeting.starts_at - timedelta(days=7) for r in live)
    assert len(rows(source_type="meeting", member_id=world["labour"].id, status="cancelled")) == 2
    # Publishing or moving again never duplicates: keys are unique.
    from mdt.reminders.derive import sync

    sync("meeting", [meeting.id])
    db.session.commit()
    assert len(rows(source_type="meeting", member_id=world["labour"].id, status="pending")) == 2
    # Claiming the 7-day reminders adds the 1-day ones, in the claim's transaction.
    f.due_now()
    sending.sweep()
    live = rows(source_type="meeting", member_id=world["labour"].id, status="pending")
    assert {(r.lead, r.channel) for r in live} == {("1d", "app"), ("1d", "email")}


def test_hearing_reminders_court_support_and_adjournment(world):
    case = f.client_case(world, "Suda")
    m = f.matter(world, [case])
    hearing = legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(20), "purpose": "Witnesses"})
    db.session.commit()
    transport = next(s for s in hearing.support if s.kind == "transport")
    legal.update_support(
        world["lawyer"], hearing, {"support": [{"id": transport.id, "owner_id": world["social"].id}]}
    )
    db.session.commit()
    lawyer = {
        r["lead"] for r in planned("hearing", hearing.id, member_id=world["lawyer"].id, channel="email")
    }
    assert lawyer == {"14d", "3d", "1d"}
    assert {r.lead for r in rows(source_type="hearing", member_id=world["lawyer"].id, channel="email")} == {
        "14d"
    }
    support = planned("hearing", hearing.id, member_id=world["social"].id, channel="email")
    assert {r["lead"] for r in support} == {"3d", "1d"} and {r["purpose"] for r in support} == {
        "court_support"
    }
    assert {r.lead for r in rows(source_type="hearing", member_id=world["social"].id, channel="email")} == {
        "3d"
    }
    legal.update_hearing(world["lawyer"], hearing, {"status": "adjourned", "next_starts_at": f.at(40)})
    db.session.commit()
    assert not rows(source_type="hearing", source_id=hearing.id, status="pending")
    follow = planned("hearing", hearing.next_hearing_id)
    assert {r["lead"] for r in follow if r["member_id"] == world["lawyer"].id} == {"14d", "3d", "1d"}
    follow = rows(source_type="hearing", source_id=hearing.next_hearing_id, status="pending")
    assert {r.lead for r in follow if r.member_id == world["lawyer"].id} == {"14d"}


def test_deadline_cadence_escalation_and_done(world):
    case = f.client_case(world, "Suda")
    m = f.matter(world, [case])
    event, deadlines = legal.record_event(
        world["lawyer"], m, {"kind": "judgment_read", "occurred_on": date.today().isoformat()}
    )
    db.session.commit()
    short = min(deadlines, key=lambda d: d.due_on)
    assert (short.due_on - date.today()).days <= 21
    leads = [r["lead"] for r in planned("deadline", short.id, member_id=world["lawyer"].id, channel="app")]
    assert leads == ["creation", "midpoint", "3wd", "1wd", "lastday"]
    escalation = planned("deadline", short.id, purpose="escalation")
    assert {r["member_id"] for r in escalation} >= {world["coordinator"].id}
    # The outbox holds the next of each: the creation reminder, then one after the other.
    outbox = rows(source_type="deadline", source_id=short.id, member_id=world["lawyer"].id, channel="app")
    assert [r.lead for r in outbox] == ["creation"]
    run_through()
    sent = rows(source_type="deadline", source_id=short.id, member_id=world["lawyer"].id, channel="app")
    assert [(r.lead, r.status) for r in sent] == [(lead, "sent") for lead in leads]
    legal.mark_done(world["lawyer"], short)
    db.session.commit()
    assert not rows(source_type="deadline", source_id=short.id, status="pending")


def test_sweep_sends_through_the_bell_and_the_outbox_folder_neutrally(world, app, client):
    meeting = published_meeting(world)
    f.due_now()
    handed = sending.sweep()
    assert handed == len(rows(status="sent")) > 0
    assert not rows(status="sending")
    # What is left is the next reminder of each (a day before), not due yet.
    assert {r.lead for r in rows(status="pending")} == {"1d"}
    assert sending.sweep() == 0
    f.due_now()
    assert sending.sweep() > 0 and not rows(status="pending")
    bell = db.session.scalars(
        select(Notification).where(
            Notification.member_id == world["labour"].id, Notification.kind == "reminder"
        )
    ).all()
    assert len(bell) == 2
    outbox = sorted((__import__("pathlib").Path(app.instance_path) / "outbox").rglob("*.eml"))
    assert outbox
    for path in outbox:
        mail = message_from_bytes(path.read_bytes(), policy=email_policy.default)
        whole = path.read_bytes().decode("utf-8", "replace").lower()
        assert not any(word in whole for word in FORBIDDEN), path.name
        assert mail["Subject"].startswith("Reminder: meeting on")
        assert any(part.get_content_type() == "text/calendar" for part in mail.iter_attachments())
    # The bell shows the reminder with a link to the meeting.
    client.post("/login", data={"email": "labour@test.org", "password": f.PASSWORD})
    page = client.get("/notifications").get_data(as_text=True)
    assert "Reminder: meeting on" in page and f"/meetings/{meeting.id}" in page
    # A second sweep finds nothing: nothing is sent twice.
    assert sending.sweep() == 0


def test_wording_in_the_recipients_language_and_never_a_name(world, app):
    world["lawyer"].ui_language = "th"
    case = f.client_case(world, "Secretname")
    m = f.matter(world, [case])
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(20), "purpose": "Secretname testifies"})
    db.session.commit()
    f.due_now()
    sending.sweep()
    texts = []
    for path in (__import__("pathlib").Path(app.instance_path) / "outbox").rglob("*.eml"):
        mail = message_from_bytes(path.read_bytes(), policy=email_policy.default)
        texts.append((mail["Subject"], mail.get_body(("plain",)).get_content()))
    assert texts
    for subject, body in texts:
        assert "Secretname" not in subject + body and "Siam" not in subject + body
        assert not any(word in (subject + body).lower() for word in FORBIDDEN)
    assert any("นัด" in subject for subject, _ in texts)  # Thai for the Thai-speaking lawyer


def test_two_sweeps_at_once_never_claim_one_reminder_twice(world, app):
    import threading

    published_meeting(world)
    case = f.client_case(world, "Suda")
    m = f.matter(world, [case])
    for days in (20, 30, 40):
        legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(days), "purpose": "Hearing"})
    db.session.commit()
    f.due_now()
    total = len(rows(status="pending"))
    claimed: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def run(slot):
        with app.app_context():
            barrier.wait()
            while True:
                _, ids = sending.claim(3)
                if not ids:
                    break
                claimed[slot].extend(ids)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    both = claimed[0] + claimed[1]
    assert len(both) == len(set(both)) == total


def test_lost_batches_are_handed_out_again_after_the_lease(world, app):
    published_meeting(world)
    f.due_now()
    token, ids = sending.claim(100)  # a batch whose task never ran (Redis flushed)
    assert ids
    assert sending.sweep() == 0  # still within the lease: nobody else takes it
    app.config["MDT_REMINDER_LEASE_SECONDS"] = 0
    db.session.execute(update(Reminder).values(claimed_at=datetime.now(UTC) - timedelta(seconds=5)))
    db.session.commit()
    assert sending.sweep() == len(ids)
    assert len(rows(status="sent")) == len(ids)
    assert sending.deliver(ids, token)["skipped"] == len(ids)  # the old task, if it wakes up


def test_reminder_preferences_from_the_web(world, client):
    published_meeting(world)
    client.post("/login", data={"email": "labour@test.org", "password": f.PASSWORD})
    page = client.get("/reminders").get_data(as_text=True)
    assert "Meetings: days before" in page and 'value="7, 1"' in page
    bad = client.post(
        "/reminders", data={"channels": ["app", "sms"], "lead_meeting": "two", "quiet_start": "22:00"}
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'value="two"' in text and "Add a phone number" in text
    ok = client.post(
        "/reminders",
        data={
            "channels": ["app"],
            "lead_meeting": "3",
            "lead_hearing": "14, 3, 1",
            "lead_court_support": "3, 1",
        },
    )
    assert ok.status_code == 302
    live = rows(source_type="meeting", member_id=world["labour"].id, status="pending")
    assert {(r.lead, r.channel) for r in live} == {("3d", "app")}


def test_failed_reminder_tells_the_coordinator(world, app):
    app.config["MDT_SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens there
    app.config["MDT_REMINDER_MAX_ATTEMPTS"] = 2
    app.config["MDT_SMTP_TIMEOUT"] = 2
    published_meeting(world)
    f.due_now()
    sending.sweep()
    emails = rows(channel="email", lead="7d")
    assert emails and all(r.status == "pending" and r.attempts == 1 and r.last_error for r in emails)
    assert all(r.status == "sent" for r in rows(channel="app", lead="7d"))  # the rest still went
    for r in emails:  # the second attempt, after the back-off
        r.scheduled_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    sending.sweep()
    failed = rows(channel="email", status="failed")
    assert len(failed) == len(emails) and "Connection" in failed[0].last_error
    told = db.session.scalars(
        select(Notification).where(
            Notification.kind == "reminder_failed", Notification.member_id == world["coordinator"].id
        )
    ).all()
    assert len(told) == len(failed)


def test_api_and_outbox_page(world, client, app):
    published_meeting(world)
    f.due_now()
    sending.sweep()
    token = f.token(world["labour"])
    body = client.get(
        "/api/v1/reminders?status=sent", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert body["items"] and {i["member_id"] for i in body["items"]} == {world["labour"].id}
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Reminder: meeting on" in page
    name = sorted((__import__("pathlib").Path(app.instance_path) / "outbox").rglob("*.eml"))[0].name
    assert "You are invited" in client.get(f"/admin/outbox/{name}").get_data(as_text=True)
    client.post("/logout")
    client.post("/login", data={"email": "labour@test.org", "password": f.PASSWORD})
    assert client.get("/admin/outbox").status_code == 403


def test_a_court_date_set_inside_the_lead_times_is_caught_up_once(world):
    from mdt.reminders.derive import sync

    case = f.client_case(world, "Suda")
    m = f.matter(world, [case])
    hearing = legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(2), "purpose": "Witnesses"})
    db.session.commit()
    mine = planned("hearing", hearing.id, member_id=world["lawyer"].id, channel="email")
    assert [r["lead"] for r in mine] == ["3d", "1d"]  # 3d caught up now, 1d on time
    catch_up = rows(source_type="hearing", member_id=world["lawyer"].id, channel="email")
    assert [r.lead for r in catch_up] == ["3d"]
    assert catch_up[0].scheduled_at <= datetime.now(UTC) + timedelta(seconds=5)
    sending.sweep()
    sync("hearing", [hearing.id])
    db.session.commit()
    mine = rows(source_type="hearing", member_id=world["lawyer"].id, channel="email")
    assert [(r.lead, r.status) for r in mine] == [("3d", "sent"), ("1d", "pending")]


def test_email_through_a_real_smtp_server_with_a_refusing_mailbox(world, app):
    """A real SMTP server on loopback: mail arrives with the invitation attached; a mailbox the
    server refuses is retried, then failed with the reason, and the rest of the batch goes."""
    from tests.smtp_sink import Sink

    with Sink(refuse={"police@test.org"}) as sink:
        app.config.update(MDT_SMTP_URL=sink.url, MDT_REMINDER_MAX_ATTEMPTS=2)
        meeting = meetings.create_meeting(
            world["coordinator"],
            {
                "title": "Case conference",
                "kind": "case_conference",
                "starts_at": f.at(10),
                "host_agency_id": world.agencies["sw"].id,
                "invited_agency_ids": [world.agencies["labour"].id, world.agencies["police"].id],
            },
        )
        meetings.add_item(world["coordinator"], meeting, {"title": "Planning"})
        meetings.publish(world["coordinator"], meeting)
        db.session.commit()
        run_through()
        received = sink.messages
        labour = {m.email for m in world.members.values() if m.agency_id == world.agencies["labour"].id}
        assert {m["To"] for m in received} == labour
        assert len(received) == 2 * len(labour)  # 7 days and 1 day before
        for mail in received:
            assert mail["X-MDT-Reminder"].isdigit()
            ics = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
            assert ics and "SEQUENCE" in str(ics[0].get_content())
            text = mail.as_string().lower()
            assert not any(word in text for word in FORBIDDEN)
        refused = rows(channel="email", member_id=world["police"].id)
        assert refused and all(r.status == "failed" and "550" in r.last_error for r in refused)
        assert all(r.attempts == 2 for r in refused) and len(sink.messages) == 2 * len(labour)


def test_the_person_is_reminded_of_court_dates_only_with_consent_and_a_safe_number(world, app):
    from pathlib import Path

    from mdt.referrals import services as referrals

    case = f.client_case(world, "Secretname")
    case.person.phone = "+66 81 000 0000"
    m = f.matter(world, [case])
    legal.schedule_hearing(
        world["lawyer"],
        m,
        {"starts_at": f.at(10), "purpose": "Witnesses", "location": "Central Labour Court"},
    )
    db.session.commit()
    assert not rows(purpose="claimant")  # no consent to be contacted by SMS yet
    consent = referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    assert not rows(purpose="claimant")  # the number is not confirmed safe
    cases.update_case(world["social"], case, {"person": {"contact_safe": True}})  # as from the page
    db.session.commit()
    mine = rows(purpose="claimant", status="pending")
    assert {(r.lead, r.channel, r.person_id) for r in mine} == {("3d", "sms", case.person.id)}  # then 1d
    f.due_now()
    sending.sweep()
    log = next((Path(app.instance_path) / "outbox").rglob("sms.log")).read_text()
    # The number as providers take it (E.164), whatever its spacing on file.
    assert "+66810000000" in log and "นัดหมาย" in log  # Thai: the MDT is in Thailand
    lowered = log.lower()
    assert "secretname" not in lowered and "court" not in lowered and "labour" not in lowered
    assert not any(word in lowered for word in FORBIDDEN)
    # Withdrawing the consent cancels what is still to come, in the same transaction.
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(20), "purpose": "Judgment"})
    db.session.commit()
    assert rows(purpose="claimant", status="pending")
    referrals.withdraw_consent(world["social"], consent, "Changed her mind")
    db.session.commit()
    assert not rows(purpose="claimant", status="pending")


def test_contact_details_confirmed_safe_from_the_case_page(world, client):
    case = f.case(world["social"], given="Malee")
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    form = {
        "given_name": "Malee",
        "family_name": "Srisuk",
        "sex": "female",
        "summary": "",
        "source": "outreach",
        "email": "not-an-address",
        "contact_safe": "on",
    }
    bad = client.post(f"/cases/{case.id}/edit", data=form)
    assert bad.status_code == 422 and "name@example.org" in bad.get_data(as_text=True)
    assert 'value="not-an-address"' in bad.get_data(as_text=True)
    assert (
        client.post(f"/cases/{case.id}/edit", data={**form, "email": "malee@example.org"}).status_code == 302
    )
    db.session.expire_all()
    assert case.person.contact_safe is True and case.person.email == "malee@example.org"
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "safe to contact" in page
    form.pop("contact_safe")
    client.post(f"/cases/{case.id}/edit", data={**form, "email": "malee@example.org"})
    db.session.expire_all()
    assert case.person.contact_safe is False


def test_supervising_lawyer_gets_the_escalation(world, client):
    from mdt.directory.models import Member

    senior = Member(
        mdt_id=world.mdt.id,
        agency_id=world.agencies["legal"].id,
        email="senior@test.org",
        name="Senior Lawyer",
        roles=["lawyer"],
        active=True,
    )
    db.session.add(senior)
    case = f.client_case(world, "Suda")
    m = f.matter(world, [case])
    event, deadlines = legal.record_event(
        world["lawyer"], m, {"kind": "judgment_read", "occurred_on": date.today().isoformat()}
    )
    db.session.commit()
    client.post("/login", data={"email": "lawyer@test.org", "password": f.PASSWORD})
    bad = client.post(f"/matters/{m.id}/supervisor", data={"supervising_lawyer_id": world["police"].id})
    assert bad.status_code == 422 and "Choose a lawyer of this MDT" in bad.get_data(as_text=True)
    assert (
        client.post(f"/matters/{m.id}/supervisor", data={"supervising_lawyer_id": senior.id}).status_code
        == 302
    )
    escalated = {r.member_id for r in rows(source_type="deadline", purpose="escalation", status="pending")}
    assert senior.id in escalated and world["coordinator"].id in escalated
    assert "Senior Lawyer" in client.get(f"/matters/{m.id}").get_data(as_text=True)


def test_daily_digest_sends_one_email_for_the_days_reminders(world, client, app):
    from tests.smtp_sink import Sink

    client.post("/login", data={"email": "labour@test.org", "password": f.PASSWORD})
    assert (
        client.post(
            "/reminders",
            data={
                "channels": ["app", "email"],
                "lead_meeting": "7, 1",
                "lead_hearing": "14, 3, 1",
                "lead_court_support": "3, 1",
                "digest": "on",
            },
        ).status_code
        == 302
    )
    published_meeting(world)
    meetings.create_action_item(
        world["coordinator"],
        None,
        {
            "title": "Call the employer",
            "owner_agency_id": world.agencies["labour"].id,
            "owner_id": world["labour"].id,
            "due_on": (date.today() + timedelta(days=3)).isoformat(),
        },
    )
    db.session.commit()
    mine = rows(member_id=world["labour"].id, channel="email")
    assert len(mine) == 2  # the meeting's next and the action's
    f.due_now()
    with Sink() as sink:
        app.config["MDT_SMTP_URL"] = sink.url
        sending.sweep()
        to_labour = [m for m in sink.messages if m["To"] == "labour@test.org"]
    assert len(to_labour) == 1 and "2 items" in to_labour[0]["Subject"]
    body = to_labour[0].get_body(("plain",)).get_content()
    assert body.count("Reminder:") == 2 and "/actions" in body
    assert all(r.status == "sent" for r in rows(member_id=world["labour"].id) if r.lead != "1d")
    assert 'name="digest" type="checkbox" checked' in client.get("/reminders").get_data(as_text=True)


def test_overdue_items_are_reminded_every_morning_until_closed(world, app):
    from zoneinfo import ZoneInfo

    from mdt.meetings.models import ActionItem
    from mdt.reminders.services import schedule_overdue

    item = meetings.create_action_item(
        world["coordinator"],
        None,
        {
            "title": "Call the employer",
            "owner_agency_id": world.agencies["labour"].id,
            "owner_id": world["labour"].id,
            "due_on": date.today().isoformat(),
        },
    )
    db.session.commit()
    # A week later it is still open.
    db.session.execute(
        update(ActionItem).where(ActionItem.id == item.id).values(due_on=date.today() - timedelta(days=7))
    )
    db.session.commit()
    assert schedule_overdue() > 0
    db.session.commit()
    overdue = rows(source_type="action", purpose="overdue", channel="email", status="pending")
    assert len(overdue) == 1, [(r.key, r.status) for r in overdue]
    local = overdue[0].scheduled_at.astimezone(ZoneInfo(world.mdt.timezone))
    assert (local.hour, local.minute) == (8, 0) and local > datetime.now(UTC)
    assert schedule_overdue() == 0  # idempotent: one a day
    meetings.close_action(world["labour"], item, "Done")
    db.session.commit()
    assert not rows(source_type="action", status="pending")


def test_cli_sweep_runs_the_same_code(world, app):
    published_meeting(world)
    f.due_now()
    result = app.test_cli_runner().invoke(args=["reminders", "sweep"])
    assert result.exit_code == 0 and "sent" in result.output
    assert not [r for r in rows(status="pending") if r.lead != "1d"]  # the next ones wait
    result = app.test_cli_runner().invoke(args=["reminders", "sync"])
    assert result.exit_code == 0 and "meeting:" in result.output


def test_the_reminders_list_is_paged_and_refuses_unknown_filters(world, client):
    published_meeting(world)
    h = {"Authorization": f"Bearer {f.token(world['coordinator'])}"}
    everyone = client.get("/api/v1/reminders?per_page=1", headers=h).get_json()
    assert everyone["per_page"] == 1 and len(everyone["items"]) == 1 and everyone["total"] > 1
    mine = client.get("/api/v1/reminders?scope=mine", headers=h).get_json()
    assert {i["member_id"] for i in mine["items"]} <= {world["coordinator"].id}
    r = client.get("/api/v1/reminders?status=lost", headers=h)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_reminder_preferences_are_checked_by_their_schema(world):
    with pytest.raises(ValidationError) as exc:
        reminders.save_preferences(
            world["labour"],
            {
                "channels": ["app", "fax"],
                "lead_meeting": "7, 1, x",
                "lead_hearing": "1,2,3,4,5,6",
                "quiet_start": "25:00",
            },
        )
    assert exc.value.errors == {
        "channels": ["Choose from the list."],
        "lead_meeting": ["Write whole days separated by commas, like 7, 1."],
        "lead_hearing": ["Up to five numbers of days between 0 and 60."],
        "quiet_start": ["Use a time like 21:00."],
    }
    saved = reminders.save_preferences(
        world["labour"],
        {"channels": "email", "lead_meeting": " 1, 7,7", "quiet_start": "7:5", "quiet_end": "21:00"},
    )
    assert saved.channels == ["email"] and saved.lead_days == {"meeting": [7, 1]}
    assert (saved.quiet_start, saved.quiet_end, saved.digest) == ("07:05", "21:00", False)


def test_a_batch_is_read_in_a_constant_number_of_statements(world, app):
    """Issue 17: delivering a batch reads its reminders, their sources and recipients in a
    constant number of statements, whatever its size. Each message that leaves the app (email,
    SMS) then costs one statement of its own (marked sent and committed on its own, so that a
    crash repeats at most the one in flight); the bell messages are marked together."""
    from tests.support import count_queries

    def deliver(n: int) -> tuple[int, dict]:
        for i in range(n):
            meetings.create_action_item(
                world["coordinator"],
                None,
                {
                    "title": f"Call the employer {i}",
                    "owner_agency_id": world.agencies["labour"].id,
                    "owner_id": world["labour"].id,
                    "due_on": (date.today() + timedelta(days=3)).isoformat(),
                },
            )
        db.session.commit()
        f.due_now()
        token, ids = sending.claim(1000)
        assert len(ids) == 2 * n  # a bell and an email reminder each
        with count_queries() as c:
            counts = sending.deliver(ids, token)
        assert counts["sent"] == 2 * n, counts
        return c["n"], counts

    sending.deliver(*reversed(sending.claim(1000)))  # warm up (the first use of the wording)
    small, _ = deliver(2)
    large, _ = deliver(12)
    assert large - small == 12 - 2, (small, large)  # one statement per email, nothing per bell
    assert len(rows(source_type="action", channel="app", status="sent")) == 14


def test_an_email_is_built_once_per_wording_and_addressed_to_each_reader(ctx):
    """The parts are flattened once per batch; each reader gets their own To, Message-ID and
    reminder number. An address in another script goes as SMTPUTF8, built whole."""
    from zoneinfo import ZoneInfo

    from mdt.reminders.channels import EmailChannel
    from mdt.reminders.messages import Message, Recipient

    said = Message("Reminder: a task is due", "A task is due.\n", "<p>A task is due.</p>", "/actions", b"ICS")
    channel = EmailChannel()
    mails = []
    for n, address in enumerate(["a@test.org", "b@test.org", "ผู้ใช้@test.org"], start=1):
        raw, options = channel.build(Recipient(n, address, None, "en", ZoneInfo("UTC")), said, n)
        assert options == (() if address.isascii() else ("SMTPUTF8", "BODY=8BITMIME"))
        mails.append(message_from_bytes(raw, policy=email_policy.default))
    assert [m["To"] for m in mails] == ["a@test.org", "b@test.org", "ผู้ใช้@test.org"]
    assert [m["X-MDT-Reminder"] for m in mails] == ["1", "2", "3"]
    assert len({m["Message-ID"] for m in mails}) == 3
    for mail in mails:
        assert mail["Subject"] == "Reminder: a task is due" and mail["From"].addresses
        assert mail.get_body(("plain",)).get_content().splitlines() == ["A task is due."]
        assert [p.get_content_type() for p in mail.iter_attachments()] == ["text/calendar"]
    assert len(channel._said) == 1
