"""The short-lived server state (``mdt.auth.state``): the same contract on the database (embedded
default) and on a real Redis (production), and web sessions kept in Redis end to end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mdt.auth.state import DatabaseState, RedisState
from tests import factories as f
from tests.conftest import make_app, need
from tests.support import redis_url

START = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["database", "redis"])
def store(request, ctx):
    if request.param == "database":
        return DatabaseState()
    url, why = redis_url()
    need("Redis", url is not None, why)
    return RedisState(url, prefix="mdt-test:")


def test_a_value_lives_until_its_deadline(store, travel):
    with travel(START):
        store.put("a", "one", 60)
        assert store.get("a") == "one"
    with travel(START + timedelta(seconds=59)):
        assert store.get("a") == "one"
    with travel(START + timedelta(seconds=61)):
        assert store.get("a") is None
    assert store.get("never") is None


def test_putting_again_replaces_the_value_and_the_deadline(store, travel):
    with travel(START):
        store.put("a", "one", 60)
    with travel(START + timedelta(seconds=50)):
        store.put("a", "two", 60)
    with travel(START + timedelta(seconds=100)):
        assert store.get("a") == "two"


def test_tagged_values_and_deleting_them(store, travel):
    with travel(START):
        store.put("s1", "x", 60, tag="member:1")
        store.put("s2", "y", 10, tag="member:1")
        store.put("s3", "z", 60, tag="member:2")
        assert store.tagged("member:1") == {"s1": "x", "s2": "y"}
    with travel(START + timedelta(seconds=20)):
        assert store.tagged("member:1") == {"s1": "x"}  # s2 expired
        store.delete("s1")
        assert store.tagged("member:1") == {} and store.get("s3") == "z"


def test_a_counter_counts_in_a_window_that_starts_at_the_first_count(store, travel):
    with travel(START):
        assert [store.incr("c", 60) for _ in range(3)] == [1, 2, 3]
    with travel(START + timedelta(seconds=59)):
        assert store.incr("c", 60) == 4 and store.count("c") == 4
    with travel(START + timedelta(seconds=61)):
        assert store.count("c") == 0
        assert store.incr("c", 60) == 1
    assert store.count("other") == 0


def test_the_beat_task_sweeps_what_expired_from_the_database(ctx, travel):
    from workers.tasks import purge_expired_state

    store = DatabaseState()
    with travel(START):
        store.put("old", "x", 10)
        store.put("new", "y", 1000)
    with travel(START + timedelta(seconds=20)):
        assert purge_expired_state() == 1
        assert store.get("new") == "y"


@pytest.mark.redis
def test_web_sessions_kept_in_redis(database_template, tmp_path, ctx):
    url, why = redis_url()
    need("Redis", url is not None, why)
    world = f.World.build()
    case = f.case(world["social"])
    from mdt.extensions import db

    db.session.commit()
    app = make_app(database_template, tmp_path, MDT_REDIS_URL=url)
    browser, copy = app.test_client(), app.test_client()
    assert (
        browser.post("/login", data={"email": "social@test.org", "password": f.PASSWORD}).status_code == 302
    )
    import redis

    keys = redis.Redis.from_url(url).keys("mdt:session:*")
    assert len(keys) == 1  # in Redis, not in the database
    with app.app_context():
        from mdt.auth.models import ServerState

        assert db.session.query(ServerState).count() == 0
    copy.set_cookie("mdt", browser.get_cookie("mdt").value)
    assert copy.get(f"/cases/{case.id}").status_code == 200
    browser.post("/logout")
    assert copy.get(f"/cases/{case.id}").status_code == 302
