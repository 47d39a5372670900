"""Keyset pagination of the case list (issue 17): ``after=`` starts a page where the previous one
ended, found through the index however deep, instead of counting past every earlier row."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from mdt import clock
from mdt.cases import services
from mdt.extensions import db
from tests import factories as f


@pytest.fixture
def five(world):
    """Five cases of the social worker's agency, changed one after the other; the last two at the
    same instant, so that the id decides between them."""
    start = clock.now() - timedelta(days=1)
    made = [f.case(world["social"], given=f"Person{i}") for i in range(5)]
    for i, case in enumerate(made):
        case.updated_at = start + timedelta(minutes=min(i, 3))
    db.session.commit()
    return made


def _ids(rows):
    return [case.id for case, _on_team in rows]


def test_a_cursor_reads_back_and_anything_else_is_none(world, five):
    case = five[2]
    assert services.read_cursor(services.cursor(case)) == (case.updated_at, case.id)
    for bad in (None, "", "x", "not base64!", "MjAyNi0wNi0xNQ", "A" * 200):
        assert services.read_cursor(bad) is None


def test_walking_by_cursor_gives_every_case_once_in_order(world, five):
    social = world["social"]
    everything, _total = services.list_cases(social, services.CaseFilters(per_page=50))
    seen, after = [], None
    for page in range(1, 5):
        rows, total = services.list_cases(social, services.CaseFilters(page=page, per_page=2, after=after))
        seen += _ids(rows)
        if len(rows) < 2:
            break
        after = services.read_cursor(services.cursor(rows[-1][0]))
    assert total == 5 and seen == _ids(everything)
    assert seen[:2] == [five[4].id, five[3].id]  # same instant: the later id first


def test_a_page_by_cursor_asks_no_offset(world, five, app):
    statements = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement, parameters))

    after = services.read_cursor(services.cursor(five[3]))
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        rows, _ = services.list_cases(world["social"], services.CaseFilters(page=2, per_page=2, after=after))
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert _ids(rows) == [five[2].id, five[1].id]
    # SQLite always writes an OFFSET after a LIMIT (0 when none is asked); PostgreSQL none.
    offsets = [params[-1] for sql, params in statements if "OFFSET" in sql.upper()]
    assert set(offsets) <= {0}


def test_a_case_changed_while_paging_is_not_shown_twice(world, five):
    """By number, a case of page 2 changed after page 1 was read pushes a case of page 1 onto
    page 2; by cursor the next page starts after the last row read."""
    social = world["social"]
    first, _ = services.list_cases(social, services.CaseFilters(per_page=2))
    five[0].updated_at = clock.now()  # the oldest moves to the top
    db.session.commit()
    after = services.read_cursor(services.cursor(first[-1][0]))
    second, _ = services.list_cases(social, services.CaseFilters(page=2, per_page=2, after=after))
    assert not set(_ids(first)) & set(_ids(second))
    assert _ids(second) == [five[2].id, five[1].id]


def test_the_api_gives_next_and_follows_it(world, five, client):
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    body = client.get("/api/v1/cases?per_page=2", headers=headers).get_json()
    walked = [item["id"] for item in body["items"]]
    while body["next"]:
        body = client.get(f"/api/v1/cases?per_page=2&page=2&after={body['next']}", headers=headers).get_json()
        walked += [item["id"] for item in body["items"]]
    assert walked == [five[4].id, five[3].id, five[2].id, five[1].id, five[0].id]
    bad = client.get("/api/v1/cases?after=nonsense", headers=headers)
    assert bad.status_code == 422 and "after" in bad.get_data(as_text=True)
    doc = client.get("/api/v1/openapi.json").get_json()
    params = {p["name"] for p in doc["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert "after" in params


def test_the_web_list_links_the_next_page_by_cursor(world, five, client, auth, web_app):
    web_app.config["MDT_PAGE_SIZE"] = 2
    auth.login(world["social"].email)
    page = client.get("/cases").get_data(as_text=True)
    link = re.search(r'href="([^"]*after=[^"]*)"[^>]*rel="next"', page)
    assert link, "the next page is linked by cursor"
    second = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Person2" in second and "Person1" in second and "Person4" not in second
    # The previous page goes back by number, and a cursor that is not one is ignored.
    assert re.search(r'href="[^"]*page=1[^"]*"[^>]*rel="prev"', second)
    assert not re.search(r'href="[^"]*after=[^"]*"[^>]*rel="prev"', second)
    forged = client.get("/cases?page=2&after=nonsense")
    assert forged.status_code == 200 and "Person2" in forged.get_data(as_text=True)
