"""Helpers the tests share that are not fixtures: counting SQL statements, reaching the real
Redis, waiting for another process. (Test files import these, never each other.)"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager

import redis
from sqlalchemy import event

from mdt.extensions import db


@contextmanager
def capture_statements():
    """The SQL statements run inside the block, as sent: ``with capture_statements() as seen:``."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, *args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block: ``with count_queries() as c: ...; c["n"]``."""
    counter = {"n": 0}
    with capture_statements() as seen:
        try:
            yield counter
        finally:
            counter["n"] = len(seen)


def measure(client, paths) -> dict[str, int]:
    """How many statements each page (GET, answering 200) makes."""
    counts = {}
    for path in paths:
        with count_queries() as c:
            r = client.get(path)
            assert r.status_code == 200, path
        counts[path] = c["n"]
    return counts


def celery(*arguments: str) -> list[str]:
    """The command line of a Celery process of the app (``worker ...``, ``beat ...``), run with
    the tests' Python, as production runs it (deploy.md)."""
    return [sys.executable, "-m", "celery", "-A", "workers.worker", *arguments]


def redis_url() -> tuple[str | None, str]:
    """The test Redis (``MDT_TEST_REDIS_URL``), flushed, or None and why not."""
    url = os.environ.get("MDT_TEST_REDIS_URL")
    if not url:
        return None, "MDT_TEST_REDIS_URL is not set"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()
        return url, ""
    except Exception as exc:  # noqa: BLE001
        return None, str(exc)


def wait_for(app, predicate, timeout: float = 60.0):
    """Poll ``predicate`` (in a fresh session each time) until it gives something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            db.session.remove()
            value = predicate()
            if value:
                return value
        time.sleep(0.25)
    return None


def confirmed(data: dict) -> dict:
    """A form's values with the read-back confirmation a member gives after reading them back
    (``mdt.web.form_digest``); list values are several fields of one name."""

    from werkzeug.datastructures import MultiDict

    from mdt.web import form_digest

    multi = MultiDict([(k, x) for k, v in data.items() for x in (v if isinstance(v, list) else [v])])
    return {**data, "read_back": form_digest(multi)}
