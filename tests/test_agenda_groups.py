"""Issue 13, section 3: the proposed agenda gathers the items of one hearing (its claimants
listed inside) and the cases with no change for 30 days, without telling what a restricted item
hides."""

from __future__ import annotations

from datetime import timedelta

from mdt import clock
from mdt.cases.models import Case
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.meetings import services as meetings
from tests import factories as f


def test_one_hearing_is_one_group_and_stalled_cases_collapse(world, client, auth):
    claimants = [f.client_case(world, given=f"Worker{i}") for i in range(7)]
    m = f.matter(world, claimants)
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(5), "purpose": "Witnesses"})
    stalled = [f.case(world["social"], given=f"Quiet{i}") for i in range(8)]
    db.session.flush()
    old = clock.now() - timedelta(days=45)
    for c in stalled:
        db.session.execute(
            Case.__table__.update().where(Case.id == c.id).values(updated_at=old, created_at=old)
        )
    meeting = f.meeting(world, days=1)
    db.session.commit()
    rows = meetings.agenda_for(world["coordinator"], meeting)
    groups = meetings.group_agenda(rows)
    hearing = [g for g in groups if g.reason == "hearing_soon"]
    # Issue 17: the hearing is one item for the matter, which counts its claimants.
    assert len(hearing) == 1 and len(hearing[0].rows) == 1 and hearing[0].rows[0].matter_id == m.id
    assert len([g for g in groups if g.reason == "stalled"]) == 1
    auth.login("coord@test.org")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert html.count("Hearing on ") == 1  # the hearing's detail once, not once per claimant
    assert "7 claimants in this MDT" in html
    assert "Show 3 more" in html  # eight stalled cases: five shown, three a click away
    # Every row keeps its own minutes form with ids of its own.
    ids = [f"di-{r.id}" for r in rows if r.visible]
    assert all(html.count(f'id="{i}"') == 1 for i in ids)


def test_a_restricted_item_is_never_gathered_with_visible_ones(world, client, auth):
    """The lawyer sees one claimant's case and no longer the other's (its consent to share was
    withdrawn): the restricted item stays alone, without the hearing's detail."""
    from mdt.referrals import services as referrals

    a, b = f.client_case(world, given="Seen"), f.client_case(world, given="Hidden")
    m = f.matter(world, [a, b])
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(5), "purpose": "Witnesses"})
    shared = next(c for c in b.consents if c.purpose == "share_with_agency")
    referrals.withdraw_consent(world["social"], shared, "changed her mind")
    meeting = f.meeting(world, days=1)
    db.session.commit()
    rows = meetings.agenda_for(world["lawyer"], meeting)
    groups = meetings.group_agenda(rows)
    for group in groups:
        if len(group.rows) > 1:
            assert all(r.visible for r in group.rows)
    assert any(r.visible for r in rows if r.reason == "hearing_soon")
    hidden = [r for r in rows if not r.visible]
    assert hidden and all(r.detail == "" for r in hidden)
    assert all(len(g.rows) == 1 for g in groups if not g.rows[0].visible)


def test_the_coordinator_caps_the_stalled_cases(world, client, auth):
    stalled = [f.case(world["social"], given=f"Quiet{i}") for i in range(6)]
    db.session.flush()
    old = clock.now() - timedelta(days=45)
    quiet = Case.__table__.update().where(Case.id.in_([c.id for c in stalled]))
    db.session.execute(quiet.values(updated_at=old, created_at=old))
    meeting = f.meeting(world, days=1)
    db.session.commit()
    auth.login("coord@test.org")
    assert client.post(f"/meetings/{meeting.id}/propose", data={"stalled": "2"}).status_code == 302
    db.session.expire_all()
    assert sum(1 for i in meeting.items if i.reason == "stalled") == 2
    client.post(f"/meetings/{meeting.id}/propose", data={"stalled": "0"})
    db.session.expire_all()
    assert not any(i.reason == "stalled" for i in meeting.items)
    client.post(f"/meetings/{meeting.id}/propose", data={"stalled": "many"})  # the default
    db.session.expire_all()
    assert sum(1 for i in meeting.items if i.reason == "stalled") == 6
