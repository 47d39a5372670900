"""Issue 16: offline work in a real browser. Chromium opens the offline app, sets a PIN, loses
its connection (Playwright's offline mode), keeps an intake through a reload, and sends it once
when the connection returns; two devices change the same case offline and the clash is settled
side by side."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from mdt import clock
from mdt.cases.models import Case, Person
from mdt.extensions import db
from mdt.triage.models import TriageItem
from tests import factories as f
from tests.test_accessibility import _violations
from tests.test_browser import browser  # noqa: F401  (the fixture)

PIN = "482916"
PHONE = {"viewport": {"width": 360, "height": 800}}


def _login(page, base, email="social@test.org"):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def _set_up(page, base):
    """Open the offline app signed in, choose the PIN, and wait for the service worker to hold
    the shell."""
    page.goto(f"{base}/field")
    expect(page.get_by_role("heading", name="Set up offline work on this device")).to_be_visible()
    page.get_by_label("Choose a PIN (at least 6 digits)").fill(PIN)
    page.get_by_label("The same PIN again").fill(PIN)
    page.get_by_role("button", name="Set up").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    page.wait_for_function(
        """async () => {
            const reg = await navigator.serviceWorker.ready;
            const shell = await caches.match('/field', {cacheName: 'mdt-field-shell'});
            return !!(reg.active && shell);
        }"""
    )


def _unlock(page, pin=PIN):
    expect(page.get_by_role("heading", name="Enter your PIN")).to_be_visible()
    page.locator("#v-unlock").get_by_label("PIN").fill(pin)
    page.get_by_role("button", name="Open").click()


@pytest.mark.browser
def test_an_intake_typed_offline_survives_a_reload(live_server, browser):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, live_server)
    _set_up(page, live_server)

    context.set_offline(True)
    page.get_by_role("link", name="New intake").first.click()
    expect(page.get_by_role("heading", name="Register a returnee")).to_be_visible()
    form = page.locator("#intake-form")
    form.get_by_label("Given name").fill("Pranee")
    form.get_by_label("Family name").fill("Kongkaew")
    form.get_by_label("Sex").select_option("female")
    expect(page.locator("#intake-form [data-saved]")).to_have_text("Saved on this device.")

    # A reload with no connection: the shell comes from the service worker, the PIN opens the
    # copy, and the half-typed form is as it was.
    page.reload()
    _unlock(page)
    expect(form.get_by_label("Given name")).to_have_value("Pranee")
    expect(form.get_by_label("Sex")).to_have_value("female")
    form.get_by_label("How we met the person").select_option("outreach")
    form.get_by_label("What happened, in brief").fill("Back from Sweden, berry picking")
    form.get_by_role("button", name="Register").click()
    expect(page.locator("#new-list")).to_contain_text("Pranee Kongkaew")
    expect(page.locator("#sync-status")).to_contain_text("1 waiting")

    page.reload()
    _unlock(page)
    expect(page.locator("#new-list")).to_contain_text("Pranee Kongkaew")
    # Nothing readable is kept: IndexedDB holds only ids and ciphertext.
    stored = page.evaluate(
        """async () => {
            const db = new Dexie('mdt-field'); await db.open();
            const rows = await db.table('outbox').toArray();
            const text = new TextDecoder().decode(rows[0].data);
            return {n: rows.length, plain: text.includes('Pranee'), iv: rows[0].iv.length};
        }"""
    )
    assert stored == {"n": 1, "plain": False, "iv": 12}
    # Any other page opened with no connection leads to the offline app.
    page.goto(f"{live_server}/cases")
    expect(page).to_have_url(f"{live_server}/field")
    _unlock(page)
    expect(page.locator("#new-list")).to_contain_text("Pranee Kongkaew")
    assert errors == []
    context.close()


@pytest.mark.browser
def test_a_wrong_pin_is_refused_clearly(live_server, browser):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_server)
    _set_up(page, live_server)
    page.reload()
    _unlock(page, "000000")
    expect(page.get_by_role("alert").filter(has_text="Wrong PIN. Try again.")).to_be_visible()
    _unlock(page)
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    context.close()


def _need_sync(web_app) -> None:
    """The server's side of sync (``POST /field/sync``) is built apart from this client."""
    if not any(rule.rule == "/field/sync" for rule in web_app.url_map.iter_rules()):
        pytest.skip("POST /field/sync is not on this branch yet")


def _people(given: str) -> int:
    db.session.expire_all()
    return len(db.session.scalars(select(Person).where(Person.given_name == given)).all())


@pytest.mark.browser
def test_an_intake_made_offline_is_sent_once_when_the_connection_returns(live_server, browser, web_app):  # noqa: F811
    _need_sync(web_app)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_server)
    _set_up(page, live_server)
    context.set_offline(True)
    page.get_by_role("link", name="New intake").first.click()
    form = page.locator("#intake-form")
    form.get_by_label("Given name").fill("Somchai")
    form.get_by_label("Sex").select_option("male")
    form.get_by_label("How we met the person").select_option("watchdog")
    form.get_by_role("button", name="Register").click()
    expect(page.locator("#sync-status")).to_contain_text("1 waiting: no connection")
    page.reload()
    _unlock(page)
    expect(page.locator("#new-list")).to_contain_text("Somchai")

    # The first answer is lost on the way back (the server applied the change): the device sends
    # the same change again, with the same key, and the server answers "duplicate".
    lost = []

    def lose_the_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/field/sync", lose_the_first_answer)
    context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("All sent.", timeout=30_000)
    assert lost == [200]
    assert _people("Somchai") == 1
    expect(page.locator("#cases-list")).to_contain_text("Somchai")
    expect(page.locator("#new-box")).to_be_hidden()
    context.close()


@pytest.mark.browser
def test_two_devices_change_a_case_offline_and_the_clash_is_settled(live_server, browser, world, web_app):  # noqa: F811
    _need_sync(web_app)
    case = f.case(world["social"], given="Malee", summary="Met at the temple fair")
    db.session.commit()
    devices = []
    for _ in range(2):
        context = browser.new_context(**PHONE)
        page = context.new_page()
        _login(page, live_server)
        _set_up(page, live_server)
        expect(page.locator("#cases-list")).to_contain_text("Malee")
        context.set_offline(True)
        devices.append((context, page))
    # The first device changes the summary and the phone; the second only the summary.
    edits = (("Wants sewing training", "0812345678"), ("Wants to work abroad again", None))
    for (_context, page), (summary, phone) in zip(devices, edits, strict=True):
        page.locator("#cases-list").get_by_role("link", name=re.compile("Malee")).click()
        page.get_by_role("link", name="Change details").click()
        form = page.locator("#edit-form")
        form.get_by_label("What happened, in brief").fill(summary)
        if phone:
            form.get_by_label("Phone").fill(phone)
        form.get_by_role("button", name="Keep the changes to send").click()
        expect(page.locator("#case-pending")).to_contain_text("Changes to")

    first, second = devices
    first[0].set_offline(False)
    expect(first[1].locator("#sync-status")).to_have_text("All sent.", timeout=30_000)
    second[0].set_offline(False)
    page = second[1]
    expect(page.locator("#sync-status")).to_contain_text("1 changes clash", timeout=30_000)
    page.get_by_role("link", name="Sending").click()
    clash = page.locator(".clash")
    expect(clash).to_have_count(1)
    expect(clash).to_contain_text("What happened, in brief")
    expect(clash.locator(".side").first).to_contain_text("Wants sewing training")
    expect(clash.locator(".side").last).to_contain_text("Wants to work abroad again")
    clash.get_by_role("button", name="Keep yours").click()
    expect(page.get_by_role("alert")).to_contain_text("Settled.")
    expect(page.locator(".clash")).to_have_count(0)
    db.session.expire_all()
    fresh = db.session.get(Case, case.id)
    assert fresh.summary == "Wants to work abroad again"
    assert fresh.person.phone == "0812345678"  # the first device's other change stands
    for context, _page in devices:
        context.close()


@pytest.mark.browser
def test_a_deactivated_members_device_wipes_its_copy_at_the_next_contact(live_server, browser, world):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_server)
    f.case(world["social"], given="Malee")
    db.session.commit()
    _set_up(page, live_server)
    expect(page.locator("#cases-list")).to_contain_text("Malee")
    world["social"].active = False
    db.session.commit()
    # Locked, signed out by the deactivation: the device still asks, and wipes what it holds.
    page.reload()
    expect(page.locator("#notice")).to_contain_text("your account is no longer active")
    expect(page.get_by_role("heading", name="Set up offline work on this device")).to_be_visible()
    left = page.evaluate(
        """async () => {
            const db = new Dexie('mdt-field'); await db.open();
            return (await db.table('cases').count()) + (await db.table('meta').count());
        }"""
    )
    assert left == 0
    context.close()


@pytest.mark.browser
def test_the_copy_expires_after_the_configured_days_without_sign_in(live_server, browser, web_app):  # noqa: F811
    web_app.config["MDT_OFFLINE_DAYS"] = 3
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_server)
    _set_up(page, live_server)
    context.set_offline(True)
    page.evaluate(
        """async () => {
            const db = new Dexie('mdt-field'); await db.open();
            const then = new Date(Date.now() - 4 * 86400000).toISOString();
            await db.table('meta').put({key: 'contact', value: then});
        }"""
    )
    page.reload()
    expect(page.locator("#notice")).to_contain_text("no sign-in for 3 days")
    expect(page.get_by_role("heading", name="Set up offline work on this device")).to_be_visible()
    context.close()


@pytest.mark.browser
def test_a_follow_up_visit_recorded_offline_is_sent(live_server, browser, world, web_app):  # noqa: F811
    _need_sync(web_app)
    case = f.case(world["social"], given="Malee")
    db.session.commit()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_server)
    _set_up(page, live_server)
    context.set_offline(True)
    page.locator("#cases-list").get_by_role("link", name=re.compile("Malee")).click()
    page.get_by_role("link", name="Record a follow-up visit").click()
    form = page.locator("#visit-form")
    # The first try has a date the server refuses: kept on the device with its message, mended.
    form.get_by_label("Date of the visit").fill((clock.today(world.mdt) + timedelta(days=2)).isoformat())
    form.get_by_label("Where").fill("Her mother's house")
    form.get_by_label("The person").check()
    form.get_by_label("Coping").check()
    form.get_by_label("Debt").check()
    form.get_by_label("Notes").fill("The lender came again")
    expect(form.locator("[data-saved]")).to_have_text("Saved on this device.")
    page.reload()
    _unlock(page)
    expect(form.get_by_label("Where")).to_have_value("Her mother's house")
    expect(form.get_by_label("Coping")).to_be_checked()
    form.get_by_role("button", name="Keep the visit to send").click()
    expect(page.locator("#case-pending")).to_contain_text("Visit report for")
    context.set_offline(False)
    status = page.locator("#sync-status")
    expect(status).to_have_text("1 not accepted by the server: see Sending.", timeout=30_000)
    page.get_by_role("link", name="Sending").click()
    refusal = "Date of the visit: This date cannot be in the future."
    expect(page.locator("#outbox-list")).to_contain_text(refusal)
    page.get_by_role("button", name="Change it").click()
    expect(form.get_by_label("Where")).to_have_value("Her mother's house")
    form.get_by_label("Date of the visit").fill(clock.today(world.mdt).isoformat())
    form.get_by_role("button", name="Keep the visit to send").click()
    expect(page.locator("#sync-status")).to_have_text("All sent.", timeout=30_000)
    db.session.expire_all()
    query = text("SELECT place, wellbeing, needs FROM visit WHERE case_id = :id")
    rows = db.session.execute(query, {"id": case.id})
    assert [tuple(r) for r in rows] == [("Her mother's house", "coping", '["debt"]')]
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


@pytest.mark.browser
def test_every_view_passes_axe_and_fits_a_phone(live_server, browser, world):  # noqa: F811
    f.case(world["social"], given="Malee", summary="Met at the temple fair")
    db.session.commit()
    # axe is injected as a script: this test context alone sets the page's CSP aside.
    context = browser.new_context(bypass_csp=True, **PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, live_server)
    page.goto(f"{live_server}/field")
    found = {"setup": _violations(page)}
    _set_up(page, live_server)
    page.locator("#cases-list").get_by_role("link", name=re.compile("Malee")).click()
    case_hash = page.evaluate("location.hash")
    case_id = case_hash.split("/")[1]
    views = {
        "#cases": "#v-cases",
        case_hash: "#v-case",
        "#intake": "#v-intake",
        f"#visit/{case_id}": "#v-visit",
        f"#edit/{case_id}": "#v-edit",
        "#sync": "#v-sync",
    }
    for view, section in views.items():
        page.evaluate(f"location.hash = {view!r}")
        expect(page.locator(section)).to_be_visible()
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        found[view] = _violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, view
    page.locator("#lock").click()
    found["unlock"] = _violations(page)
    assert {k: v for k, v in found.items() if v} == {}
    assert errors == []
    context.close()


@pytest.mark.browser
def test_a_volunteers_offline_intake_goes_to_the_triage_queue(live_server, browser, world):  # noqa: F811
    volunteer = f.member(world.mdt, world.agencies["sw"], "volunteer@test.org", ("volunteer",))
    db.session.commit()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_server, volunteer.email)
    _set_up(page, live_server)
    context.set_offline(True)
    page.get_by_role("link", name="New intake").first.click()
    form = page.locator("#intake-form")
    form.get_by_label("Given name").fill("Noi")
    form.get_by_label("Sex").select_option("female")
    form.get_by_label("How we met the person").select_option("watchdog")
    form.get_by_role("button", name="Register").click()
    context.set_offline(False)
    expect(page.locator("#sync-status")).to_have_text("All sent.", timeout=30_000)
    db.session.expire_all()
    items = db.session.scalars(select(TriageItem)).all()
    assert [(i.kind, i.submitted_by_id, i.data["person"]["given_name"]) for i in items] == [
        ("intake", volunteer.id, "Noi")
    ]
    assert _people("Noi") == 0  # no case until a coordinator accepts it
    context.close()
