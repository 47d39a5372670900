"""Name search at national size (issue 17): a substring of the full name, in Thai as in Latin
script, on every database; a misspelt name and a misspelt duplicate at intake on PostgreSQL
(pg_trgm, migration 0028). The need-to-know rule still decides whose names are searched."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from mdt.cases import services
from mdt.extensions import db
from tests import factories as f


def _ids(user, q):
    return {c.id for c, _ in services.list_cases(user, services.CaseFilters(q=q))[0]}


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def test_a_substring_of_the_full_name_in_thai_and_latin_script(world):
    thai = f.case(world["social"], given="สมชาย", family="ใจดี", sex="male")
    latin = f.case(world["social"], given="Maria", family="Dela Cruz")
    user = world["social"]
    assert _ids(user, "ชาย") == {thai.id}  # inside the given name
    assert _ids(user, "สมชาย ใจ") == {thai.id}  # across given and family name
    assert _ids(user, "la cr") == {latin.id}
    assert _ids(user, "MARIA DELA") == {latin.id}
    assert _ids(user, "%") == set()  # a LIKE wildcard is a character like any other
    assert _ids(user, "_") == set()


def test_names_of_cases_the_member_may_not_read_are_not_searched(world):
    f.case(world["social"], given="สมหญิง", family="ลับ")
    assert _ids(world["coord_labour"], "สมหญิง") == set()


def test_a_misspelt_name_is_found_on_postgresql(world):
    if not _postgresql():
        pytest.skip("trigram search needs PostgreSQL (SQLite searches substrings only)")
    somchai = f.case(world["social"], given="Somchai", family="Jaidee", sex="male")
    thai = f.case(world["social"], given="สมชาย", family="ใจดี", sex="male")
    f.case(world["social"], given="Maria", family="Santos")
    user = world["social"]
    assert _ids(user, "Somchay") == {somchai.id}
    assert _ids(user, "Jaideee") == {somchai.id}
    assert _ids(user, "สมชาบ") == {thai.id}  # one letter wrong
    assert _ids(user, "Xyzzyq") == set()


def test_a_misspelt_duplicate_at_intake_on_postgresql(world):
    if not _postgresql():
        pytest.skip("trigram similarity needs PostgreSQL (SQLite compares names exactly)")
    person = f.case(world["social"], given="Somchai", family="Jaidee", person={"date_of_birth": "1990-04-05"})
    found = services.possible_duplicates(world.mdt.id, "Somchay", "Jaidi", date(1990, 4, 5), None)
    assert [p.id for p in found] == [person.person_id]
    # Another date of birth: not the same person, however close the name.
    assert services.possible_duplicates(world.mdt.id, "Somchay", "Jaidi", date(1990, 4, 6), None) == []


def test_the_trigram_indexes_exist_on_postgresql(world):
    if not _postgresql():
        pytest.skip("PostgreSQL only")
    names = set(
        db.session.scalars(
            text("SELECT indexname FROM pg_indexes WHERE indexname IN (:a, :b)"),
            {"a": "ix_person_full_name_trgm", "b": "ix_case_summary_trgm"},
        )
    )
    assert names == {"ix_person_full_name_trgm", "ix_case_summary_trgm"}


def test_the_closest_name_comes_first_on_postgresql(world):
    if not _postgresql():
        pytest.skip("ordering by similarity needs PostgreSQL")
    exact = f.case(world["social"], given="Somchai", family="Jaidee", sex="male")
    near = f.case(world["social"], given="Somchai", family="Jaidi", sex="male")  # the latest
    db.session.commit()
    rows, _ = services.list_cases(world["social"], services.CaseFilters(q="Somchai Jaidee"))
    assert [c.id for c, _ in rows] == [exact.id, near.id]  # both found, the exact one first
