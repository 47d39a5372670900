"""Issue 17: a group legal claim's hearing or time limit is ONE agenda item for the matter (with
how many of the MDT's claimants it concerns), not one per claimant; the proposals are capped, most
urgent first, and the coordinator is told how many were left out."""

from __future__ import annotations

from datetime import timedelta

from mdt import clock
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import Deadline
from mdt.meetings import services as meetings
from tests import factories as f
from tests.support import count_queries


def _group_claim(world, n: int = 5, given: str = "Picker"):
    claimants = [f.client_case(world, given=f"{given}{i}") for i in range(n)]
    m = f.matter(world, claimants)
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(6), "purpose": "Witnesses"})
    return m, claimants


def test_a_group_claims_hearing_is_one_item_for_the_matter(world):
    m, claimants = _group_claim(world, 5)
    meeting = f.meeting(world, 1)
    db.session.commit()
    hearing = [i for i in meeting.items if i.reason == "hearing_soon"]
    assert len(hearing) == 1
    item = hearing[0]
    assert item.matter_id == m.id and item.case_id is None
    assert item.title == m.title
    assert item.detail_args["key"] == "hearing" and item.detail_args["claimants"] == 5
    assert not any(
        i.case_id in {c.id for c in claimants} and i.reason == "hearing_soon" for i in meeting.items
    )
    row = meetings.agenda_row(world["coordinator"], meeting, item)
    assert row.visible and row.matter_id == m.id
    assert "Hearing on" in row.detail and "5 claimants" in row.detail


def test_a_time_limit_is_one_item_too(world):
    claimants = [f.client_case(world, given=f"Cutter{i}") for i in range(3)]
    m = f.matter(world, claimants)
    due = clock.today(world.mdt) + timedelta(days=5)
    db.session.add(Deadline(matter_id=m.id, title="Appeal", due_on=due, status="open"))
    meeting = f.meeting(world, 1)
    db.session.commit()
    items = [i for i in meeting.items if i.reason == "deadline_soon"]
    assert len(items) == 1 and items[0].matter_id == m.id
    assert items[0].detail_args["claimants"] == 3


def test_a_reader_who_may_not_see_the_matter_gets_it_redacted(world, client, auth):
    m, _claimants = _group_claim(world, 2)
    meeting = f.meeting(world, 1)
    db.session.commit()
    item = next(i for i in meeting.items if i.matter_id == m.id)
    police = meetings.agenda_row(world["police"], meeting, item)
    assert police.visible is False and m.title not in police.title and police.detail == ""
    coordinator = meetings.agenda_row(world["coordinator"], meeting, item)
    assert coordinator.visible and coordinator.title == m.title
    auth.login("police@test.org")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert m.title not in html and "Witnesses" not in html and f"/matters/{m.id}" not in html
    pdf_source = client.get(f"/meetings/{meeting.id}/print").get_data(as_text=True)
    assert m.title not in pdf_source and "Witnesses" not in pdf_source
    body = client.get(
        f"/api/v1/meetings/{meeting.id}/agenda",
        headers={"Authorization": f"Bearer {f.token(world['police'])}"},
    ).get_json()
    row = next(r for r in body["items"] if r["matter_id"] == m.id)
    assert row["restricted"] is True and m.title not in str(body)
    auth.logout()
    auth.login("coord@test.org")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/matters/{m.id}" in html and m.title in html and "2 claimants" in html
    assert m.title in client.get(f"/meetings/{meeting.id}/print").get_data(as_text=True)


def test_the_cap_keeps_the_most_urgent_and_tells_how_many_were_left_out(world, client, auth):
    m, _claimants = _group_claim(world, 2)
    for i in range(6):
        f.case(world["social"], given=f"New{i}")
    meeting = f.meeting(world, 1)
    db.session.commit()
    proposed = meetings.proposals(meeting, cap=3)
    assert len(proposed.items) == 3 and proposed.left_out == 6  # 1 matter + 2 + 6 intakes - 3
    assert proposed.items[0]["matter_id"] == m.id  # the hearing comes first
    meetings.propose_agenda(world["coordinator"], meeting, cap=3)
    db.session.commit()
    assert len(meeting.items) == 3 and meeting.proposals_left_out == 6
    auth.login("coord@test.org")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "6 more proposals were left out" in html
    meetings.propose_agenda(world["coordinator"], meeting)
    db.session.commit()
    assert meeting.proposals_left_out == 0
    assert "were left out" not in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_a_carried_over_matter_item_keeps_its_matter(world):
    m, _claimants = _group_claim(world, 3)
    first = f.meeting(world, 1)
    db.session.commit()
    assert any(i.matter_id == m.id for i in first.items)
    second = f.meeting(world, 2)
    db.session.commit()
    carried = [i for i in second.items if i.reason == "carried_over" and i.matter_id == m.id]
    assert len(carried) == 1 and carried[0].title == m.title
    # The matter appears once: carried over, not proposed again for its hearing.
    assert sum(1 for i in second.items if i.matter_id == m.id) == 1
    assert carried[0].detail_args["was"]["claimants"] == 3


def test_matter_items_keep_the_query_count_constant(world):
    _group_claim(world, 2, given="A")
    meeting = f.meeting(world, 1)
    db.session.commit()
    with count_queries() as small:
        few = meetings.proposals(meeting)
    for n in range(4):
        _group_claim(world, 3, given=f"B{n}x")
    db.session.commit()
    with count_queries() as large:
        many = meetings.proposals(meeting)
    matters = [p for p in many.items if p.get("matter_id")]
    assert len(matters) == 5 and len(many.items) > len(few.items)
    assert small["n"] == large["n"]
    db.session.expire_all()
    with count_queries() as read_small:
        meetings.agenda_for(world["police"], meeting)
    meetings.propose_agenda(world["coordinator"], meeting)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as read_large:
        meetings.agenda_for(world["police"], meeting)
    assert read_small["n"] == read_large["n"]
