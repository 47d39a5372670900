"""Sign-in throttling (issue 12's review: keyed on the proxy's address, counted apart by each
gunicorn worker, no per-account limit): failed attempts are counted per account and per address
in the shared server state, the address is read through the configured proxies only, and every
failed attempt and lockout is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mdt.audit.models import AuditEvent
from mdt.extensions import db
from tests import factories as f
from tests.conftest import make_app

LIMITS = {"MDT_LOGIN_ACCOUNT_LIMIT": 3, "MDT_LOGIN_ADDRESS_LIMIT": 5, "MDT_LOGIN_WINDOW_MINUTES": 15}


def _try(client, email="social@test.org", password="wrong", address="203.0.113.9", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        "/login",
        data={"email": email, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def throttled(database_template, tmp_path, world):
    db.session.commit()
    return make_app(database_template, tmp_path, **LIMITS)


def _actions():
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_an_account_is_paused_after_its_limit_even_with_the_right_password(throttled, world):
    client = throttled.test_client()
    codes = [_try(client).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    r = _try(client, password=f.PASSWORD)
    assert r.status_code == 429 and "signing in is paused for 15 minutes" in r.get_data(as_text=True)
    # Another account from the same address is not affected.
    assert _try(client, email="lawyer@test.org", password=f.PASSWORD).status_code == 302


def test_the_pause_ends_with_the_window(throttled, world, travel):
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    client = throttled.test_client()
    with travel(start):
        for _ in range(3):
            _try(client)
    with travel(start + timedelta(minutes=14)):
        assert _try(client, password=f.PASSWORD).status_code == 429
    with travel(start + timedelta(minutes=16)):
        assert _try(client, password=f.PASSWORD).status_code == 302


def test_an_unknown_account_is_paused_the_same_way(throttled, world):
    client = throttled.test_client()
    codes = [_try(client, email="nobody@test.org").status_code for _ in range(4)]
    assert codes == [200, 200, 429, 429]


def test_an_address_is_paused_after_trying_many_accounts(throttled, world):
    client = throttled.test_client()
    emails = [f"guess{i}@test.org" for i in range(5)]
    codes = [_try(client, email=e).status_code for e in emails]
    assert codes == [200, 200, 200, 200, 429]
    r = _try(client, email="lawyer@test.org", password=f.PASSWORD)
    assert r.status_code == 429 and "from this network" in r.get_data(as_text=True)
    assert (
        _try(client, email="lawyer@test.org", password=f.PASSWORD, address="198.51.100.7").status_code == 302
    )


def test_workers_count_together(database_template, tmp_path, world):
    """Two app instances (two gunicorn workers) on the same database share the counts."""
    db.session.commit()
    one = make_app(database_template, tmp_path, **LIMITS).test_client()
    two = make_app(database_template, tmp_path, **LIMITS).test_client()
    assert [_try(one).status_code, _try(two).status_code, _try(one).status_code] == [200, 200, 429]
    assert _try(two, password=f.PASSWORD).status_code == 429


def test_a_forwarded_address_is_ignored_unless_a_proxy_is_configured(throttled, world):
    client = throttled.test_client()
    # The attacker makes up a new X-Forwarded-For each time: still one address, still paused.
    codes = [_try(client, email=f"g{i}@test.org", forwarded=f"10.0.0.{i}").status_code for i in range(5)]
    assert codes[-1] == 429


def test_behind_the_proxy_each_client_counts_apart(database_template, tmp_path, world):
    db.session.commit()
    app = make_app(database_template, tmp_path, MDT_TRUSTED_PROXIES=1, **LIMITS)
    client = app.test_client()
    # One attacker behind nginx (every request comes from 127.0.0.1) ...
    for i in range(5):
        _try(client, email=f"g{i}@test.org", address="127.0.0.1", forwarded="203.0.113.66")
    assert _try(client, email="g9@test.org", address="127.0.0.1", forwarded="203.0.113.66").status_code == 429
    # ... does not lock out a colleague behind the same proxy.
    ok = _try(
        client, email="lawyer@test.org", password=f.PASSWORD, address="127.0.0.1", forwarded="198.51.100.7"
    )
    assert ok.status_code == 302


def test_failed_attempts_and_the_lockout_are_audited(throttled, world):
    client = throttled.test_client()
    for _ in range(4):
        _try(client)
    actions = _actions()
    assert actions.count("auth.login_failed") == 3
    assert actions.count("auth.lockout") == 1
    assert actions.count("auth.login_refused") == 1
    lockout = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.lockout")).one()
    assert lockout.object_id == world["social"].id and lockout.actor_id is None
    assert lockout.detail == {"email": "social@test.org", "address": "203.0.113.9", "limit": "account"}
    assert lockout.mdt_id == world["social"].mdt_id


def test_a_successful_sign_in_clears_the_account_failures(throttled, world):
    client = throttled.test_client()
    _try(client)
    _try(client)
    assert _try(client, password=f.PASSWORD).status_code == 302
    client.post("/logout")
    assert [_try(client).status_code for _ in range(3)] == [200, 200, 429]
