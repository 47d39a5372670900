"""Two-step sign-in (issue 12, section 1): TOTP with a code computed here, recovery codes, who must
use it per MDT, the operator's commands, and bad codes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from mdt.audit.models import AuditEvent
from mdt.auth import mfa
from mdt.extensions import db
from tests import factories as f

START = datetime(2026, 6, 15, 3, 0, 5, tzinfo=UTC)


def _password(client, email="coord@test.org"):
    return client.post("/login", data={"email": email, "password": f.PASSWORD})


def _secret(html: str) -> str:
    return re.search(r'<code class="secret">([A-Z2-7]+)</code>', html).group(1)


def _codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", html)


def _require(world, *roles):
    world["coordinator"].mdt.mfa_required = list(roles)
    db.session.commit()


def _enrol(client, travel, at=START) -> tuple[str, list[str]]:
    """Sign in as the coordinator for the first time with the second step required."""
    with travel(at):
        r = _password(client)
        assert r.status_code == 302 and r.headers["Location"] == "/login/code"
        page = client.get("/login/code").get_data(as_text=True)
        assert 'img class="qr" src="data:image/svg+xml' in page
        secret = _secret(page)
        r = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
        assert r.status_code == 200
        codes = _codes(r.get_data(as_text=True))
    return secret, codes


def test_a_member_who_need_not_signs_in_with_the_password_alone(world, client):
    assert _password(client).headers["Location"] == "/"


def test_a_required_member_sets_it_up_at_the_next_sign_in(world, client, travel):
    _require(world, "coordinator")
    with travel(START):
        _password(client)
        assert client.get("/cases").status_code == 302  # nothing is open before the second step
    secret, codes = _enrol(client, travel, START + timedelta(seconds=1))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/cases").status_code == 200
    assert mfa.enrolment(world["coordinator"]).secret == secret


def test_the_next_sign_in_asks_for_a_new_code_and_refuses_a_used_one(world, web_app, travel):
    _require(world, "coordinator")
    secret, _codes_ = _enrol(web_app.test_client(), travel)
    used = pyotp.TOTP(secret).at(START)
    client = web_app.test_client()
    with travel(START + timedelta(seconds=10)):  # the same 30-second step
        assert _password(client).headers["Location"] == "/login/code"
        r = client.post("/login/code", data={"code": used})
        assert r.status_code == 422 and "already used" in r.get_data(as_text=True)
        r = client.post("/login/code", data={"code": "000000"})
        assert r.status_code == 422
        assert client.get("/cases").status_code == 302
    with travel(START + timedelta(seconds=40)):
        r = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
        assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/cases").status_code == 200


def test_a_recovery_code_works_once(world, web_app, travel):
    _require(world, "coordinator")
    _secret_, codes = _enrol(web_app.test_client(), travel)
    first = web_app.test_client()
    _password(first)
    r = first.post("/login/code", data={"code": codes[3].upper()})
    assert r.status_code == 302
    assert first.get("/").status_code == 200
    second = web_app.test_client()
    _password(second)
    assert second.post("/login/code", data={"code": codes[3]}).status_code == 422
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent))]
    assert "mfa.recovery_code_used" in actions and "auth.mfa_failed" in actions


def test_the_second_step_must_follow_within_five_minutes(world, client, travel):
    _require(world, "coordinator")
    with travel(START):
        _password(client)
    with travel(START + timedelta(minutes=6)):
        r = client.get("/login/code")
        assert r.status_code == 302 and r.headers["Location"] == "/login"


def test_wrong_codes_count_towards_the_pause(database_template, tmp_path, world, travel):
    from tests.conftest import make_app

    _require(world, "coordinator")
    secret, _c = _enrol(make_app(database_template, tmp_path).test_client(), travel)
    app = make_app(database_template, tmp_path, MDT_LOGIN_ACCOUNT_LIMIT=3)
    client = app.test_client()
    with travel(START + timedelta(seconds=60)):
        _password(client)
        codes = [client.post("/login/code", data={"code": "123456"}).status_code for _ in range(3)]
        assert codes == [422, 422, 429]
        r = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
        assert r.status_code == 429


def test_members_of_police_agencies_must_by_default(world, client):
    world["police"].mdt.mfa_required = None  # the default
    db.session.commit()
    assert mfa.must_use(world["police"]) and mfa.must_use(world["admin"]) and mfa.must_use(world["lawyer"])
    assert not mfa.must_use(world["social"])
    assert _password(client, "police@test.org").headers["Location"] == "/login/code"


def test_the_operator_commands(world, runner, travel, web_app):
    result = runner.invoke(
        args=["mfa", "require", "lawyer", "agency:police", "--mdt", world["lawyer"].mdt.code]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert world["lawyer"].mdt.mfa_required == ["lawyer", "agency:police"]
    assert runner.invoke(args=["mfa", "require", "chef"]).exit_code != 0

    _require(world, "coordinator")
    _enrol(web_app.test_client(), travel)
    result = runner.invoke(args=["mfa", "reset", "COORD@test.org"])
    assert result.exit_code == 0 and "removed" in result.output
    db.session.expire_all()
    assert mfa.enrolment(world["coordinator"]) is None
    client = web_app.test_client()
    _password(client)
    assert '<code class="secret">' in client.get("/login/code").get_data(as_text=True)  # set it up again


def test_the_administrator_chooses_and_resets_on_the_web(world, web_app, travel):
    admin = web_app.test_client()
    _password(admin, "admin@test.org")
    r = admin.post("/directory/security", data={"required": ["coordinator", "agency:prosecutor"]})
    assert r.status_code == 302
    db.session.expire_all()
    assert world["admin"].mdt.mfa_required == ["coordinator", "agency:prosecutor"]
    assert admin.post("/directory/security", data={"required": ["chef"]}).status_code == 422

    _enrol(web_app.test_client(), travel)
    assert admin.post(f"/directory/members/{world['coordinator'].id}/mfa-reset").status_code == 302
    db.session.expire_all()
    assert mfa.enrolment(world["coordinator"]) is None


def test_anyone_may_set_it_up_on_their_profile_and_turn_it_off(world, client, travel):
    with travel(START):
        _password(client, "social@test.org")
        secret = _secret(client.get("/profile/two-step").get_data(as_text=True))
        bad = client.post("/profile/two-step", data={"action": "enrol", "code": "111111"})
        assert bad.status_code == 422
        r = client.post("/profile/two-step", data={"action": "enrol", "code": pyotp.TOTP(secret).now()})
        assert r.status_code == 200 and len(_codes(r.get_data(as_text=True))) == 10
    with travel(START + timedelta(seconds=30)):
        r = client.post("/profile/two-step", data={"action": "off", "code": pyotp.TOTP(secret).now()})
        assert r.status_code == 302
    db.session.expire_all()
    assert mfa.enrolment(world["social"]) is None


def test_a_required_member_cannot_turn_it_off(world, web_app, travel):
    _require(world, "coordinator")
    secret, _c = _enrol(client := web_app.test_client(), travel)
    with travel(START + timedelta(seconds=30)):
        r = client.post("/profile/two-step", data={"action": "off", "code": pyotp.TOTP(secret).now()})
        assert r.status_code == 422 and "cannot be turned off" in r.get_data(as_text=True)
    db.session.expire_all()
    assert mfa.enrolment(world["coordinator"]) is not None


@pytest.mark.parametrize("code", ["", "abc", "12345", "1234567", "x" * 500])
def test_malformed_codes_are_a_clear_refusal(world, web_app, travel, code):
    _require(world, "coordinator")
    _enrol(web_app.test_client(), travel)
    client = web_app.test_client()
    _password(client)
    r = client.post("/login/code", data={"code": code})
    assert r.status_code == 422 and 'id="code-error"' in r.get_data(as_text=True)
