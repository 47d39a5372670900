"""Password reset by email and the new-browser notice (issue 12, section 1)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest

from mdt.extensions import db
from tests import factories as f

NEW = "rain on the tin roof"
FORBIDDEN = ("case", "victim", "trafficking")


def _mails(app) -> list:
    folder = Path(app.instance_path) / "outbox" / "account"
    if not folder.exists():
        return []
    return [
        message_from_bytes(p.read_bytes(), policy=email_policy.default) for p in sorted(folder.glob("*.eml"))
    ]


def _body(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def _link(mail) -> str:
    return re.search(r"http://localhost:5000(/password/reset/\S+)", _body(mail)).group(1)


def _ask(client, email):
    return client.post("/password/forgot", data={"email": email})


def _signs_in(web_app, password, email="social@test.org") -> bool:
    r = web_app.test_client().post("/login", data={"email": email, "password": password})
    return r.status_code == 302


def test_the_same_answer_whether_or_not_the_address_exists(world, web_app, client):
    known = _ask(client, "social@test.org")
    unknown = _ask(client, "nobody@test.org")
    assert known.status_code == unknown.status_code == 200

    def strip(response, email):  # the address typed and the page's CSP nonce differ, nothing else
        return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True)).replace(email, "EMAIL")

    assert strip(known, "social@test.org") == strip(unknown, "nobody@test.org")
    mails = _mails(web_app)
    assert [m["To"] for m in mails] == ["social@test.org"]
    subject, body = mails[0]["Subject"], _body(mails[0])
    assert not any(word in (subject + body).lower() for word in FORBIDDEN)


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(world, web_app, client):
    case = f.case(world["social"])
    db.session.commit()
    browser = web_app.test_client()
    browser.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    assert browser.get(f"/cases/{case.id}").status_code == 200

    _ask(client, "social@test.org")
    link = _link(_mails(web_app)[0])
    assert client.get(link).status_code == 200
    # A weak password: refused, nothing changed, the link still works.
    r = client.post(link, data={"new_password": "password1234", "repeat_password": "password1234"})
    assert r.status_code == 422 and "too easy to guess" in r.get_data(as_text=True)
    r = client.post(link, data={"new_password": NEW, "repeat_password": NEW + "x"})
    assert r.status_code == 422
    r = client.post(link, data={"new_password": NEW, "repeat_password": NEW})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")

    assert browser.get(f"/cases/{case.id}").status_code == 302  # signed out everywhere
    assert not _signs_in(web_app, f.PASSWORD)
    assert _signs_in(web_app, NEW)
    again = client.post(
        link, data={"new_password": "another long phrase", "repeat_password": "another long phrase"}
    )
    assert again.status_code == 404 and "expired or was already used" in again.get_data(as_text=True)


def test_a_link_expires_after_thirty_minutes(world, web_app, client, travel):
    start = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    with travel(start):
        _ask(client, "social@test.org")
    link = _link(_mails(web_app)[0])
    with travel(start + timedelta(minutes=29)):
        assert client.get(link).status_code == 200
    with travel(start + timedelta(minutes=31)):
        r = client.post(link, data={"new_password": NEW, "repeat_password": NEW})
        assert r.status_code == 404
    assert _signs_in(web_app, f.PASSWORD)


def test_asking_again_leaves_only_the_newest_link(world, web_app, client):
    _ask(client, "social@test.org")
    _ask(client, "social@test.org")
    first, second = (_link(m) for m in _mails(web_app))
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_nobody_can_flood_a_mailbox(world, web_app, client):
    for _ in range(6):
        assert _ask(client, "social@test.org").status_code == 200
    assert len(_mails(web_app)) == 3


def test_a_deactivated_member_gets_no_link(world, web_app, client):
    world["social"].active = False
    db.session.commit()
    _ask(client, "social@test.org")
    assert _mails(web_app) == []


def test_the_worker_task_sends_it_through_a_real_smtp_server(world, app):
    from tests.smtp_sink import Sink
    from workers.tasks import account_mail

    with Sink() as sink:
        app.config.update(MDT_SMTP_URL=sink.url)
        assert account_mail(kind="reset", email="Social@Test.org") is True
        assert account_mail(kind="reset", email="nobody@test.org") is False
        [mail] = sink.messages
    assert mail["To"] == "social@test.org" and "/password/reset/" in _body(mail)


def test_a_thai_member_gets_the_mail_in_thai(world, web_app, client):
    world["social"].ui_language = "th"
    db.session.commit()
    _ask(client, "social@test.org")
    [mail] = _mails(web_app)
    assert "รหัสผ่าน" in mail["Subject"]


@pytest.fixture
def browsers(web_app):
    def sign_in(client):
        r = client.post(
            "/login",
            data={"email": "social@test.org", "password": f.PASSWORD},
            headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"},
            environ_base={"REMOTE_ADDR": "198.51.100.20"},
        )
        assert r.status_code == 302
        client.post("/logout")

    return sign_in


def test_a_new_browser_is_told_by_email(world, web_app, browsers):
    office, phone = web_app.test_client(), web_app.test_client()
    browsers(office)  # the first browser ever: nothing to tell
    assert _mails(web_app) == []
    browsers(office)  # known
    assert _mails(web_app) == []
    browsers(phone)
    [mail] = _mails(web_app)
    body = _body(mail)
    assert mail["To"] == "social@test.org" and "Chrome" in body and "198.51.100.20" in body
    assert "/profile/sessions" in body
    assert not any(word in (mail["Subject"] + body).lower() for word in FORBIDDEN)
    browsers(phone)  # now known too
    assert len(_mails(web_app)) == 1
