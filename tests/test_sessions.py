"""Web sessions kept on the server (issue 12, section 1 and the review's finding "sessions are
signed cookies only"): signing out, a password change and a deactivation end them for good; they
end when idle and after their lifetime; a member sees and ends their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mdt.extensions import db
from tests import factories as f

COOKIE = "mdt"


def _sign_in(client, email="social@test.org", agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"):
    r = client.post("/login", data={"email": email, "password": f.PASSWORD}, headers={"User-Agent": agent})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client.get_cookie(COOKIE).value


def _copy(web_app, value):
    other = web_app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def _opens(client, case_id) -> bool:
    r = client.get(f"/cases/{case_id}")
    return r.status_code == 200


@pytest.fixture
def case(world):
    made = f.case(world["social"])
    db.session.commit()
    return made


def test_the_browser_holds_only_a_random_id(world, client):
    value = _sign_in(client)
    assert len(value) >= 40 and "." not in value  # not a signed, readable Flask cookie
    from mdt.auth.models import ServerState

    stored = db.session.scalars(db.select(ServerState.key)).all()
    assert value not in " ".join(stored)  # only a digest of it is kept


def test_a_copied_cookie_opens_nothing_after_signing_out(world, web_app, client, case):
    value = _sign_in(client)
    copy = _copy(web_app, value)
    assert _opens(copy, case.id)
    client.post("/logout")
    assert not _opens(copy, case.id)
    assert copy.get(f"/cases/{case.id}").status_code == 302


def test_signing_in_gives_a_new_id(world, web_app, client):
    client.get("/login")
    before = client.get_cookie(COOKIE)
    value = _sign_in(client)
    assert before is None or before.value != value


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(world, web_app, client, case):
    phone = web_app.test_client()
    _sign_in(phone)
    _sign_in(client)
    r = client.post(
        "/profile/password",
        data={
            "current_password": f.PASSWORD,
            "new_password": "a much longer passphrase",
            "repeat_password": "a much longer passphrase",
        },
    )
    assert r.status_code == 302
    assert _opens(client, case.id)
    assert not _opens(phone, case.id)


@pytest.mark.parametrize("how", ["web", "api"])
def test_deactivation_ends_sessions_tokens_and_feeds_at_once(world, web_app, client, case, how):
    from mdt.calendar import services as calendar

    social = world["social"]
    token = f.token(social)
    _feed, feed_token = calendar.create_feed(social)
    db.session.commit()
    browser = web_app.test_client()
    _sign_in(browser)
    assert _opens(browser, case.id)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get(f"/calendar/feed/{feed_token}.ics").status_code == 200

    admin = web_app.test_client()
    if how == "api":
        r = admin.patch(
            f"/api/v1/members/{social.id}",
            json={"active": False},
            headers={"Authorization": f"Bearer {f.token(world['admin'])}"},
        )
        assert r.status_code == 200 and r.get_json()["active"] is False
    else:
        _sign_in(admin, "admin@test.org")
        r = admin.post(f"/directory/members/{social.id}/edit", data=_member_form(social, active=False))
        assert r.status_code == 302

    assert not _opens(browser, case.id)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get(f"/calendar/feed/{feed_token}.ics").status_code == 404

    # Reactivated: the old session, token and feed stay dead.
    db.session.expire_all()
    social.active = True
    db.session.commit()
    assert not _opens(browser, case.id)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get(f"/calendar/feed/{feed_token}.ics").status_code == 404


def _member_form(member, **changes):
    data = {
        "email": member.email,
        "name": member.name,
        "agency_id": str(member.agency_id),
        "roles": list(member.roles),
        "active": "y",
    }
    if changes.get("active") is False:
        data.pop("active")
    return data


def test_a_session_ends_after_thirty_idle_minutes(world, client, case, travel):
    start = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    with travel(start):
        _sign_in(client)
    with travel(start + timedelta(minutes=29)):
        assert _opens(client, case.id)
    with travel(start + timedelta(minutes=58)):
        assert _opens(client, case.id)  # used 29 minutes ago
    with travel(start + timedelta(minutes=89)):
        assert not _opens(client, case.id)


def test_a_session_in_use_still_ends_after_twelve_hours(world, client, case, travel):
    start = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    with travel(start):
        _sign_in(client)
    for minutes in range(20, 12 * 60, 20):
        with travel(start + timedelta(minutes=minutes)):
            assert _opens(client, case.id), minutes
    with travel(start + timedelta(hours=12, minutes=1)):
        assert not _opens(client, case.id)


def test_a_member_sees_their_sessions_and_ends_one(world, web_app, client, case):
    phone = web_app.test_client()
    _sign_in(
        phone,
        agent="Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",  # noqa: E501
    )
    _sign_in(client)
    _sign_in(web_app.test_client(), "lawyer@test.org")  # someone else's: not listed
    html = client.get("/profile/sessions").get_data(as_text=True)
    assert "Android" in html and "Firefox" in html and html.count("data-session") == 2
    from mdt.auth import sessions

    with web_app.test_request_context():
        rows = sessions.of_member(world["social"].id)
    phone_row = next(row for row in rows if "Android" in row["device"])
    r = client.post(f"/profile/sessions/{phone_row['handle']}/end")
    assert r.status_code == 302
    assert not _opens(phone, case.id) and _opens(client, case.id)


def test_signing_out_everywhere_else(world, web_app, client, case):
    others = [web_app.test_client() for _ in range(3)]
    for other in others:
        _sign_in(other)
    _sign_in(client)
    assert client.post("/profile/sessions/end-others").status_code == 302
    assert _opens(client, case.id)
    assert not any(_opens(other, case.id) for other in others)


def test_ending_a_session_that_is_not_yours_changes_nothing(world, web_app, client, case):
    lawyer = web_app.test_client()
    _sign_in(lawyer, "lawyer@test.org")
    from mdt.auth import sessions

    with web_app.test_request_context():
        handle = sessions.of_member(world["lawyer"].id)[0]["handle"]
    _sign_in(client)
    assert client.post(f"/profile/sessions/{handle}/end").status_code == 404
    assert lawyer.get("/").status_code == 200


def test_the_api_sets_no_session(world, client):
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {f.token(world['social'])}"})
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
    from mdt.auth.models import ServerState

    assert db.session.scalar(db.select(db.func.count()).select_from(ServerState)) == 0
