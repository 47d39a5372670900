"""The dashboard's figures, checked against a fixed data set computed by hand, and the small-count
rule seen from each kind of reader."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from mdt.cases.models import Case
from mdt.extensions import db
from mdt.legal.models import Claimant, Deadline, LegalMatter
from mdt.meetings.models import ActionItem, Meeting
from mdt.referrals.models import Referral
from mdt.reports import export
from mdt.reports import services as reports
from mdt.reports.small import Cell, exposed, protect, protect_table
from tests import factories as f

Q2 = reports.Period(date(2026, 4, 1), date(2026, 6, 30))

# (sex, date of birth, district, source, opened on, destination, sector)
PEOPLE = [
    ("female", date(2010, 5, 1), "Chiang Kham", "outreach", date(2026, 4, 2), "MY", "domestic_work"),  # 15
    ("female", date(2000, 1, 1), "Chiang Kham", "outreach", date(2026, 4, 10), "MY", "domestic_work"),  # 26
    ("female", date(2001, 6, 1), "Chiang Kham", "hotline", date(2026, 4, 20), "MY", "agriculture"),  # 24
    ("female", date(1990, 1, 1), "Pong", "hotline", date(2026, 5, 5), "KR", "agriculture"),  # 36
    ("female", None, "Pong", "self", date(2026, 5, 6), "KR", "agriculture"),  # unknown
    ("female", date(1970, 1, 1), "Pong", "self", date(2026, 5, 30), "KR", "manufacturing"),  # 56
    ("female", date(1998, 7, 1), "Mueang", "police", date(2026, 6, 1), "TW", "manufacturing"),  # 27
    ("male", date(1985, 3, 3), "Mueang", "police", date(2026, 6, 10), "TW", "fishing"),  # 41
    ("male", date(1995, 3, 3), "Mueang", "outreach", date(2026, 6, 12), "TW", "fishing"),  # 31
    # the previous quarter, and the one before
    ("male", date(1995, 3, 3), "Mueang", "outreach", date(2026, 3, 31), "TW", "fishing"),
    ("female", date(1995, 3, 3), "Mueang", "outreach", date(2025, 12, 1), "TW", "fishing"),
]


def utc(y, m, d, h=3) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


@pytest.fixture
def data(world):
    """The fixed data set: 9 people reached in Q2 (7 women, 2 men), 1 in Q1; referrals, a
    matter, deadlines, a conference and action items."""
    made = []
    for sex, born, district, source, opened, country, sector in PEOPLE:
        person = {"sex": sex, "home_district": district}
        if born is not None:
            person["date_of_birth"] = born.isoformat()
        c = f.case(
            world["social"],
            given=f"P{len(made)}",
            sex=sex,
            source=source,
            person=person,
            episodes=[
                {"destination_country": "VN", "sector": "other"},
                {"destination_country": country, "sector": sector},
            ],
        )
        db.session.execute(update(Case).where(Case.id == c.id).values(opened_on=opened))
        made.append(c)
    sw, legal, labour = (world.agencies[k] for k in ("sw", "legal", "labour"))

    def referral(c, to, service, created, status="pending", answered=None, outcome=None, completed=None):
        db.session.add(
            Referral(
                mdt_id=world.mdt.id,
                case_id=c.id,
                from_agency_id=sw.id,
                to_agency_id=to.id,
                service=service,
                respond_by=date(2026, 7, 1),
                status=status,
                created_by_id=world["social"].id,
                created_at=created,
                answered_at=answered,
                outcome=outcome,
                completed_at=completed,
                decline_reason="No capacity" if status == "declined" else None,
            )
        )

    # made in Q2: 4 (legal: received after 2 days to answer, 10 to complete; declined after 1 day;
    # labour: received after 4 days, 20 days to complete; pending). Made in Q1, received in Q2: 1.
    referral(
        made[0],
        legal,
        "legal_aid",
        utc(2026, 4, 3),
        "completed",
        utc(2026, 4, 5),
        "received",
        utc(2026, 4, 13),
    )
    referral(made[1], legal, "legal_aid", utc(2026, 4, 11), "declined", utc(2026, 4, 12))
    referral(
        made[2],
        labour,
        "job_placement",
        utc(2026, 5, 1),
        "completed",
        utc(2026, 5, 5),
        "received",
        utc(2026, 5, 21),
    )
    referral(made[3], labour, "job_placement", utc(2026, 6, 1))
    referral(
        made[9],
        legal,
        "legal_aid",
        utc(2026, 3, 31, 3),
        "completed",
        utc(2026, 4, 1),
        "received",
        utc(2026, 4, 2),
    )
    # a referral made at 23:30 in Bangkok on 30 June (16:30 UTC) is in Q2; at 00:30 on 1 July, not
    referral(made[4], labour, "job_placement", datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
    referral(made[5], labour, "job_placement", datetime(2026, 6, 30, 17, 30, tzinfo=UTC))
    db.session.flush()
    matter = LegalMatter(
        mdt_id=world.mdt.id,
        kind="labour",
        jurisdiction="TH",
        title="Pickers v. Agency",
        stage="hearings",
        created_by_id=world["lawyer"].id,
        created_at=utc(2026, 4, 20),
    )
    db.session.add(matter)
    db.session.flush()
    for c, claimed, awarded, received, relief in (
        (made[0], "100000", "80000", "50000", True),
        (made[1], "50000", None, None, False),
        (made[2], "25000.50", "25000.50", "25000.50", False),
    ):
        db.session.add(
            Claimant(
                matter_id=matter.id,
                case_id=c.id,
                currency="THB",
                amount_claimed=Decimal(claimed),
                amount_awarded=Decimal(awarded) if awarded else None,
                amount_received=Decimal(received) if received else None,
                loan_cancelled=relief,
            )
        )
    for due, status, done in (
        (date(2026, 5, 1), "done", utc(2026, 4, 30, 16)),  # 23:00 on 30 April in Bangkok: met
        (date(2026, 5, 2), "done", utc(2026, 5, 2, 18)),  # 01:00 on 3 May in Bangkok: late, missed
        (date(2026, 5, 3), "missed", None),
        (date(2026, 6, 20), "open", None),
        (date(2026, 7, 2), "open", None),  # after the period
    ):
        db.session.add(Deadline(matter_id=matter.id, title="Appeal", due_on=due, status=status, done_at=done))
    for starts, kind, status in (
        (utc(2026, 5, 10), "case_conference", "published"),
        (utc(2026, 6, 10), "case_conference", "published"),
        (utc(2026, 6, 12), "case_conference", "draft"),
        (utc(2026, 6, 13), "regular", "published"),
        (utc(2026, 6, 29), "case_conference", "published"),  # after "now" (15 June): not held yet
    ):
        db.session.add(
            Meeting(
                mdt_id=world.mdt.id,
                title="Conference",
                kind=kind,
                starts_at=starts,
                host_agency_id=sw.id,
                status=status,
                created_by_id=world["coordinator"].id,
            )
        )
    for due, done in (
        (date(2026, 5, 1), utc(2026, 4, 30)),
        (date(2026, 5, 1), utc(2026, 5, 3)),
        (date(2026, 6, 1), None),
    ):
        db.session.add(
            ActionItem(
                mdt_id=world.mdt.id,
                title="Call",
                owner_agency_id=sw.id,
                due_on=due,
                done_at=done,
                created_by_id=world["coordinator"].id,
            )
        )
    db.session.commit()
    return made


def test_protect_hides_small_cells_and_their_complement():
    cells = {"female": Cell(12), "male": Cell(3), "other": Cell(0)}
    assert protect(cells, Cell(15)) == {"female": "*", "male": "<5", "other": 0}
    # two small cells already protect each other; a big one stays
    cells = {"a": Cell(12), "b": Cell(3), "c": Cell(2)}
    assert protect(cells, Cell(17)) == {"a": 12, "b": "<5", "c": "<5"}
    # counted people all on the reader's teams: shown as they are
    assert protect({"a": Cell(12, 12), "b": Cell(3, 3)}, Cell(15, 15)) == {"a": 12, "b": 3}
    # a small total is hidden itself: nothing is left to subtract from
    assert protect({"a": Cell(3), "b": Cell(0)}, Cell(3)) == {"a": "<5", "b": 0}


def test_two_hidden_cells_cannot_be_worked_out_from_the_total():
    """Security review, issue 14: 7 women, 1 man, 1 "other" in a shown total of 9. The two
    hidden cells add up to 2, and a hidden cell is never 0, so each would be exactly 1."""
    cells = {"female": Cell(7), "male": Cell(1), "other": Cell(1)}
    assert protect(cells, Cell(9)) == {"female": "*", "male": "<5", "other": "<5"}
    # two "<5" cells adding up to 8 are both 4: the next cell is hidden too
    cells = {"a": Cell(20), "b": Cell(10), "c": Cell(4), "d": Cell(4)}
    assert protect(cells, Cell(38)) == {"a": 20, "b": "*", "c": "<5", "d": "<5"}
    # a "*" is at least 5 to a careful reader: 1 beside a "*" in a total of 6 is exactly 1
    cells = {"a": Cell(30), "b": Cell(5), "c": Cell(1)}
    assert protect(cells, Cell(36)) == {"a": "*", "b": "*", "c": "<5"}


def test_a_breakdown_that_cannot_be_protected_is_withheld():
    """5 women, 1 man, 1 "other" in a total of 7: women "*" (at least 5) leave 2 for the two
    "<5" cells, exactly 1 each. Nothing else is left to hide, so no cell is shown."""
    cells = {"female": Cell(5), "male": Cell(1), "other": Cell(1), "unknown": Cell(0)}
    assert protect(cells, Cell(7)) == dict.fromkeys(cells, "*")


def test_table_rows_and_columns_are_protected_both_ways():
    table = {
        "north": {"low": Cell(9), "high": Cell(1)},
        "south": {"low": Cell(8), "high": Cell(6)},
    }
    out = protect_table(table, ("low", "high"))
    assert out["north"]["high"] == "<5"
    for line in ([out["north"]["low"], out["north"]["high"]], [out["north"]["high"], out["south"]["high"]]):
        assert sum(1 for value in line if value in ("<5", "*")) >= 2, out
    # every row and column holds no exposed cell
    for row in table:
        assert not exposed((table[row][c].n, out[row][c]) for c in ("low", "high"))
    for col in ("low", "high"):
        assert not exposed((table[r][col].n, out[r][col]) for r in table)


def test_figures_for_a_reader_on_every_team(world, data):
    """The coordinator works in the lead agency: every case is on their team, nothing is hidden."""
    s = reports.summary(world["coordinator"], [world.mdt], Q2)
    reached = s["reached"]
    assert reached["total"] == 9 and reached["previous"] == 1
    assert reached["by_sex"] == {"female": 7, "male": 2}
    assert reached["by_age_band"] == {"0-17": 1, "18-29": 3, "30-47": 3, "48+": 1, "unknown": 1}
    assert reached["by_minor"] == {"no": 7, "yes": 1, "unknown": 1}
    assert reached["by_destination"] == {"MY": 3, "KR": 3, "TW": 3}  # the latest episode, not VN
    assert reached["by_sector"] == {"agriculture": 3, "domestic_work": 2, "fishing": 2, "manufacturing": 2}
    assert reached["by_district"] == {"Chiang Kham": 3, "Mueang": 3, "Pong": 3}
    assert reached["by_source"] == {"outreach": 3, "hotline": 2, "police": 2, "self": 2}
    assert reached["by_month"] == {"2026-04": 3, "2026-05": 3, "2026-06": 3}
    served = s["served"]
    assert served["total"] == 3 and served["previous"] == 0  # two made in Q2, one made in Q1
    assert served["by_sex"] == {"female": 2, "male": 1}
    r = s["referrals"]
    assert r["made"] == 5 and r["previous_made"] == 1
    assert r["by_status"] == {
        "pending": 2,
        "accepted": 0,
        "received": 2,
        "not_received": 0,
        "declined": 1,
        "withdrawn": 0,
        "expired": 0,
    }
    assert r["accepted"] == 2
    assert r["median_days_to_answer"] == 2.0  # 2, 1 and 4 days
    assert r["median_days_to_complete"] == 15.0  # 10 and 20 days
    assert r["by_service"]["legal_aid"] == {
        "made": 2,
        "received": 1,
        "declined": 1,
        "median_days_to_answer": 1.5,
    }
    assert r["by_service"]["job_placement"] == {
        "made": 3,
        "received": 1,
        "declined": 0,
        "median_days_to_answer": 4.0,
    }
    assert r["by_agency"]["Labour Office"]["made"] == 3
    legal = s["legal"]
    assert (
        legal["matters"] == 1 and legal["by_kind"] == {"labour": 1} and legal["by_stage"] == {"hearings": 1}
    )
    assert legal["claimants"] == 3 and legal["debt_relief"] == 1
    assert legal["amounts"] == {
        "THB": {"claimed": "175000.50", "awarded": "105000.50", "received": "75000.50"}
    }
    assert legal["deadlines"] == {"met": 1, "missed": 2, "open": 1} and legal["deadlines_due"] == 4
    assert s["meetings"] == {
        "conferences_held": 2,
        "actions_due": 3,
        "actions": {"on_time": 1, "late": 1, "open": 1},
    }
    assert s["open_too_long"]["days"] == 90
    # opened on 1 December: more than 90 days before 15 June (31 March is not)
    assert s["open_too_long"]["total"] == 1 and s["open_too_long"]["by_stage"] == {"intake": 1}


def test_figures_outside_the_teams_hide_small_counts(world, data):
    """A coordinator of another agency, and a viewer, are on none of these teams."""
    for reader in (world["coord_labour"], world["viewer"]):
        s = reports.summary(reader, [world.mdt], Q2)
        reached = s["reached"]
        assert reached["total"] == 9 and reached["previous"] == "<5"
        # the two men are hidden, and so are the women: 9 - 7 would give them away
        assert reached["by_sex"] == {"female": "*", "male": "<5"}
        assert reached["by_age_band"] == {
            "0-17": "<5",
            "18-29": "<5",
            "30-47": "<5",
            "48+": "<5",
            "unknown": "<5",
        }
        assert reached["by_district"] == {"Chiang Kham": "<5", "Mueang": "<5", "Pong": "<5"}
        assert s["served"]["total"] == "<5"
        assert s["referrals"]["median_days_to_answer"] == "<5"
        assert s["legal"]["amounts"] == {"THB": {"claimed": "<5", "awarded": "<5", "received": "<5"}}
        assert s["legal"]["claimants"] == "<5"
        assert s["meetings"]["conferences_held"] == 2  # no person is counted in these


def test_a_median_over_few_answers_is_hidden_even_when_many_were_made(world):
    """Security review, issue 14: six referrals made to one service, one answered. The median
    time to answer is that one person's exact wait; it is hidden like any count under five."""
    labour = world.agencies["labour"]
    for i in range(6):
        case = f.case(world["social"], given=f"R{i}")
        db.session.add(
            Referral(
                mdt_id=world.mdt.id,
                case_id=case.id,
                from_agency_id=world.agencies["sw"].id,
                to_agency_id=labour.id,
                service="job_placement",
                respond_by=date(2026, 9, 1),
                status="accepted" if i == 0 else "pending",
                created_by_id=world["social"].id,
                created_at=utc(2026, 8, 3),
                answered_at=utc(2026, 8, 10) if i == 0 else None,
            )
        )
    db.session.commit()
    august = reports.Period(date(2026, 8, 1), date(2026, 8, 31))
    outside = reports.summary(world["viewer"], [world.mdt], august)["referrals"]
    assert outside["by_service"]["job_placement"]["made"] == 6
    assert outside["by_service"]["job_placement"]["median_days_to_answer"] == "<5"
    assert outside["by_agency"][labour.name]["median_days_to_answer"] == "<5"
    assert outside["median_days_to_answer"] == "<5"
    inside = reports.summary(world["social"], [world.mdt], august)["referrals"]
    assert inside["by_service"]["job_placement"]["median_days_to_answer"] == 7.0


def test_a_national_viewer_sees_every_mdt_and_others_only_their_own(world, data):
    from mdt.errors import Forbidden, NotFound

    ministry = f.agency(world.mdt, "Ministry of Social Development", "social_welfare", level="national")
    national = f.member(world.mdt, ministry, "ministry@test.org", ("viewer",))
    db.session.commit()
    assert [m.id for m in reports.scope(national, None)] == sorted(
        [world.mdt.id, world.other_mdt.id], key=lambda i: db.session.get(type(world.mdt), i).name
    )
    assert reports.scope(national, world.other_mdt.id) == [world.other_mdt]
    assert reports.scope(world["viewer"], None) == [world.mdt]
    with pytest.raises(Forbidden):
        reports.scope(world["viewer"], world.other_mdt.id)
    with pytest.raises(NotFound):
        reports.scope(world["coordinator"], 999999)
    with pytest.raises(Forbidden):
        reports.scope(world["social"], None)
    both = reports.summary(national, reports.scope(national, None), Q2)
    assert both["reached"]["total"] == 9 and len(both["mdts"]) == 2


def test_the_dashboard_page(world, data, client, auth):
    auth.login("coord@test.org")
    r = client.get("/reports?from=2026-04-01&to=2026-06-30")
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html[:2000]
    assert "People reached and served" in html and '<svg class="chart"' in html
    # each count of the people reached links to the case list behind it
    assert "/cases?opened_from=2026-04-01&amp;opened_to=2026-06-30&amp;sex=female" in html
    listed = client.get("/cases?opened_from=2026-04-01&opened_to=2026-06-30&sex=female").get_data(
        as_text=True
    )
    # "P7" as a word: a random nonce or token may hold the letters.
    p7 = re.compile(r"\bP7\b")
    assert len(re.findall(r"\bP0\b", listed)) == 1
    assert not p7.search(html.split("</h1>")[0]) and not p7.search(listed)
    # the period is refused, kept and explained
    r = client.get("/reports?from=2026-06-30&to=2026-04-01")
    assert r.status_code == 422 and "The end is before the start." in r.get_data(as_text=True)
    assert 'value="2026-06-30"' in r.get_data(as_text=True)
    r = client.get("/reports?mdt_id=999999")
    assert r.status_code == 404 and "No such MDT." in r.get_data(as_text=True)
    r = client.get(f"/reports?mdt_id={world.other_mdt.id}")
    assert r.status_code == 403


def test_a_viewer_sees_figures_and_nothing_else(world, data, client, auth):
    viewer = world["viewer"]
    from mdt import policy

    case = data[0]
    for action in ("case.summary", "case.view", "case.create", "case.edit", "meeting.view", "action.close"):
        assert not policy.can(viewer, action, case if action.startswith("case.") else None), action
    assert policy.can(viewer, "report.view") and policy.can(viewer, "directory.view")
    auth.login("viewer@test.org")
    home = client.get("/").get_data(as_text=True)
    assert "This quarter&#39;s figures" in home or "This quarter's figures" in home
    assert "Register a returnee" not in home and "All cases" not in home
    html = client.get("/reports?from=2026-04-01&to=2026-06-30").get_data(as_text=True)
    assert "/cases?" not in html  # no list behind the numbers for a viewer
    assert "&lt;5" in html
    assert client.get(f"/cases/{case.id}").status_code == 403  # no case page opens for a viewer


def test_api_summary(world, data, client):
    headers = {"Authorization": f"Bearer {f.token(world['viewer'])}"}
    r = client.get("/api/v1/reports/summary?from=2026-04-01&to=2026-06-30", headers=headers)
    assert r.status_code == 200
    body = r.get_json()
    assert body["period"] == {"from": "2026-04-01", "to": "2026-06-30"}
    assert body["reached"]["total"] == 9 and body["reached"]["by_sex"] == {"female": "*", "male": "<5"}
    r = client.get("/api/v1/reports/summary?from=2026-06-30&to=2026-04-01", headers=headers)
    assert r.status_code == 422 and "to" in r.get_json()["errors"]
    r = client.get("/api/v1/reports/summary?from=2026-04-01&to=2026-06-30&mdt_id=999999", headers=headers)
    assert r.status_code == 404
    r = client.get(
        f"/api/v1/reports/summary?from=2026-04-01&to=2026-06-30&mdt_id={world.other_mdt.id}", headers=headers
    )
    assert r.status_code == 403
    social = {"Authorization": f"Bearer {f.token(world['social'])}"}
    assert (
        client.get("/api/v1/reports/summary?from=2026-04-01&to=2026-06-30", headers=social).status_code == 403
    )


def test_periods_are_whole_months(world, data, client, auth):
    """Security review, issue 14: two periods one day apart gave one day's intakes exactly. Every
    period asked for (dashboard, API, PDF, export) is widened to whole months."""
    headers = {"Authorization": f"Bearer {f.token(world['viewer'])}"}
    one = client.get("/api/v1/reports/summary?from=2026-04-10&to=2026-05-03", headers=headers).get_json()
    other = client.get("/api/v1/reports/summary?from=2026-04-10&to=2026-05-04", headers=headers).get_json()
    assert one["period"] == {"from": "2026-04-01", "to": "2026-05-31"}
    assert one["previous_period"] == {"from": "2026-02-01", "to": "2026-03-31"}
    assert one == other
    # a quarter's previous period is the quarter before, not 91 days
    body = client.get("/api/v1/reports/summary?from=2026-04-01&to=2026-06-30", headers=headers).get_json()
    assert body["previous_period"] == {"from": "2026-01-01", "to": "2026-03-31"}
    # "open too long" takes a few fixed lengths, so two answers cannot differ by a day
    r = client.get("/api/v1/reports/summary?from=2026-04-01&to=2026-06-30&open_days=91", headers=headers)
    assert r.status_code == 422 and "open_days" in r.get_json()["errors"]
    asked = export.request_export(
        world["coordinator"],
        {"kind": "deidentified", "format": "csv", "from": "2026-04-10", "to": "2026-04-11"},
    )
    assert (asked.period_from, asked.period_to) == (date(2026, 4, 1), date(2026, 4, 30))
    db.session.rollback()
    auth.login("viewer@test.org")
    page = client.get("/reports?from=2026-04-10&to=2026-05-03").get_data(as_text=True)
    assert 'value="2026-04-01"' in page and 'value="2026-05-31"' in page


def test_the_dashboard_makes_as_many_queries_whatever_the_data(world, data, client, auth):
    from tests.support import measure

    pages = ["/reports?from=2026-01-01&to=2026-06-30", "/"]
    auth.login("coord@test.org")
    measure(client, pages)  # warm: the session, the caches
    small = measure(client, pages)
    # as much again: new people, referrals and a matter, in other districts and months
    for i in range(12):
        c = f.case(
            world["social"],
            given=f"Q{i}",
            sex="male",
            person={"home_district": f"District {i}", "date_of_birth": "1990-01-01"},
            episodes=[{"destination_country": "JP", "sector": "care"}],
        )
        db.session.execute(update(Case).where(Case.id == c.id).values(opened_on=date(2026, 1 + i % 6, 3)))
    db.session.commit()
    assert measure(client, pages) == small


def test_the_quarterly_report_as_a_pdf_in_thai_and_english(world, data, client, auth):
    """The same figures and charts as the page, a table of contents, page numbers; made in the
    background with its progress shown; the small-count rule of the member who asked."""
    import io

    from pypdf import PdfReader

    from mdt.reports.models import Export
    from workers.tasks import make_export

    auth.login("viewer@test.org")
    bad = client.post("/reports/quarterly", data={"from": "2026-06-30", "to": "2026-04-01", "language": "en"})
    assert bad.status_code == 302 and "from=2026-06-30" in bad.headers["Location"]
    assert "The end is before the start." in client.get(bad.headers["Location"]).get_data(as_text=True)
    texts = {}
    for language in ("en", "th"):
        r = client.post(
            "/reports/quarterly", data={"from": "2026-04-01", "to": "2026-06-30", "language": language}
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        page = client.get(r.headers["Location"]).get_data(as_text=True)
        assert "Being made" in page or "กำลังสร้าง" in page
        made = db.session.scalars(select(Export).order_by(Export.id.desc())).first()
        assert made.kind == "quarterly" and made.language == language
        make_export(made.id)
        db.session.commit()
        pdf = client.get(f"/reports/exports/{made.id}/file")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        reader = PdfReader(io.BytesIO(pdf.data))
        assert len(reader.pages) >= 5
        texts[language] = unicodedata.normalize("NFKC", "\n".join(p.extract_text() for p in reader.pages))
    english = texts["en"]
    assert "Contents" in english and "People reached and served" in english and "Page 2 of" in english
    assert "Test Province MDT" in english and "<5" in english  # a viewer: small counts hidden
    assert "ผู้ที่" in texts["th"] or "คนที่เข้าถึง" in texts["th"]
    assert "2569" in texts["th"]  # the Buddhist era


def test_a_risk_profile_scores_the_indicators_and_the_dashboard_shows_them(world, data, client, auth):
    from mdt.cases import risk
    from mdt.errors import Forbidden, ValidationError

    # every indicator 3: index 100, high; every 1: 0, low; weights count
    every = {i["code"]: 3 for i in risk.indicators()["indicators"]}
    assert risk.index_of(every) == (100, "high")
    assert risk.index_of(dict.fromkeys(every, 1)) == (0, "low")
    assert risk.index_of({"bmn_debt": 3, "health_chronic": 1}) == (67, "high")  # weights 2 and 1
    with pytest.raises(ValidationError) as bad:
        risk.save(world["social"], data[0], {"bmn_debt": "4", "assessed_on": "2099-01-01"})
    assert set(bad.value.errors) == {"bmn_debt", "assessed_on"}
    with pytest.raises(Forbidden):
        risk.save(world["police"], data[0], {"bmn_debt": "3"})
    for case, level_scores in zip(data[:7], [3, 3, 3, 1, 1, 2, 3], strict=True):
        risk.save(world["social"], case, {"bmn_debt": str(level_scores), "assessed_on": "2026-05-01"})
    db.session.commit()
    s = reports.summary(world["coordinator"], [world.mdt], Q2)
    assert s["risk"]["total"] == 7 and s["risk"]["by_level"] == {"low": 2, "medium": 1, "high": 4}
    assert s["risk"]["by_sex"] == {"female": {"low": 2, "medium": 1, "high": 4}}
    outside = reports.summary(world["coord_labour"], [world.mdt], Q2)["risk"]
    assert outside["by_level"] == {"low": "<5", "medium": "<5", "high": "<5"}
    auth.login("social@test.org")
    page = client.get(f"/cases/{data[0].id}").get_data(as_text=True)
    assert "Vulnerability risk profile" in page and "Index 100 of 100" in page
    r = client.post(f"/cases/{data[1].id}/risk", data={"bmn_debt": "9", "health_chronic": "2"})
    assert r.status_code == 422 and "Choose 1, 2 or 3." in r.get_data(as_text=True)
    r = client.post(f"/cases/{data[1].id}/risk", data={"bmn_debt": "1", "health_chronic": "2"})
    assert r.status_code == 302


def test_a_person_with_two_cases_counts_once_and_once_in_each_group(world, data):
    """Two cases of one person opened in the quarter, in two districts, the latest episode of each
    in two countries: one more person reached, counted in each district and country."""
    first = f.case(
        world["social"],
        given="Twice",
        person={"home_district": "Pong", "date_of_birth": "1980-02-02"},
        episodes=[{"destination_country": "JP", "sector": "care"}],
    )
    second = f.case(
        world["social"],
        person_id=first.person_id,
        episodes=[{"destination_country": "SG", "sector": "care"}],
    )
    assert second.person_id == first.person_id
    for c, district, day in ((first, "Pong", date(2026, 4, 3)), (second, "Mueang", date(2026, 6, 3))):
        db.session.execute(update(Case).where(Case.id == c.id).values(opened_on=day, district=district))
    db.session.commit()
    reached = reports.summary(world["coordinator"], [world.mdt], Q2)["reached"]
    assert reached["total"] == 10
    assert reached["by_sex"] == {"female": 8, "male": 2}
    assert reached["by_sector"]["care"] == 1
    assert reached["by_district"] == {"Mueang": 4, "Pong": 4, "Chiang Kham": 3}
    assert reached["by_month"] == {"2026-04": 4, "2026-05": 3, "2026-06": 4}
    assert reached["by_destination"]["JP"] == 1 and reached["by_destination"]["SG"] == 1
