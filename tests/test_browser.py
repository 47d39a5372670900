"""Browser journeys: Playwright drives Debian's Chromium against a live server on loopback."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import need

CHROMIUM = os.environ.get("MDT_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


@pytest.fixture
def live_server(web_app, world):
    server = make_server("127.0.0.1", 0, web_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def browser():
    need("Chromium", Path(CHROMIUM).exists(), f"{CHROMIUM} missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _login(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def test_register_open_note_audit(live_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    _login(page, live_server, "social@test.org")
    page.get_by_role("link", name="Register a returnee").click()
    # A validation error keeps what was typed.
    page.get_by_label("Family name").fill("Kongkaew")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("How we met the person").select_option("outreach")
    page.locator("#f-given_name").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Register").click()
    assert page.get_by_text("This field is required.").is_visible()
    assert page.get_by_label("Family name").input_value() == "Kongkaew"
    page.get_by_label("Given name").fill("Pranee")
    page.get_by_text("Migration episode (optional)").click()
    page.get_by_label("Destination country (two letters)").fill("LB")
    page.get_by_role("button", name="Register").click()
    heading = page.get_by_role("heading", level=1)
    assert "Pranee Kongkaew" in heading.inner_text()
    assert page.locator("#episodes strong", has_text="Lebanon").is_visible()
    page.get_by_label("New note").fill("Home visit: wants sewing training")
    page.get_by_role("button", name="Add note").click()
    assert page.get_by_text("Home visit: wants sewing training").is_visible()
    page.get_by_role("link", name="Audit trail").click()
    assert page.get_by_text("added a note").is_visible()
    assert page.get_by_text("registered the case").is_visible()
    assert page.get_by_text("opened the case").first.is_visible()
    # Readable on a phone: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1


def test_thai_switch_and_keyboard_login(live_server, browser):
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").focus()
    page.keyboard.type("coord@test.org")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("th")
    assert page.get_by_role("heading", name="เคสของฉัน").is_visible()
