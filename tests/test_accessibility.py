"""Issue 13, section 5: axe-core (vendored in tests/vendor) finds no violation of any impact on
the main pages, in English and Thai, with every collapsed section opened; and at 360 px no page
scrolls sideways. Screenshots go to MDT_ARTIFACTS (CI keeps them)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from mdt.documents import services as documents
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.meetings import services as meetings
from mdt.sync.models import SyncConflict
from mdt.triage import services as triage
from mdt.visits import services as visits
from tests import factories as f
from tests.test_browser import _login, browser  # noqa: F401  (the fixture)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("MDT_ARTIFACTS", "/tmp/mdt-artifacts"))


def _records(world) -> dict:
    case = f.client_case(world, given="Ratana")
    other = f.client_case(world, given="Somchai")
    m = f.matter(world, [case, other])
    legal.schedule_hearing(world["lawyer"], m, {"starts_at": f.at(5), "purpose": "Witnesses"})
    meeting = f.meeting(world)
    item = meetings.add_item(world["coordinator"], meeting, {"title": "Follow-up", "case_id": case.id})
    meetings.save_minutes(world["coordinator"], meeting, item, {"discussion": "Agreed"})
    document = documents.add(world["social"], case, {"kind": "photo"}, io.BytesIO(f.png()), "room.png")
    visits.set_schedule(world["social"], case, visits.default_schedule())
    visits.add_visit(
        world["social"], case, {"visited_on": f.at(-1)[:10], "wellbeing": "coping", "needs": ["debt"]}
    )
    complaint, _code, _phrase = triage.receive({"what_happened": "No pay for months", "mdt_id": world.mdt.id})
    db.session.add(
        SyncConflict(
            case_id=case.id,
            member_id=world["social"].id,
            field="summary",
            server={"value": "At the office"},
            yours={"value": "In the village"},
            base_version=1,
        )
    )
    db.session.commit()
    return {
        "case": case.id,
        "matter": m.id,
        "meeting": meeting.id,
        "document": document.id,
        "complaint": complaint.id,
    }


def _pages(ids) -> list[tuple[str, str]]:
    """(member, path): the main pages, each as a member who uses it."""
    return [
        ("coord@test.org", "/"),
        ("social@test.org", "/"),
        ("social@test.org", "/cases"),
        ("social@test.org", f"/cases/{ids['case']}"),
        ("social@test.org", "/cases/new"),
        ("social@test.org", f"/cases/{ids['case']}/edit"),
        ("social@test.org", f"/cases/{ids['case']}/consents"),
        ("social@test.org", f"/cases/{ids['case']}/documents/new"),
        ("social@test.org", f"/documents/{ids['document']}"),
        ("social@test.org", f"/cases/{ids['case']}/visits/new"),
        ("social@test.org", f"/cases/{ids['case']}/conflicts"),
        ("social@test.org", "/submissions/intake"),
        ("coord@test.org", "/triage"),
        ("coord@test.org", f"/triage/{ids['complaint']}"),
        ("coord@test.org", "/report"),
        ("social@test.org", "/referrals"),
        ("social@test.org", "/services"),
        ("lawyer@test.org", "/"),
        ("lawyer@test.org", "/matters"),
        ("lawyer@test.org", f"/matters/{ids['matter']}"),
        ("lawyer@test.org", "/my-legal"),
        ("coord@test.org", "/meetings"),
        ("coord@test.org", f"/meetings/{ids['meeting']}"),
        ("coord@test.org", "/actions"),
        ("coord@test.org", "/calendar"),
        ("coord@test.org", "/directory/"),
        ("coord@test.org", "/reminders"),
        ("coord@test.org", "/profile"),
        ("coord@test.org", "/reports?from=2026-01-01&to=2026-06-30"),
        ("viewer@test.org", "/"),
        ("viewer@test.org", "/reports"),
        ("admin@test.org", "/"),
    ]


def _open_everything(page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))
        }))"""
    )


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "th"])
def test_no_axe_violation_with_every_section_open(live_server, browser, world, language):  # noqa: F811
    ids = _records(world)
    found = {}
    contexts = {}
    for email, path in _pages(ids):
        if email not in contexts:
            # axe is injected as a script: this test context alone sets the page's CSP aside.
            context = browser.new_context(bypass_csp=True)
            page = context.new_page()
            _login(page, live_server, email)
            if language != "en":
                with page.expect_navigation():
                    page.locator("#lang-select").select_option(language)
            contexts[email] = page
        page = contexts[email]
        page.goto(f"{live_server}{path}")
        _open_everything(page)
        problems = _violations(page)
        if problems:
            found[f"{email} {path}"] = problems
    for page in contexts.values():
        page.context.close()
    import json

    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.browser
def test_no_page_scrolls_sideways_at_360_px_or_logs_an_error(live_server, browser, world):  # noqa: F811
    ids = _records(world)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wide = {}
    pages = {}
    errors: list[str] = []  # the console: no CSP refusal, no 404, no script error on any page
    for email, path in _pages(ids):
        if email not in pages:
            pages[email] = browser.new_page(viewport={"width": 360, "height": 780})
            pages[email].on(
                "console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None
            )
            pages[email].on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            _login(pages[email], live_server, email)
        page = pages[email]
        page.goto(f"{live_server}{path}")
        _open_everything(page)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        name = f"360-{email.split('@')[0]}-{path.strip('/').replace('/', '_') or 'home'}.png"
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        if width > 360:
            wide[f"{email} {path}"] = width
    for page in pages.values():
        page.close()
    assert wide == {}
    assert errors == []
