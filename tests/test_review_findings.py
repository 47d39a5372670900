"""Issue 12's security review of the landed code: each finding has a test here that failed before
its fix."""

from __future__ import annotations

import re

import pytest

from mdt import create_app
from mdt.config import ConfigError
from mdt.extensions import db
from tests import factories as f

HUGE_PAGE = str(2**63 + 5)


def _login(client, email="coord@test.org", next_=None):
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    return client.post(url, data={"email": email, "password": f.PASSWORD})


# ----------------------------------------------------------------- open redirect


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example/",
        "/%0A/evil.example/",
        "%2F%2Fevil.example/",
        "/%5Cevil.example/",
        "https://evil.example/",
        "/%0D%0ASet-Cookie:%20x=1",
        "%20//evil.example/",
        "///evil.example/",
        "/\\/evil.example/",
    ],
)
def test_signing_in_never_sends_the_browser_to_another_site(world, client, target):
    r = _login(client, next_=target)
    assert r.status_code == 302
    location = r.headers["Location"]
    assert "evil.example" not in location and "\n" not in location and "\r" not in location
    assert location.startswith("/") and not location.startswith("//")


@pytest.mark.parametrize("target", ["/%09/evil.example/", "//evil.example/", "/\t/evil.example/"])
def test_the_language_switch_never_sends_the_browser_to_another_site(world, client, target):
    from urllib.parse import unquote

    r = client.post("/language", data={"lang": "th", "next": unquote(target)})
    assert r.status_code == 302 and "evil.example" not in r.headers["Location"]


def test_a_local_next_address_is_kept(world, client):
    r = _login(client, next_="/cases%3Fpage%3D2")
    assert r.headers["Location"] == "/cases?page=2"


# ----------------------------------------------------------------- configuration


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("MDT_ENV", "production")
    monkeypatch.setenv("MDT_SECRET_KEY", "x")
    with pytest.raises(ConfigError, match="32"):
        create_app()


@pytest.mark.parametrize("mode", ["Production", "prod", "PRODUCTION ", "staging"])
def test_an_unknown_environment_name_is_refused(monkeypatch, mode):
    monkeypatch.setenv("MDT_ENV", mode)
    monkeypatch.setenv("MDT_SECRET_KEY", "k" * 64)
    with pytest.raises(ConfigError, match="MDT_ENV"):
        create_app()


# ----------------------------------------------------------------- no server errors


def test_case_create_with_a_person_id_that_is_not_a_number(world, client):
    _login(client, "social@test.org")
    for value in ("abc", "[1]"):
        r = client.post("/cases/new", data={"person_id": value, "title": "x", "lead_agency_id": "1"})
        assert r.status_code < 500
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    for value in ("abc", [1], 1.5):
        r = client.post("/api/v1/cases", json={"person_id": value}, headers=headers)
        assert r.status_code == 422


def test_a_number_as_a_stage_reason(world, client):
    case = f.case(world["social"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    r = client.post(
        f"/api/v1/cases/{case.id}/stage", json={"stage": "assessment", "reason": 5}, headers=headers
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    "address",
    [
        f"/cases?page={HUGE_PAGE}",
        "/referrals/new?plan_item_id=abc",
        "/calendar?date=9999-12-31",
        "/calendar?date=0001-01-01&view=week",
        "/cases/99999999999999999999999",
    ],
)
def test_web_addresses_are_not_server_errors(world, client, address):
    _login(client)
    assert client.get(address).status_code < 500


def test_api_page_above_the_largest_integer(world, client):
    headers = {"Authorization": f"Bearer {f.token(world['coordinator'])}"}
    r = client.get(f"/api/v1/cases?page={HUGE_PAGE}", headers=headers)
    assert r.status_code in (200, 422)


def test_crlf_in_next_is_not_a_server_error(world, client):
    r = client.get("/cases/1?x=%0D%0A")
    assert r.status_code == 302 and "\n" not in r.headers["Location"]


def test_an_array_body_on_consent_withdraw(world, client):
    from mdt.referrals import services as referrals

    case = f.case(world["social"])
    consent = referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    r = client.post(f"/api/v1/consents/{consent.id}/withdraw", json=["x"], headers=headers)
    assert r.status_code in (400, 422)


@pytest.mark.parametrize("where", ["web", "api"])
def test_nul_characters_are_refused_everywhere(world, client, where):
    case = f.case(world["social"])
    db.session.commit()
    if where == "api":
        headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
        r = client.post(f"/api/v1/cases/{case.id}/notes", json={"body": "a\x00b"}, headers=headers)
        assert r.status_code == 422
    else:
        _login(client, "social@test.org")
        r = client.post(f"/cases/{case.id}/notes", data={"body": "a\x00b"})
        assert r.status_code == 422
    from mdt.cases.models import Note as CaseNote

    assert db.session.query(CaseNote).count() == 0


# ----------------------------------------------------------------- types checked, not coerced


def test_restricted_false_as_a_string_is_refused(world, client):
    case = f.case(world["social"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    r = client.post(
        f"/api/v1/cases/{case.id}/notes", json={"body": "ok", "restricted": "false"}, headers=headers
    )
    assert r.status_code == 422 and "restricted" in r.get_json()["errors"]


def test_a_fractional_agency_id_is_refused(world, client):
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    r = client.post(
        "/api/v1/cases",
        json={"person": {"given_name": "A", "family_name": "B"}, "lead_agency_id": 1.5},
        headers=headers,
    )
    assert r.status_code == 422 and "lead_agency_id" in r.get_json()["errors"]


def test_a_meeting_in_year_9999_and_an_unknown_agenda_item(world, client):
    headers = {"Authorization": f"Bearer {f.token(world['coordinator'])}"}
    r = client.post(
        "/api/v1/meetings", json={"title": "Far", "starts_at": "9999-01-01T10:00:00+07:00"}, headers=headers
    )
    assert r.status_code == 422
    meeting = f.meeting(world)
    db.session.commit()
    r = client.post(
        f"/api/v1/meetings/{meeting.id}/action-items",
        json={"title": "x", "owner_agency_id": world.agencies["sw"].id, "agenda_item_id": 99999},
        headers=headers,
    )
    assert r.status_code == 422


# ----------------------------------------------------------------- hardening (section 4)


def test_the_content_security_policy_has_a_new_nonce_each_time_and_nothing_inline(world, client):
    first, second = client.get("/login"), client.get("/login")
    policies = [r.headers["Content-Security-Policy"] for r in (first, second)]
    nonces = [re.search(r"'nonce-([^']+)'", p).group(1) for p in policies]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16
    for policy in policies:
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "script-src 'self' 'nonce-" in policy and "style-src 'self' 'nonce-" in policy
    html = first.get_data(as_text=True)
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonces[0]}"' in s for s in scripts)


def test_no_template_has_inline_style_or_script():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        inline_script = re.search(r"<script(?![^>]*\s(?:src=|type=\"application/json\"))", text)
        if re.search(r"\sstyle\s*=", text) or "<style" in text or inline_script:
            offenders.append(str(path.relative_to(root)))
    # The PDF templates are rendered by WeasyPrint on the server, never by a browser. A JSON data
    # block (type="application/json") is data, never run.
    assert [o for o in offenders if "pdf" not in o] == []


def test_production_headers_and_cookie_names(monkeypatch):
    monkeypatch.setenv("MDT_ENV", "production")
    monkeypatch.setenv("MDT_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("MDT_FILES_KEY", "cd" * 32)
    app = create_app()
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-mdt"
    with app.test_request_context():
        r = app.test_client().get("/api/v1/health")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in r.headers["Permissions-Policy"]
