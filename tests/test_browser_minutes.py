"""Issue 13, section 1: minutes typed on a meeting page are never lost (browser journeys)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mdt.extensions import db
from tests import factories as f
from tests.test_browser import _login, browser  # noqa: F401  (the fixture)


def _meeting_with_an_item(world):
    from mdt.meetings import services

    meeting = f.meeting(world)
    case = f.case(world["social"], given="Ratana", family="Phromma")
    item = services.add_item(world["coordinator"], meeting, {"title": "Follow-up", "case_id": case.id})
    db.session.commit()
    return meeting, item


def _open_item(browser, base, meeting, item, on_dialog=None):  # noqa: F811
    """The coordinator's meeting page with the item's minutes opened; its section."""
    page = browser.new_page()
    if on_dialog:
        page.on("dialog", on_dialog)
    _login(page, base, "coord@test.org")
    page.goto(f"{base}/meetings/{meeting.id}")
    section = page.locator(f"#item-{item.id}")
    section.get_by_text("Minutes and action items").click()
    return page, section


@pytest.mark.browser
def test_a_refused_action_item_keeps_the_minutes_typed_and_saved(live_server, browser, world):  # noqa: F811
    meeting, item = _meeting_with_an_item(world)
    page, section = _open_item(browser, live_server, meeting, item)
    section.get_by_label("Discussion").fill("Employer agreed to pay back wages.")
    section.get_by_role("button", name="Save the minutes").click()
    section = page.locator(f"#item-{item.id}")
    expect(section.get_by_label("Discussion")).to_have_value("Employer agreed to pay back wages.")
    # The message of what was saved shows in the item saved, where the coordinator is looking.
    expect(section.get_by_text("Saved.")).to_be_in_viewport()
    # New minutes typed, then an action item refused (no owner agency chosen).
    section.get_by_label("Decisions").fill("Refer to legal aid.")
    section.get_by_label("Action item").fill("Call the employer")
    section.get_by_role("button", name="Add the action item").click()
    section = page.locator(f"#item-{item.id}")
    expect(section.get_by_text("This field is required.")).to_be_visible()
    expect(section.get_by_label("Discussion")).to_have_value("Employer agreed to pay back wages.")
    expect(section.get_by_label("Decisions")).to_have_value("Refer to legal aid.")
    expect(section.get_by_label("Action item")).to_have_value("Call the employer")
    # Corrected, one click saves the minutes typed and adds the action item.
    section.get_by_label("Owner agency").select_option(label="Social Welfare Office")
    section.get_by_label("Due on").fill(f.at(8)[:10])
    section.get_by_role("button", name="Add the action item").click()
    expect(page.locator("#actions")).to_contain_text("Call the employer")
    section = page.locator(f"#item-{item.id}")  # open again after the save (the address names it)
    expect(section.get_by_label("Decisions")).to_have_value("Refer to legal aid.")


@pytest.mark.browser
def test_approving_with_minutes_not_saved_stops_and_says_where(live_server, browser, world):  # noqa: F811
    meeting, item = _meeting_with_an_item(world)
    from mdt.meetings import services

    services.save_minutes(world["coordinator"], meeting, item, {"discussion": "First part."})
    db.session.commit()
    page, section = _open_item(browser, live_server, meeting, item, lambda d: d.accept())
    section.get_by_label("Decisions").fill("Visit the family next week.")
    page.get_by_role("button", name="Approve the minutes").click()
    alert = page.locator("[data-unsaved-alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Follow-up")
    expect(section.get_by_label("Decisions")).to_have_value("Visit the family next week.")
    assert page.url.endswith(f"/meetings/{meeting.id}")
    # Saved first, then approved: the decision is part of the approved minutes.
    section.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("button", name="Approve the minutes").click()
    expect(page.get_by_text("Minutes approved on")).to_be_visible()
    expect(page.locator(f"#item-{item.id}")).to_contain_text("Visit the family next week.")
