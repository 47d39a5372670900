"""The security probe of issue 12's new account and privacy routes: each finding has a test here
that failed before its fix."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import select

from mdt.extensions import db
from mdt.privacy.models import DataCopy
from tests import factories as f
from tests.conftest import make_app
from tests.test_account_mail import _link, _mails

START = datetime(2026, 6, 15, 3, 0, 5, tzinfo=UTC)


def _require_coordinator(world):
    world["coordinator"].mdt.mfa_required = ["coordinator"]
    db.session.commit()


def _secret(html):
    return re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)


def test_a_half_finished_sign_in_dies_with_a_new_password(world, web_app):
    """Whoever knew the old password must not finish setting up their own authenticator after the
    member chose a new one."""
    _require_coordinator(world)
    attacker = web_app.test_client()
    cookie_before = None
    attacker.get("/login")
    cookie_before = attacker.get_cookie("mdt").value
    attacker.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    assert attacker.get_cookie("mdt").value != cookie_before  # a new id at the password step
    secret = _secret(attacker.get("/login/code").get_data(as_text=True))

    from mdt.directory import services as directory

    directory.update_member(world["admin"], world["coordinator"], {"password": "a brand new passphrase"})
    db.session.commit()
    r = attacker.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert attacker.get("/cases").status_code == 302


def test_another_phone_only_with_a_code_from_the_current_one(world, client, travel):
    with travel(START):
        client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
        first = _secret(client.get("/profile/two-step").get_data(as_text=True))
        client.post("/profile/two-step", data={"action": "enrol", "code": pyotp.TOTP(first).now()})
    with travel(START + timedelta(seconds=30)):
        second = _secret(client.get("/profile/two-step?replace=1").get_data(as_text=True))
        r = client.post(
            "/profile/two-step?replace=1", data={"action": "enrol", "code": pyotp.TOTP(second).now()}
        )
        assert r.status_code == 422 and "Type a code from the app you use now" in r.get_data(as_text=True)
        r = client.post(
            "/profile/two-step?replace=1",
            data={
                "action": "enrol",
                "code": pyotp.TOTP(second).now(),
                "current_code": pyotp.TOTP(first).now(),
            },
        )
        assert r.status_code == 200 and "Your recovery codes" in r.get_data(as_text=True)


def test_guesses_on_the_profile_count_towards_the_pause(database_template, tmp_path, world):
    db.session.commit()
    app = make_app(database_template, tmp_path, MDT_LOGIN_ACCOUNT_LIMIT=3)
    client = app.test_client()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    bad = {
        "current_password": "guess",
        "new_password": "a much longer passphrase",
        "repeat_password": "a much longer passphrase",
    }  # noqa: E501
    codes = [client.post("/profile/password", data=bad).status_code for _ in range(3)]
    assert codes == [422, 422, 422]
    r = client.post("/profile/password", data={**bad, "current_password": f.PASSWORD}, follow_redirects=True)
    assert "signing in is paused" in r.get_data(as_text=True)
    db.session.expire_all()
    from mdt.auth.services import authenticate

    assert authenticate("social@test.org", f.PASSWORD) is not None  # the password did not change


def test_a_password_reset_revokes_the_api_tokens(world, client):
    token = f.token(world["social"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    from mdt.auth import services

    services.account_mail("reset", email="social@test.org")
    db.session.commit()
    link = _link(_mails(client.application)[-1])
    new = "kites over the paddy field"
    assert client.post(link, data={"new_password": new, "repeat_password": new}).status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_reset_link_dies_with_a_deactivation(world, client):
    from mdt.auth import services
    from mdt.directory import services as directory

    services.account_mail("reset", email="social@test.org")
    db.session.commit()
    link = _link(_mails(client.application)[-1])
    directory.update_member(world["admin"], world["social"], {"active": False})
    db.session.commit()
    directory.update_member(world["admin"], world["social"], {"active": True})
    db.session.commit()
    assert client.get(link).status_code == 404


def test_a_copy_holds_only_the_files_the_asking_agency_leads(world, web_app):
    from mdt.cases import services as cases

    mine = f.case(world["social"], given="Pranee")
    labour_case = cases.create_case(
        world["labour"],
        {"source": "outreach", "person": {"given_name": "Pranee", "family_name": "Srisuk", "sex": "female"}},
    )
    labour_case.person_id = mine.person_id
    cases.add_note(world["labour"], labour_case, "Labour's own restricted line", restricted=True)
    db.session.commit()
    social = web_app.test_client()
    social.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    social.post(f"/privacy/cases/{mine.id}/copy", data={"language": "en"})
    copy = db.session.scalars(select(DataCopy)).one()
    from workers.tasks import make_data_copy

    make_data_copy(copy.id)
    body = social.post(f"/privacy/copies/{copy.id}/download").data
    import io

    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    assert mine.reference in text and labour_case.reference not in text
    assert "Labour's own restricted line" not in text and "1 more file" in text


def test_erasure_removes_a_copy_waiting_and_hides_old_values_in_the_trail(world, web_app):
    from mdt.cases import services as cases

    case = f.case(world["social"], given="Pranee", person={"phone": "0812345678"})
    db.session.commit()
    cases.update_case(world["social"], case, {"person": {"phone": "0899999999"}})
    db.session.commit()
    social = web_app.test_client()
    social.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    social.post(f"/privacy/cases/{case.id}/copy", data={"language": "en"})
    copy = db.session.scalars(select(DataCopy)).one()
    from workers.tasks import make_data_copy

    make_data_copy(copy.id)
    social.post(f"/privacy/cases/{case.id}/erasure")
    coordinator = web_app.test_client()
    coordinator.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    from mdt.privacy.models import ErasureRequest

    request = db.session.scalars(select(ErasureRequest)).one()
    assert coordinator.post(f"/privacy/erasure/{request.id}", data={"decision": "approve"}).status_code == 302
    assert social.post(f"/privacy/copies/{copy.id}/download").status_code == 410
    trail = social.get(f"/cases/{case.id}/audit").get_data(as_text=True)
    assert "0812345678" not in trail and "0899999999" not in trail


def test_pages_showing_a_secret_before_sign_in_are_not_cached(world, client):
    _require_coordinator(world)
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    assert client.get("/login/code").headers["Cache-Control"] == "no-store"
    assert client.get("/password/forgot").headers["Cache-Control"] == "no-store"


def test_turning_on_without_a_key_shown_is_a_clear_refusal(world, client, travel):
    with travel(START):
        client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
        secret = _secret(client.get("/profile/two-step").get_data(as_text=True))
        client.post("/profile/two-step", data={"action": "enrol", "code": pyotp.TOTP(secret).now()})
    r = client.post("/profile/two-step", data={"action": "enrol", "code": "123456"})
    assert r.status_code == 400
