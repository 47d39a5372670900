"""Issue 13, section 4: how a deadline was counted reads in the reader's language, with Thai
dates in the Buddhist era and holidays by their Thai name."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from mdt.legal.calendar import CourtCalendar, Period, compute
from mdt.legal.traces import readable


@pytest.fixture
def trace(app):
    with app.test_request_context():
        calendar = CourtCalendar("TH")
        # From 2026-04-01, 9 working days: Songkran (13-15 April) and weekends are not counted.
        yield compute(date(2026, 4, 1), Period(9, "working_days"), calendar).trace


def test_every_line_of_a_computation_is_read_back(app, trace):
    with app.test_request_context(), force_locale("en"):
        lines = [readable(line, "TH") for line in trace]
    assert lines[0] == "1 Apr 2026 + 9 working days = 20 Apr 2026"
    assert lines[-1] == "last day: Monday, 20 April 2026"
    assert all(line not in trace for line in lines), lines  # none left as written


def test_in_thai_dates_are_buddhist_and_holidays_named_in_thai(app, trace):
    with app.test_request_context(), force_locale("th"):
        text = " ".join(readable(line, "TH") for line in trace)
    assert "2569" in text and "2026" not in text
    assert "วันสงกรานต์" in text and "Songkran" not in text
    assert "วันทำการ" in text


def test_an_unknown_line_is_shown_as_written(app):
    with app.test_request_context(), force_locale("th"):
        assert readable("set by hand: see the court order", "TH") == "set by hand: see the court order"


def test_a_thai_matter_page_names_the_rule_and_counts_in_thai(world, client):
    from mdt.extensions import db
    from mdt.legal import services as legal
    from tests import factories as f

    m = f.matter(world, [f.client_case(world)])
    legal.record_event(world["lawyer"], m, {"kind": "judgment_read", "occurred_on": "2026-04-01"})
    db.session.commit()
    client.post("/login", data={"email": "lawyer@test.org", "password": f.PASSWORD})
    client.post("/language", data={"lang": "th", "next": "/"})
    html = client.get(f"/matters/{m.id}").get_data(as_text=True)
    assert "อุทธรณ์คำพิพากษาศาลแรงงาน (ในข้อกฎหมาย)" in html
    assert "วันสุดท้าย:" in html and "last day:" not in html and "2569" in html


def test_the_note_written_on_approval_is_in_the_approvers_language(world, app):
    """Issue 13: generated notes translated, their date as the reader reads it."""
    from sqlalchemy import select

    from mdt.cases.models import Note
    from mdt.extensions import db
    from mdt.meetings import services as meetings
    from tests import factories as f

    case = f.case(world["social"])
    meeting = f.meeting(world, title="ประชุมทีม")
    item = meetings.add_item(world["coordinator"], meeting, {"title": "ติดตาม", "case_id": case.id})
    meetings.save_minutes(world["coordinator"], meeting, item, {"decisions": "ส่งต่อไปยังศาล"})
    with app.test_request_context(), force_locale("th"):
        meetings.approve_minutes(world["coordinator"], meeting)
    db.session.commit()
    note = db.session.scalars(select(Note.body).where(Note.case_id == case.id)).one()
    year = meeting.starts_at.year + 543
    assert "ประชุมทีม" in note and str(year) in note and "-" not in note.split("ประชุมทีม")[1][:20]
