"""Issue 13, section 3: a group claim's claimants in one table, saved at once: rows selected
and set together, a spreadsheet column pasted, bad input answered at its row with nothing lost
or half-saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from mdt.extensions import db
from tests import factories as f
from tests.test_browser import _login, browser  # noqa: F401  (the fixture)


@pytest.fixture
def claim(world):
    cases = [f.client_case(world, given=f"Worker{i}") for i in range(5)]
    m = f.matter(world, cases)
    db.session.commit()
    return m


def _form(m, **extra) -> dict:
    data: dict = {"row": [str(c.id) for c in m.claimants]}
    for c in m.claimants:
        data[f"status-{c.id}"] = c.status
        data[f"awarded-{c.id}"] = ""
        data[f"received-{c.id}"] = ""
    data.update(extra)
    return data


def _amounts(m, field):
    db.session.expire_all()
    return [getattr(c, field) for c in sorted(m.claimants, key=lambda c: c.id)]


def test_selected_rows_are_set_together_in_one_save(claim, client, auth):
    auth.login("lawyer@test.org")
    ids = sorted(c.id for c in claim.claimants)
    chosen = [str(i) for i in ids[:3]]
    r = client.post(
        f"/matters/{claim.id}/claimants/table",
        data=_form(claim, selected=chosen, bulk_status="won", bulk_awarded="15,000"),
    )
    assert r.status_code == 302
    assert _amounts(claim, "amount_awarded") == [Decimal("15000.00")] * 3 + [None, None]
    assert [c.status for c in sorted(claim.claimants, key=lambda c: c.id)] == ["won"] * 3 + ["active"] * 2
    assert "3 claimants updated." in client.get(f"/matters/{claim.id}").get_data(as_text=True)


def test_a_pasted_column_fills_the_rows_in_order_blank_lines_leave_a_row(claim, client, auth):
    auth.login("lawyer@test.org")
    r = client.post(
        f"/matters/{claim.id}/claimants/table",
        data=_form(claim, paste="1,000\n\n3000\tignored\n", paste_into="received"),
    )
    assert r.status_code == 302
    assert _amounts(claim, "amount_received") == [Decimal("1000.00"), None, Decimal("3000.00"), None, None]


@pytest.mark.parametrize(
    "paste, message",
    [
        ("100\nabc\n300", None),  # text in the second line: refused at that row
        ("1\n2\n3\n4\n5\n6", "6 lines pasted for 5 rows: paste one amount per row."),
    ],
)
def test_bad_paste_is_answered_in_place_and_nothing_is_saved(claim, client, auth, paste, message):
    auth.login("lawyer@test.org")
    r = client.post(f"/matters/{claim.id}/claimants/table", data=_form(claim, paste=paste))
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert paste.split("\n")[0] in html  # the pasted column is kept
    assert _amounts(claim, "amount_awarded") == [None] * 5
    if message:
        assert message in html
    else:
        second = sorted(c.id for c in claim.claimants)[1]
        row = html[html.index(f'id="aw-{second}"') - 400 : html.index(f'id="aw-{second}"') + 600]
        assert "field-error" in row


@pytest.mark.browser
def test_paste_a_column_and_watch_the_totals(live_server, browser, world):  # noqa: F811
    cases = [f.client_case(world, given=f"Picker{i}") for i in range(4)]
    m = f.matter(world, cases)
    db.session.commit()
    page = browser.new_page()
    _login(page, live_server, "lawyer@test.org")
    page.goto(f"{live_server}/matters/{m.id}#claimants")
    page.get_by_label("Paste a column of amounts").fill("10,000\n20,000\n\n5,000")
    page.get_by_role("button", name="Fill the rows from the pasted column").click()
    expect(page.locator("[data-total=awarded]")).to_contain_text("35,000")
    page.get_by_label("Select every row").check()
    page.locator("#bulk-status").select_option("settled")
    page.get_by_role("button", name="Apply to the selected rows").click()
    page.get_by_role("button", name="Save all claimants").click()
    expect(page.get_by_text("4 claimants updated.")).to_be_visible()
    db.session.expire_all()
    assert sorted(c.amount_awarded or 0 for c in m.claimants) == [0, 5000, 10000, 20000]
    assert {c.status for c in m.claimants} == {"settled"}


def test_a_row_left_as_it_was_does_not_overwrite_a_colleagues_change(claim, client, auth):
    """Review finding: one save wrote every row; a stale page undid a change saved meanwhile."""
    from mdt.legal import services as legal

    auth.login("lawyer@test.org")
    first, second = sorted(claim.claimants, key=lambda c: c.id)[:2]
    data = _form(claim)
    for c in claim.claimants:  # what the page showed
        data.update({f"was-status-{c.id}": "active", f"was-amount_awarded-{c.id}": ""})
        data.update({f"was-amount_received-{c.id}": "", f"was-loan_cancelled-{c.id}": ""})
        data.update({f"was-collateral_returned-{c.id}": ""})
    # Meanwhile a colleague settles the first claimant with an award.
    legal.update_claimant(claim_lawyer(claim), claim, first, {"status": "settled", "amount_awarded": "900"})
    db.session.commit()
    data[f"awarded-{second.id}"] = "500"  # this member changes only the second row
    assert client.post(f"/matters/{claim.id}/claimants/table", data=data).status_code == 302
    db.session.expire_all()
    assert (first.status, first.amount_awarded) == ("settled", Decimal("900.00"))
    assert second.amount_awarded == Decimal("500.00")


def claim_lawyer(claim):
    from mdt.directory.models import Member

    return db.session.scalars(db.select(Member).where(Member.email == "lawyer@test.org")).one()


def test_values_for_the_selected_rows_with_no_row_selected_are_refused(claim, client, auth):
    auth.login("lawyer@test.org")
    r = client.post(f"/matters/{claim.id}/claimants/table", data=_form(claim, bulk_awarded="100"))
    assert r.status_code == 422 and "Select the rows this applies to." in r.get_data(as_text=True)
    assert 'value="100"' in r.get_data(as_text=True)
