"""The clock: one module reads the time, and "today" is the MDT's date."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mdt.extensions import db
from mdt.legal import services as legal
from mdt.referrals import services as referrals
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent
BANGKOK = ZoneInfo("Asia/Bangkok")
SERVER_CLOCK = re.compile(r"date\.today\(|datetime\.(now|utcnow|today)\(|default=date\.today")


def test_only_the_clock_module_reads_the_time():
    stray = []
    for folder in ("mdt", "workers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "mdt" / "clock.py":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SERVER_CLOCK.search(line):
                    stray.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert stray == [], "read the time through mdt.clock:\n" + "\n".join(stray)


def test_a_morning_hearing_is_on_its_bangkok_day_in_the_calendar(world, client, travel):
    """Defect 2: 06:30 in Bangkok on 3 December is 23:30 UTC on 2 December."""
    with travel(datetime(2026, 11, 30, 10, 0, tzinfo=BANGKOK)):
        m = f.matter(world, [f.client_case(world)])
        legal.schedule_hearing(
            world["lawyer"], m, {"starts_at": "2026-12-03T06:30:00+07:00", "purpose": "Witnesses"}
        )
        db.session.commit()
        client.post("/login", data={"email": "lawyer@test.org", "password": f.PASSWORD})
        page = client.get("/calendar?view=list&date=2026-12-01").get_data(as_text=True)
    days = re.findall(r"<li><strong>([^<]+)</strong>", page)
    assert len(days) == 1 and "3" in days[0] and "December" in days[0], days


def test_referrals_expire_on_the_mdts_date_not_the_servers(world, travel):
    """At 06:30 in Bangkok on 3 December a referral due 2 December is overdue there, while the
    server (UTC) still says 2 December."""
    with travel(datetime(2026, 11, 30, 10, 0, tzinfo=BANGKOK)):
        case = f.case(world["social"])
        referrals.record_consent(
            world["social"],
            case,
            {
                "purpose": "share_with_agency",
                "given": True,
                "agency_id": world.agencies["legal"].id,
                "scope": f.ALL_PARTS,
            },
        )
        referral = referrals.create_referral(
            world["social"],
            {
                "case_id": case.id,
                "to_agency_id": world.agencies["legal"].id,
                "service": "legal_aid",
                "respond_by": "2026-12-02",
            },
        )
        db.session.commit()
    with travel(datetime(2026, 12, 3, 6, 30, tzinfo=BANGKOK)):
        assert date.today() == date(2026, 12, 2)  # the server (UTC) is a day behind
        assert referrals.expire_overdue() == 1
        db.session.commit()
    assert referral.status == "expired"


def test_the_calendar_api_gives_each_entry_its_day_in_the_mdts_zone(world, client, travel):
    from mdt.meetings import services as meetings

    with travel(datetime(2026, 11, 30, 10, 0, tzinfo=BANGKOK)):
        m = f.matter(world, [f.client_case(world)])
        legal.schedule_hearing(
            world["lawyer"], m, {"starts_at": "2026-12-03T06:30:00+07:00", "purpose": "Witnesses"}
        )
        meeting = meetings.create_meeting(
            world["coordinator"],
            {
                "title": "Conference",
                "kind": "case_conference",
                "starts_at": "2026-12-04T07:00:00+07:00",
                "host_agency_id": world.agencies["legal"].id,
            },
        )
        meetings.create_action_item(
            world["coordinator"],
            meeting,
            {"title": "Book the van", "owner_agency_id": world.agencies["legal"].id, "due_on": "2026-12-05"},
        )
        db.session.commit()
        headers = {"Authorization": f"Bearer {f.token(world['lawyer'])}"}
        body = client.get("/api/v1/calendar?from=2026-12-01&to=2026-12-07", headers=headers).get_json()
        refused = client.get("/api/v1/calendar?from=2026-12-07&to=2026-12-01", headers=headers)
    days = {(item["kind"], item["date"]) for item in body["items"]}
    assert ("hearing", "2026-12-03") in days  # 23:30 UTC on the 2nd
    assert ("meeting", "2026-12-04") in days  # 00:00 UTC on the 4th
    assert ("action", "2026-12-05") in days
    hearing = next(i for i in body["items"] if i["kind"] == "hearing")
    assert hearing["matter_id"] == m.id and hearing["starts_at"].startswith("2026-12-02T23:30")
    assert refused.status_code == 422 and "to" in refused.get_json()["errors"]


def test_a_time_limit_ends_with_the_day_of_its_court(world, client, travel):
    """A Philippine court's day starts an hour before the Bangkok MDT's: at 00:30 in Manila on 4
    December (23:30 on the 3rd in Bangkok) a time limit ending on the 4th is due today, and at
    00:30 on the 5th it is overdue, whatever the MDT's own date says."""
    from sqlalchemy import select

    from mdt.legal.models import Deadline
    from mdt.reminders import services as reminders
    from mdt.reminders.models import Reminder

    manila = ZoneInfo("Asia/Manila")
    with travel(datetime(2026, 11, 30, 10, 0, tzinfo=BANGKOK)):
        m = f.matter(world, [f.client_case(world)], jurisdiction="PH")
        deadline = Deadline(
            matter_id=m.id, title="Appeal to the NLRC", due_on=date(2026, 12, 4), set_by_hand=True
        )
        db.session.add(deadline)
        db.session.commit()
    with travel(datetime(2026, 12, 4, 0, 30, tzinfo=manila)):
        client.post("/login", data={"email": "lawyer@test.org", "password": f.PASSWORD})
        assert 'class="overdue"' in client.get(f"/matters/{m.id}").get_data(as_text=True)
        assert "overdue-text" in client.get("/my-legal").get_data(as_text=True)
    with travel(datetime(2026, 12, 5, 0, 30, tzinfo=manila)):
        reminders.schedule_overdue()
        db.session.commit()
    purposes = set(
        db.session.scalars(
            select(Reminder.purpose).where(
                Reminder.source_type == "deadline", Reminder.source_id == deadline.id
            )
        )
    )
    assert "overdue" in purposes
