"""The case list and the case page make the same number of SQL queries as data grows."""

from contextlib import contextmanager

from sqlalchemy import event

from mdt.demo.data import add_synthetic_cases
from mdt.extensions import db
from tests import factories as f


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*args, **kwargs):
        counter["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _measure(client, paths):
    counts = {}
    for path in paths:
        with count_queries() as c:
            r = client.get(path)
            assert r.status_code == 200, path
        counts[path] = c["n"]
    return counts


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
    _measure(client, paths)  # warm up (first-request work such as locale loading)
    small = _measure(client, paths)
    add_synthetic_cases(world.mdt, 490)
    db.session.commit()
    large = _measure(client, paths)
    assert small == large
    assert all(n <= 15 for n in large.values()), large
