"""Browser journeys for accounts (issue 12): two-step sign-in set up with a real TOTP code, a
recovery code, a password reset through a real SMTP server, and a session ended from another
browser."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from mdt.extensions import db
from tests import factories as f
from tests.test_browser import browser  # noqa: F401  (the fixture)


def _password(page, base, email, password=f.PASSWORD):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_two_step_sign_in_set_up_then_a_recovery_code(live_server, browser, world):  # noqa: F811
    world["coordinator"].mdt.mfa_required = ["coordinator"]
    db.session.commit()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _password(page, live_server, "coord@test.org")
    page.wait_for_url(f"{live_server}/login/code")
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(f"{live_server}/")

    other = browser.new_context().new_page()
    _password(other, live_server, "coord@test.org")
    other.wait_for_url(f"{live_server}/login/code")
    other.get_by_label("Code").fill(codes[0])
    other.get_by_role("button", name="Continue").click()
    other.wait_for_url(f"{live_server}/")
    expect(other.get_by_text("You used a recovery code: 9 left.")).to_be_visible()


@pytest.mark.browser
def test_password_reset_through_a_real_smtp_server(live_server, web_app, browser, world):  # noqa: F811
    from tests.smtp_sink import Sink

    new = "kites over the paddy field"
    with Sink() as sink:
        web_app.config.update(MDT_SMTP_URL=sink.url, MDT_BASE_URL=live_server)
        page = browser.new_page()
        page.goto(f"{live_server}/login")
        page.get_by_role("link", name="Forgot your password?").click()
        page.get_by_label("Email").fill("social@test.org")
        page.get_by_role("button", name="Send the link").click()
        expect(page.get_by_text("a link to choose a new password is on its way")).to_be_visible()
        [mail] = sink.messages
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(http://127\.0\.0\.1:\d+/password/reset/\S+)", body).group(1)
    page.goto(link)
    page.locator("#f-new_password").fill(new)
    page.get_by_label("New password again").fill(new)
    page.get_by_role("button", name="Set the new password").click()
    page.wait_for_url(f"{live_server}/login")
    _password(page, live_server, "social@test.org", new)
    page.wait_for_url(f"{live_server}/")


@pytest.mark.browser
def test_signing_out_everywhere_else_ends_the_other_browser(live_server, browser, world):  # noqa: F811
    case = f.case(world["social"])
    db.session.commit()
    office = browser.new_context().new_page()
    phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    refused = []  # the Content-Security-Policy blocks nothing the pages use
    for page in (office, phone):
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    for page in (office, phone):
        _password(page, live_server, "social@test.org")
        page.wait_for_url(f"{live_server}/")
    office.goto(f"{live_server}/cases/{case.id}")
    expect(office.get_by_role("heading", level=1)).to_be_visible()
    phone.goto(f"{live_server}/profile/sessions")
    expect(phone.locator("[data-session]")).to_have_count(2)
    phone.get_by_role("button", name="Sign out everywhere else").click()
    expect(phone.get_by_text("You are signed out everywhere else.")).to_be_visible()
    office.goto(f"{live_server}/cases/{case.id}")
    office.wait_for_url(re.compile(r".*/login.*"))
    assert refused == []
