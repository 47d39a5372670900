"""The case list and the case page make the same number of SQL queries as data grows."""

import re
from datetime import date

from sqlalchemy import select

from mdt.demo.data import add_synthetic_cases
from mdt.extensions import db
from mdt.legal.models import LegalMatter
from mdt.reports import services as reports
from tests import factories as f
from tests.support import capture_statements, measure


def test_query_counts_constant(world, client, auth):
    social = world["social"]
    target = f.case(
        social,
        episodes=[
            {
                "destination_country": "SE",
                "intermediaries": [
                    {"name": "Agency A", "kind": "recruitment_agency"},
                    {"name": "Broker B", "kind": "broker"},
                ],
            }
        ],
    )
    for i in range(9):
        f.case(social, given=f"Person{i}")
    db.session.commit()
    auth.login("social@test.org")
    paths = [
        "/cases",
        f"/cases/{target.id}",
        "/",
        "/cases?q=person&stage=intake",
        "/cases?destination=SE&minor=no",
    ]
    measure(client, paths)  # warm up (first-request work such as locale loading)
    small = measure(client, paths)
    add_synthetic_cases(world.mdt, 490)
    db.session.commit()
    large = measure(client, paths)
    assert small == large
    assert all(n <= 15 for n in large.values()), large


def test_the_case_page_makes_as_many_queries_with_many_documents(world, client, auth):
    """Documents are listed on the case page: their number does not add queries (the access
    rule is asked of each, from what is already loaded)."""
    import io

    from mdt.documents import services as documents

    case = f.client_case(world)
    documents.add(world["social"], case, {"kind": "contract"}, io.BytesIO(f.png()), "one.png")
    db.session.commit()
    auth.login("lawyer@test.org")  # on the team through consent: the rule reads the consents
    path = [f"/cases/{case.id}"]
    measure(client, path)
    one = measure(client, path)
    for i in range(12):
        documents.add(world["social"], case, {"kind": "receipt"}, io.BytesIO(f.png()), f"r{i}.png")
    db.session.commit()
    assert measure(client, path) == one


def test_the_triage_queue_makes_as_many_queries_with_many_complaints(world, client, auth):
    """Issue 17: the pages of this wave keep a constant number of queries as data grows."""
    from mdt.triage import services as triage

    def complaints(n):
        for i in range(n):
            triage.receive(
                {
                    "what_happened": f"Not paid for {i + 2} months.",
                    "where": "Taichung",
                    "contact_way": "line",
                    "contact": f"noi{i}",
                    "language": "th",
                    "mdt_id": world.mdt.id,
                }
            )
        db.session.commit()

    complaints(2)
    auth.login("coord@test.org")
    paths = ["/triage", "/"]
    measure(client, paths)
    small = measure(client, paths)
    complaints(40)
    assert measure(client, paths) == small
    page = client.get("/triage").get_data(as_text=True)
    assert page.count("Taichung") >= 42 or page.count("Not paid for") >= 42, "every complaint listed"


def _legal_work(world, matters: int, hearings: int = 2) -> None:
    """``matters`` group claims of three claimants each, with ``hearings`` hearings ahead."""
    from mdt.legal import services as legal

    for m in range(matters):
        claimants = [f.client_case(world, given=f"Claimant{m}x{i}") for i in range(3)]
        matter = f.matter(world, claimants)
        for h in range(hearings):
            legal.schedule_hearing(
                world["lawyer"], matter, {"starts_at": f.at(3 + h + m), "purpose": f"Hearing {h}"}
            )
    db.session.commit()


def test_a_lawyers_pages_make_as_many_queries_with_more_matters(world, client, auth):
    """The lawyer's pages of the load test's mix ("My legal work", the matters, the calendar, a
    matter) ask the same number of queries with one group claim as with six."""
    _legal_work(world, 1)
    auth.login("lawyer@test.org")
    first = db.session.scalars(select(LegalMatter)).first()
    paths = ["/my-legal", "/matters", "/calendar", f"/matters/{first.id}", "/"]
    measure(client, paths)
    small = measure(client, paths)
    _legal_work(world, 5)
    large = measure(client, paths)
    assert small == large


# A list of bound values, as SQLite (``?, ?``) and psycopg (``%(mdt_id_1_1)s::INTEGER, ...``) get it.
IN_LIST = re.compile(r"IN \((?:(?:\?|%\(\w+\)s(?:::\w+)?)(?:, )?)+\)")


def test_the_national_dashboard_sends_the_same_sql_whatever_the_number_of_mdts(world):
    """Issue 17: a national viewer's figures over every MDT are as many statements, each as long
    (but for the lists of MDT ids), with 2 MDTs or 14: nothing is asked once per MDT."""
    ministry = f.agency(world.mdt, "Ministry of Social Development", "social_welfare", level="national")
    national = f.member(world.mdt, ministry, "ministry@test.org", ("viewer",))
    f.case(world["social"])
    db.session.commit()
    period = reports.Period(date(2026, 4, 1), date(2026, 6, 30))

    def statements() -> list[str]:
        reports.summary(national, reports.scope(national, None), period)  # loads what a commit expired
        with capture_statements() as seen:
            reports.summary(national, reports.scope(national, None), period)
        return [IN_LIST.sub("IN (...)", sql) for sql in seen]

    few = statements()
    for i in range(12):
        f.mdt(f"M{i:02d}", f"Province {i} MDT", tz="Asia/Manila" if i % 2 else "Asia/Bangkok")
    db.session.commit()
    assert len(reports.scope(national, None)) == 14
    many = statements()
    assert len(many) == len(few)
    # a second zone adds one condition per period bound, whatever the number of MDTs in it
    assert [len(sql) for sql in many] == [len(sql) for sql in statements()]
    for i in range(12, 24):
        f.mdt(f"M{i:02d}", f"Province {i} MDT", tz="Asia/Manila" if i % 2 else "Asia/Bangkok")
    db.session.commit()
    assert statements() == many
