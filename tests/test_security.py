"""Security settings: secret key, cookies, headers, CSRF, audit append-only (sign-in throttling:
tests/test_sign_in.py)."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from mdt import create_app
from mdt.audit.models import AuditEvent
from mdt.config import ConfigError
from mdt.extensions import db
from tests.conftest import make_app


def test_production_refuses_without_secret_key(monkeypatch):
    monkeypatch.delenv("MDT_SECRET_KEY", raising=False)
    monkeypatch.setenv("MDT_ENV", "production")
    with pytest.raises(ConfigError):
        create_app()


def test_production_refuses_without_the_files_key(monkeypatch):
    monkeypatch.setenv("MDT_SECRET_KEY", "x" * 40)
    monkeypatch.delenv("MDT_FILES_KEY", raising=False)
    monkeypatch.setenv("MDT_ENV", "production")
    with pytest.raises(ConfigError, match="MDT_FILES_KEY"):
        create_app()
    monkeypatch.setenv("MDT_FILES_KEY", "not hex")
    with pytest.raises(ConfigError, match="64 hex"):
        create_app()


def test_production_with_secret_key_starts(monkeypatch):
    monkeypatch.setenv("MDT_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("MDT_FILES_KEY", "ab" * 32)
    monkeypatch.setenv("MDT_ENV", "production")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_security_headers(client):
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_pages_load_nothing_from_other_hosts(world, client, auth):
    auth.login("social@test.org")
    for path in ("/", "/cases", "/cases/new", "/directory/"):
        html = client.get(path).get_data(as_text=True)
        assert "http://" not in html.replace("http://localhost", "") and "https://" not in html


def test_csrf_enforced(database_template, tmp_path, ctx):
    from tests import factories as f

    f.World.build()
    app = make_app(database_template, tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    r = client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    assert r.status_code == 400


def test_password_hash_is_strong(world):
    assert world["social"].password_hash.startswith("scrypt:")


def test_audit_trail_is_append_only(world):
    from mdt.audit.services import record

    record(world["social"], "test.event", world["social"])
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE audit_event SET action = 'tampered'"))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(DBAPIError):
        db.session.execute(text("DELETE FROM audit_event"))
        db.session.commit()
    db.session.rollback()
    assert db.session.scalars(select(AuditEvent.action)).all() == ["test.event"]


def test_no_stack_trace_shown(app, world, client, auth, monkeypatch):
    from mdt.cases import services

    def boom(*a, **k):
        raise RuntimeError("internal detail xyz")

    monkeypatch.setattr(services, "needs_attention", boom)
    auth.login("social@test.org")
    r = client.get("/")
    assert r.status_code == 500
    html = r.get_data(as_text=True)
    assert "xyz" not in html and "Traceback" not in html and "Nothing was saved" in html
