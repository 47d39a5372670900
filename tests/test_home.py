"""Issue 13, section 2: the home page answers each role's question for today; its counts link to
the lists they count, and it makes as many queries with 10 cases as with 500."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mdt import clock
from mdt.demo.data import add_synthetic_cases
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import Deadline
from mdt.meetings import services as meetings
from mdt.referrals import services as referrals
from mdt.reminders.models import Reminder
from tests import factories as f
from tests.support import measure


def _page(client, auth, email) -> str:
    auth.login(email)
    r = client.get("/")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_a_lawyer_sees_the_next_14_days_missed_and_unconfirmed_first(world, client, auth):
    case = f.client_case(world)
    m = f.matter(world, [case])
    today = clock.today(world.mdt)
    legal.record_event(
        world["lawyer"], m, {"kind": "judgment_read", "occurred_on": (today - timedelta(days=2)).isoformat()}
    )
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(6), "purpose": "Witnesses of the employer"})
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(30), "purpose": "Far away"})
    missed = Deadline(
        matter_id=m.id,
        title="Filing missed",
        due_on=today - timedelta(days=3),
        status="missed",
    )
    db.session.add(missed)
    db.session.commit()
    html = _page(client, auth, "lawyer@test.org")
    assert "Hearings and deadlines: the next 14 days" in html
    assert "Witnesses of the employer" in html and "Far away" not in html
    # The missed deadline comes before the open ones.
    assert html.index("Filing missed") < html.index("Appeal from a Labour Court judgment")
    assert 'href="/my-legal"' in html
    # Case work follows the lawyer's own panel.
    assert html.index("legal-h") < html.index("casework-h")


def test_case_work_counts_referrals_waiting_and_link_to_the_lists(world, client, auth):
    case = f.client_case(world)
    referrals.create_referral(
        world["social"],
        {"case_id": case.id, "service": "legal_aid", "to_agency_id": world.agencies["legal"].id},
    )
    db.session.commit()
    html = _page(client, auth, "social@test.org")
    sent = html[html.index('href="/referrals?direction=outgoing&amp;status=pending"') :][:200]
    assert "<strong>1</strong>" in sent and "referrals we sent, not answered yet" in sent
    # Counted, not shown: so not recorded as read (review finding).
    from mdt.audit.models import AuditEvent

    listed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.list")).all()
    assert all(case.id not in (e.detail or {}).get("ids", []) for e in listed)
    auth.logout()
    html = _page(client, auth, "lawyer@test.org")
    waiting = html[html.index('href="/referrals?direction=incoming&amp;status=pending"') :][:200]
    assert "<strong>1</strong>" in waiting and case.reference in html


def test_the_count_of_cases_needing_action_is_the_list_it_links_to(world, client, auth):
    from mdt.cases.models import Case

    quiet = [f.case(world["social"], given=f"Quiet{i}") for i in range(11)]
    old = clock.now() - timedelta(days=45)
    db.session.execute(
        Case.__table__.update().where(Case.id.in_([c.id for c in quiet])).values(updated_at=old)
    )
    db.session.commit()
    html = _page(client, auth, "social@test.org")
    link = html[html.index('href="/cases?attention=1"') :][:120]
    assert "<strong>11</strong>" in link  # not capped by the eight rows shown
    listed = client.get("/cases?attention=1").get_data(as_text=True)
    assert all(f"Quiet{i}" in listed for i in range(11))


def test_a_coordinator_sees_the_next_conference_and_overdue_actions_by_agency(world, client, auth):
    case = f.case(world["coordinator"])
    meeting = f.meeting(world, days=2, title="December conference")
    today = clock.today(world.mdt)
    meetings.create_action_item(
        world["coordinator"],
        None,
        {
            "title": "Visit the employer",
            "owner_agency_id": world.agencies["labour"].id,
            "due_on": (today + timedelta(days=1)).isoformat(),
            "case_id": case.id,
        },
    )
    db.session.commit()
    from mdt.meetings.models import ActionItem

    db.session.execute(ActionItem.__table__.update().values(due_on=today - timedelta(days=5)))
    db.session.commit()
    html = _page(client, auth, "coord@test.org")
    assert "December conference" in html and f"/meetings/{meeting.id}#agenda" in html
    assert "agenda not published yet" in html
    link = f"/actions?agency={world.agencies['labour'].id}&amp;overdue=1"
    assert link in html and "Labour Office" in html
    listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Visit the employer" in listed and "Action items of Labour Office" in listed
    assert 'href="/cases?stage=intake"' in html


def test_an_admin_sees_accounts_and_system_health(world, client, auth):
    html = _page(client, auth, "admin@test.org")
    assert "Accounts and system" in html
    assert "The background worker has not reported yet" in html
    assert 'href="/admin/outbox?status=failed"' in html
    # An admin-only account has no case-work panel.
    assert "casework-h" not in html
    assert db.session.scalar(select(Reminder.id)) is None


def test_home_queries_stay_constant_as_data_grows(world, client, auth):
    case = f.client_case(world)
    f.matter(world, [case])
    f.meeting(world)
    db.session.commit()
    counts = {}
    for email in ("coord@test.org", "lawyer@test.org", "admin@test.org", "social@test.org"):
        auth.login(email)
        measure(client, ["/"])
        counts[email] = measure(client, ["/"])
        auth.logout()
    add_synthetic_cases(world.mdt, 300)
    db.session.commit()
    for email, small in counts.items():
        auth.login(email)
        assert measure(client, ["/"]) == small, email
        auth.logout()


def test_a_value_not_set_never_shows_as_none(world, client, auth):
    f.case(world["social"], given="Nodistrict")
    db.session.commit()
    html = _page(client, auth, "social@test.org")
    assert "Nodistrict" in html and "None" not in html
    assert "None" not in client.get("/cases").get_data(as_text=True)
