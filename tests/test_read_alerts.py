"""Unusual reading (issue 12, section 2): a member who opens many case files in an hour, or files
their agency has no part in, raises an alert for the coordinators; nobody is blocked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from mdt.extensions import db
from mdt.notifications.models import Notification
from mdt.privacy.models import ReadAlert
from tests import factories as f
from tests.conftest import make_app

START = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)


def _sign_in(app, email):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": f.PASSWORD}).status_code == 302
    return client


def _watch(app):
    from workers.tasks import watch_reading

    with app.app_context():
        return watch_reading()


def test_many_files_in_an_hour_alert_the_coordinators(database_template, tmp_path, world, travel):
    cases = [f.case(world["social"]) for _ in range(4)]
    db.session.commit()
    app = make_app(database_template, tmp_path, MDT_READ_ALERT_CASES=3)
    with travel(START):
        social = _sign_in(app, "social@test.org")
        for case in cases[:3]:
            assert social.get(f"/cases/{case.id}").status_code == 200
        assert _watch(app) == 0  # three is not more than three
    with travel(START + timedelta(minutes=20)):
        assert social.get(f"/cases/{cases[3].id}").status_code == 200  # not blocked
        assert _watch(app) == 1
        assert _watch(app) == 0  # one alert an hour
    db.session.expire_all()
    alert = db.session.scalars(select(ReadAlert)).one()
    assert alert.member_id == world["social"].id and alert.cases == 4 and alert.outside == 0
    told = {
        n.member_id for n in db.session.scalars(select(Notification).where(Notification.kind == "read_alert"))
    }
    assert told == {world["coordinator"].id, world["coord_labour"].id}

    coordinator = _sign_in(app, "coordlab@test.org")
    assert "Unusual reading by" in coordinator.get("/notifications").get_data(as_text=True)
    page = coordinator.get(f"/privacy/alerts/{alert.id}").get_data(as_text=True)
    assert all(c.reference in page for c in cases)
    assert _sign_in(app, "lawyer@test.org").get(f"/privacy/alerts/{alert.id}").status_code == 403
    assert _sign_in(app, "outsider@test.org").get(f"/privacy/alerts/{alert.id}").status_code == 404


def test_reads_an_hour_apart_do_not_add_up(database_template, tmp_path, world, travel):
    cases = [f.case(world["social"]) for _ in range(4)]
    db.session.commit()
    app = make_app(database_template, tmp_path, MDT_READ_ALERT_CASES=3)
    social = None
    for i, case in enumerate(cases):
        with travel(START + timedelta(minutes=25 * i)):
            social = social or _sign_in(app, "social@test.org")
            social.get(f"/cases/{case.id}")
            assert _watch(app) == 0


def test_files_outside_the_agency_work(database_template, tmp_path, world, travel):
    """A coordinator of the labour office opens files that social welfare leads and the labour office
    has no part in."""
    cases = [f.case(world["social"]) for _ in range(3)]
    mine = f.case(world["labour"])
    db.session.commit()
    app = make_app(database_template, tmp_path, MDT_READ_ALERT_OUTSIDE=2)
    coordinator = _sign_in(app, "coordlab@test.org")
    coordinator.get(f"/cases/{mine.id}")
    for case in cases[:2]:
        coordinator.get(f"/cases/{case.id}")
    assert _watch(app) == 0
    coordinator.get(f"/cases/{cases[2].id}")
    assert _watch(app) == 1
    alert = db.session.scalars(select(ReadAlert)).one()
    assert (alert.cases, alert.outside) == (4, 3)
    told = {
        n.member_id for n in db.session.scalars(select(Notification).where(Notification.kind == "read_alert"))
    }
    assert told == {world["coordinator"].id}  # not the reader themself
