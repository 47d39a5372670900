"""Browser journeys: Playwright drives Debian's Chromium against a live server on loopback."""

import os
from datetime import UTC
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.conftest import need

CHROMIUM = os.environ.get("MDT_TEST_CHROMIUM", "/usr/bin/chromium")
# The machine may be busy (two cores, the rest of the suite): give pages time before failing.
expect.set_options(timeout=15_000)

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture
def browser():
    need("Chromium", Path(CHROMIUM).exists(), f"{CHROMIUM} missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def nav(page, group: str, link: str) -> None:
    """Follow a link of the header's grouped menus (issue 13): open the group, then the link."""
    page.locator("#main-nav summary", has_text=group).click()
    page.locator("#main-nav").get_by_role("link", name=link, exact=True).click()


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
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert page.get_by_label("Family name").input_value() == "Kongkaew"
    page.get_by_label("Given name").fill("Pranee")
    page.get_by_text("Migration episode (optional)").click()
    page.get_by_label("Destination country").select_option("LB")
    page.get_by_role("button", name="Register").click()
    heading = page.get_by_role("heading", level=1)
    assert "Pranee Kongkaew" in heading.inner_text()
    expect(page.locator("#episodes strong", has_text="Lebanon")).to_be_visible()
    page.get_by_label("New note").fill("Home visit: wants sewing training")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Home visit: wants sewing training")).to_be_visible()
    page.get_by_role("link", name="Audit trail").click()
    expect(page.get_by_text("added a note")).to_be_visible()
    expect(page.get_by_text("registered the case")).to_be_visible()
    expect(page.get_by_text("opened the case").first).to_be_visible()
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
    expect(page.get_by_role("heading", name="เคสของฉัน")).to_be_visible()


def test_referral_across_two_agencies(live_server, browser, world):
    from mdt.extensions import db
    from tests import factories as f

    case = f.case(world["social"], given="Ratana", family="Phromma")
    db.session.commit()
    social = browser.new_context().new_page()
    _login(social, live_server, "social@test.org")
    social.goto(f"{live_server}/cases/{case.id}")
    # Record the person's consent to share with the legal aid NGO.
    social.get_by_role("link", name="Record consent").click()
    social.get_by_label("Purpose").select_option("share_with_agency")
    social.get_by_label("Agency (for sharing)").select_option(label="Legal Aid NGO")
    social.get_by_label("Language used").fill("Thai")
    # No answer is chosen in advance (issue 13): the member says what the person answered.
    expect(social.get_by_label("The person's answer")).to_have_value("")
    social.get_by_label("The person's answer").select_option("true")
    social.get_by_label("Assistance plan").check()
    social.get_by_role("button", name="Read back before recording").click()
    # Read back before saving (issue 13): the sentence names the agency and the parts.
    expect(social.locator(".read-back-sentence")).to_have_text(
        "Legal Aid NGO may see these parts of the case: Identity and contact and Assistance plan; "
        "until the person withdraws it."
    )
    expect(social.locator("#read-back")).to_be_focused()
    social.get_by_role("button", name="Confirm and record").click()
    expect(social.get_by_text("Consent recorded.")).to_be_visible()
    social.get_by_role("link", name="Refer to another agency").click()
    # Choosing the service reloads the agency list (htmx): wait for it before choosing, and for htmx
    # itself to be ready (on a busy machine the deferred script may not have run yet).
    social.wait_for_load_state("load")
    social.wait_for_function("window.htmx !== undefined && document.readyState === 'complete'")
    with social.expect_response(lambda r: "agency-options" in r.url):
        social.get_by_label("Service").select_option("legal_aid")
    social.get_by_label("Receiving agency").select_option(label="Legal Aid NGO")
    social.get_by_label("Why, and what the person needs").fill("Unpaid wages; wants to claim")
    social.get_by_role("button", name="Send referral").click()
    expect(social.get_by_text("Referral sent to Legal Aid NGO.")).to_be_visible()
    lawyer = browser.new_context().new_page()
    _login(lawyer, live_server, "lawyer@test.org")
    assert lawyer.locator("#main-nav .badge.count").inner_text() == "1"
    nav(lawyer, "Cases", "Referrals")
    lawyer.get_by_role("link", name=case.reference).click()
    expect(lawyer.get_by_text("Unpaid wages; wants to claim")).to_be_visible()
    assert lawyer.get_by_text("Ratana").count() == 0  # not before acceptance
    lawyer.get_by_role("button", name="Accept the referral").click()
    expect(lawyer.get_by_text("Ratana Phromma")).to_be_visible()
    lawyer.get_by_label("Did the person receive the service?").select_option("received")
    lawyer.get_by_label("Was the person accompanied?").select_option("true")
    lawyer.get_by_role("button", name="Save the outcome").click()
    expect(lawyer.get_by_text("Outcome recorded.")).to_be_visible()
    social.goto(f"{live_server}/cases/{case.id}")
    referrals = social.locator("#referrals")
    assert "Completed" in referrals.inner_text() and "Service received" in referrals.inner_text()


def test_lawyer_records_judgment_and_closure_moves_deadline(live_server, browser, world):
    from mdt.extensions import db

    m = f.matter(world, [f.client_case(world)])
    db.session.commit()
    lawyer = browser.new_context().new_page()
    _login(lawyer, live_server, "lawyer@test.org")
    lawyer.goto(f"{live_server}/matters/{m.id}")
    lawyer.get_by_label("What happened").select_option("judgment_read")
    lawyer.locator("#f-occurred_on").fill("2025-12-19")
    lawyer.get_by_role("button", name="Record the event").click()
    deadlines = lawyer.locator("#deadlines")
    assert "Appeal from a Labour Court judgment" in deadlines.inner_text()
    assert "5 January 2026" in deadlines.inner_text()

    admin = browser.new_context().new_page()
    _login(admin, live_server, "admin@test.org")
    admin.goto(f"{live_server}/admin/rules")
    admin.get_by_label("Jurisdiction").select_option("TH")
    admin.locator("#f-day").fill("2026-01-05")
    admin.get_by_label("Reason").fill("Decreed substitution day")
    admin.get_by_role("button", name="Save the correction").click()
    expect(admin.get_by_text("1 open deadline(s) moved")).to_be_visible()
    lawyer.reload()
    text = lawyer.locator("#deadlines").inner_text()
    assert "6 January 2026" in text and "was" in text


def test_phone_menu_opens_and_closes(live_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    _login(page, live_server, "social@test.org")
    menu = page.locator("#main-nav")
    expect(menu).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(menu).to_be_visible()
    # Grouped by task (issue 13): the group opens with the keyboard too.
    page.locator("#main-nav summary", has_text="Meetings").focus()
    page.keyboard.press("Enter")
    expect(menu.get_by_role("link", name="Action items", exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Action items", exact=True)).to_be_hidden()
    nav(page, "Cases", "All cases")
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()


def test_case_conference_decision_reaches_the_labour_office(live_server, browser, world):
    from datetime import datetime, timedelta

    from mdt.extensions import db
    from mdt.legal import services as legal

    case = f.client_case(world, "Ratana")
    m = f.matter(world, [case])
    legal.schedule_hearing(
        world["lawyer"],
        m,
        {"starts_at": (datetime.now(UTC) + timedelta(days=6)).isoformat(), "purpose": "Witnesses"},
    )
    db.session.commit()
    coordinator = browser.new_context().new_page()
    _login(coordinator, live_server, "coord@test.org")
    coordinator.goto(f"{live_server}/meetings/new")
    coordinator.locator("#f-title").fill("Case conference")
    start = (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT09:30")
    coordinator.locator("#f-starts_at").fill(start)
    coordinator.get_by_role("button", name="Create the meeting").click()
    # The hearing is one item for its legal matter (issue 17), the case one of its own.
    assert "Hearing soon" in coordinator.locator("li.card", has_text=m.title).inner_text()
    item = coordinator.locator("li.card", has_text=case.reference)
    item.get_by_text("Minutes and action items").click()
    item.get_by_label("Decisions").fill("Labour office to check the unpaid wages")
    item.get_by_role("button", name="Save the minutes").click()
    item = coordinator.locator("li.card", has_text=case.reference)  # open again after the save
    item.get_by_label("Action item").fill("Check the unpaid wages with the employer")
    item.get_by_label("Owner agency").select_option(label="Labour Office")
    item.get_by_label("Due on").fill((datetime.now() + timedelta(days=14)).strftime("%Y-%m-%d"))
    item.get_by_role("button", name="Add the action item").click()
    expect(coordinator.get_by_text("Saved.")).to_be_visible()
    labour = browser.new_context().new_page()
    _login(labour, live_server, "labour@test.org")
    nav(labour, "Meetings", "Action items")
    expect(labour.get_by_text(case.reference)).to_be_visible()
