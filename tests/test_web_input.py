"""What a page's address or a hand-made form asks for: a value the page cannot use (an id or a
page number too large for the database, a date no calendar holds) is read as not given, never
answered with a server error (issue 11's review)."""

from __future__ import annotations

import pytest

from mdt.extensions import db
from tests import factories as f

HUGE = "9" * 30

ADDRESSES = [
    f"/cases?page={HUGE}",
    f"/cases?agency={HUGE}",
    "/cases?page=-5",
    f"/referrals?page={HUGE}",
    f"/referrals/services?case_id={HUGE}",
    f"/referrals/new?case_id={HUGE}",
    "/calendar?date=9999-12-31",
    "/calendar?date=0001-01-01",
    "/calendar?view=week&date=9999-12-31",
    "/calendar?view=list&date=9999-12-31",
    "/reports?from=0001-01-01&to=9999-12-31",
    "/reports?from=9999-12-31",
    f"/reports?mdt_id={HUGE}",
    "/reports?open_days=-1",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_address_a_page_cannot_use_is_not_a_server_error(world, client, address):
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    assert client.get(address).status_code < 500


def test_the_figures_say_which_date_they_could_not_use(world, client):
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    html = client.get("/reports?from=0001-01-01&to=2026-01-31").get_data(as_text=True)
    assert "This date is too early." in html and 'value="2026-01-31"' in html and 'value="0001-01-01"' in html


def test_a_team_form_with_ids_out_of_range_is_not_a_server_error(world, client):
    case = f.case(world["social"])
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    r = client.post(f"/cases/{case.id}/team", data={"agency_ids": HUGE, "member_ids": [HUGE, "x"]})
    assert r.status_code in (200, 302)


@pytest.mark.parametrize("query", ["from=0001-01-01&to=0001-01-05", "from=9999-12-25&to=9999-12-31"])
def test_the_calendar_api_refuses_years_no_calendar_holds(world, client, query):
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    r = client.get(f"/api/v1/calendar?{query}", headers=headers)
    assert r.status_code == 422 and "from" in r.get_json()["errors"]


def test_a_refused_consent_withdrawal_keeps_the_reason_typed(world, client):
    from mdt.referrals import services as referrals

    case = f.case(world["social"])
    recorded = referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    reason = "She asked us to stop. " + "x" * 5000
    r = client.post(f"/consents/{recorded.id}/withdraw", data={"reason": reason})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and reason in html and f'id="wr-{recorded.id}-error"' in html
    db.session.expire_all()
    assert recorded.withdrawn_at is None
    r = client.post(f"/consents/{recorded.id}/withdraw", data={"reason": "She asked us to stop."})
    assert r.status_code == 302
    db.session.expire_all()
    assert recorded.withdrawn_at is not None


def test_a_refused_action_note_keeps_what_was_typed(world, client):
    from mdt.meetings import services as meetings

    meeting = f.meeting(world)
    action = meetings.create_action_item(
        world["coordinator"],
        meeting,
        {"title": "Book the van", "owner_agency_id": world.agencies["sw"].id, "due_on": f.at(5)[:10]},
    )
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    note = "Van booked for Tuesday. " + "x" * 5000
    r = client.post(f"/actions/{action.id}/done", data={"note": note})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and note in html and f'id="dn-{action.id}-error"' in html
    db.session.expire_all()
    assert action.done_at is None
