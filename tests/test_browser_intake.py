"""Issue 13, section 1: no work lost or shown to the wrong person at intake (browser journeys)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.test_browser import browser  # noqa: F401  (the fixture)


def _login(page, base):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill("social@test.org")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
def test_a_new_intake_starts_empty_and_the_unfinished_one_waits(live_server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 360, "height": 800})
    _login(page, live_server)
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Given name").fill("Pranee")
    page.get_by_label("Family name").fill("Kongkaew")
    page.get_by_label("Phone").first.fill("0812345678")
    expect(page.locator("#draft-status")).to_contain_text("Saved")
    # The next returnee: a new intake shows nothing of the last one.
    page.goto(f"{live_server}/cases/new")
    expect(page.get_by_label("Given name")).to_have_value("")
    expect(page.get_by_label("Phone").first).to_have_value("")
    unfinished = page.locator("[data-draft]")
    expect(unfinished).to_have_count(1)
    expect(unfinished).to_contain_text("Pranee Kongkaew")
    # Coming back to it brings everything back.
    unfinished.get_by_role("link").click()
    expect(page.get_by_label("Given name")).to_have_value("Pranee")
    expect(page.get_by_label("Phone").first).to_have_value("0812345678")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("How we met the person").select_option("outreach")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pranee Kongkaew")
    page.goto(f"{live_server}/cases/new")
    expect(page.locator("[data-draft]")).to_have_count(0)


@pytest.mark.browser
def test_autosave_from_the_first_keystroke_and_says_when_offline(live_server, browser):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("Phone").first.fill("0899")  # no required field filled yet
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"Saved \d"))
    context.set_offline(True)
    page.get_by_label("Given name").fill("Somsri")
    expect(page.locator("#draft-status")).to_have_text("Not saved: offline, will retry")
    context.set_offline(False)
    expect(page.locator("#draft-status")).to_have_text(re.compile(r"Saved \d"), timeout=20_000)
    page.goto(f"{live_server}/cases/new")
    expect(page.locator("[data-draft]")).to_contain_text("Somsri")


def _intake_with_episode(browser, base, given):  # noqa: F811
    """A new intake with the required answers given and the migration episode opened."""
    page = browser.new_page()
    _login(page, base)
    page.goto(f"{base}/cases/new")
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("How we met the person").select_option("outreach")
    page.get_by_text("Migration episode (optional)").click()
    return page


@pytest.mark.browser
def test_the_destination_is_chosen_by_name_and_never_cut(live_server, browser):  # noqa: F811
    page = _intake_with_episode(browser, live_server, "Malee")
    page.get_by_label("Destination country").select_option(label="Malaysia")
    page.get_by_role("button", name="Register").click()
    expect(page.locator("#episodes strong", has_text="Malaysia")).to_be_visible()


@pytest.mark.browser
def test_an_amount_with_grouping_is_accepted_and_a_wrong_one_keeps_the_form(live_server, browser):  # noqa: F811
    """Issue 13: "15,000" in an amount field was refused."""
    page = _intake_with_episode(browser, live_server, "Somjai")
    page.get_by_label("Recruitment fees paid").fill("15,000 baht")
    page.get_by_role("button", name="Register").click()
    # Not an amount: said at the field, everything typed kept.
    expect(page.get_by_label("Recruitment fees paid")).to_have_value("15,000 baht")
    expect(page.get_by_label("Given name")).to_have_value("Somjai")
    page.get_by_label("Recruitment fees paid").fill("15,000")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Somjai")
    expect(page.locator("#episodes")).to_contain_text("15,000")
