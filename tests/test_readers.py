"""Who has seen this file (issue 12, section 2): every read and write of a case, by member and
agency, filterable and exportable; only its lead agency and the coordinators see it."""

from __future__ import annotations

import csv
import io

import pytest

from mdt.extensions import db
from tests import factories as f


@pytest.fixture
def case(world):
    made = f.client_case(world)  # led by social welfare, shared with the legal aid NGO
    db.session.commit()
    return made


def _sign_in(web_app, email):
    client = web_app.test_client()
    assert client.post("/login", data={"email": email, "password": f.PASSWORD}).status_code == 302
    return client


def test_reads_writes_and_lists_by_member(world, web_app, case):
    lawyer = _sign_in(web_app, "lawyer@test.org")
    assert lawyer.get(f"/cases/{case.id}").status_code == 200
    assert lawyer.get("/cases").status_code == 200  # the list shows it too
    social = _sign_in(web_app, "social@test.org")
    social.post(f"/cases/{case.id}/notes", data={"body": "Called her sister."})

    page = social.get(f"/cases/{case.id}/readers")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world["lawyer"].name in html and world["social"].name in html
    assert "saw it in a list or search" in html and "opened the case" in html and "added a note" in html

    only_lawyer = social.get(f"/cases/{case.id}/readers?member={world['lawyer'].id}").get_data(as_text=True)
    assert "added a note" not in only_lawyer and "opened the case" in only_lawyer
    changes = social.get(f"/cases/{case.id}/readers?kind=write").get_data(as_text=True)
    assert "added a note" in changes and "saw it in a list" not in changes

    r = social.get(f"/cases/{case.id}/readers.csv?agency={world.agencies['legal'].id}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert {row["member"] for row in rows} == {world["lawyer"].name}
    assert {row["action"] for row in rows} >= {"case.read", "case.list"}
    assert all(row["kind"] == "read" for row in rows)


def test_a_list_that_did_not_show_the_case_is_not_counted(world, web_app, case):
    other = f.case(world["social"])
    db.session.commit()
    lawyer = _sign_in(web_app, "lawyer@test.org")
    lawyer.get("/cases")  # shows `case` only: `other` is not shared with legal aid
    social = _sign_in(web_app, "social@test.org")
    html = social.get(f"/cases/{other.id}/readers").get_data(as_text=True)
    assert html.count("data-reader") == 1  # social welfare only (who opened it here)
    assert f'<td data-label="Member">{world["lawyer"].name}</td>' not in html


@pytest.mark.parametrize(
    "email, status",
    [("social@test.org", 200), ("coord@test.org", 200), ("lawyer@test.org", 403), ("police@test.org", 404)],
)
def test_only_the_lead_agency_and_coordinators(world, web_app, case, email, status):
    client = _sign_in(web_app, email)
    assert client.get(f"/cases/{case.id}/readers").status_code == status
    assert client.get(f"/cases/{case.id}/readers.csv").status_code == status


def test_reading_it_is_audited(world, web_app, case):
    social = _sign_in(web_app, "social@test.org")
    social.get(f"/cases/{case.id}/readers")
    html = social.get(f"/cases/{case.id}/readers").get_data(as_text=True)
    assert "read who has seen the file" in html
