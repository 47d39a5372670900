"""Test fixtures. Each test gets a fresh app and database:

- SQLite (default): the migrations run once into a template file, copied for every test.
- PostgreSQL (``MDT_TEST_DATABASE_URL``): the migrations run once; every table is truncated after
  each test.

``MDT_REQUIRE_SERVICES=1`` (set by CI) turns a missing PostgreSQL, Redis or Chromium into a failure
instead of a skip.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-test-instance-"))
os.environ.pop("MDT_DATABASE_URL", None)
os.environ.pop("MDT_REDIS_URL", None)

from datetime import UTC

from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402

PG_URL = os.environ.get("MDT_TEST_DATABASE_URL") or None
REQUIRE = os.environ.get("MDT_REQUIRE_SERVICES") == "1"

BASE_CONFIG = {
    "TESTING": True,
    "MDT_ENV": "testing",
    "WTF_CSRF_ENABLED": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    # Account mail (a reset link, a new browser) composed and sent within the request, not by a
    # worker (tests/test_account_mail.py also runs the Celery task itself).
    "MDT_ACCOUNT_MAIL_INLINE": True,
}


def need(what: str, available: bool, why: str = "") -> None:
    """Skip (locally) or fail (in CI) when a real service is missing."""
    if available:
        return
    message = f"{what} is not available{': ' + why if why else ''}"
    if REQUIRE:
        pytest.fail(message + " (MDT_REQUIRE_SERVICES=1: CI must not skip)")
    pytest.skip(message)


def _upgrade(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


# Tables the migrations fill with data (the rule packs): restored after each test's truncation.
SEED_TABLES = ("deadline_rule",)
_SEEDS: dict[str, list[dict]] = {}


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _upgrade(PG_URL)
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            for table in SEED_TABLES:
                _SEEDS[table] = [dict(r._mapping) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
        engine.dispose()
        return ("postgresql", PG_URL)
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    _upgrade(f"sqlite:///{path}")
    return ("sqlite", path)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            # The audit trail refuses TRUNCATE (migration 0014): the test database's owner lifts
            # that for the cleanup between tests only, inside this transaction.
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate"))
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_truncate"))
        from sqlalchemy import MetaData

        meta = MetaData()
        meta.reflect(conn, only=list(_SEEDS))
        for table, rows in _SEEDS.items():
            if rows:
                conn.execute(meta.tables[table].insert(), rows)
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f'(SELECT max(id) FROM "{table}"))'
                    )
                )
    engine.dispose()


def make_app(database_template, tmp_path, **config):
    kind, source = database_template
    if kind == "sqlite":
        target = tmp_path / "test.sqlite3"
        if not target.exists():
            shutil.copy(source, target)
        url = f"sqlite:///{target}"
    else:
        url = source
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **config})


@pytest.fixture
def app(database_template, tmp_path):
    app = make_app(database_template, tmp_path)
    # The instance folder is the session's; each test starts with an empty mail and SMS outbox.
    shutil.rmtree(os.path.join(app.instance_path, "outbox"), ignore_errors=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if database_template[0] == "postgresql":
        _truncate_all(database_template[1])


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def web_app(database_template, tmp_path, app):
    """A second app on the same database, serving the test client's requests.

    Requests then run in their own app context and database session, as they would in a server
    process, instead of sharing the test's session (which would hide a missing commit or a query
    answered from the identity map)."""
    served = make_app(database_template, tmp_path)
    yield served
    with served.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(ctx):
    """A small MDT with agencies and one member per role, plus a second MDT."""
    from tests import factories as f

    return f.World.build()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "correct-horse-battery"):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


# Every test runs on the same calendar: the clock starts at this instant (a Monday morning in
# Bangkok, no public holiday near it) and then ticks on, so dates, weekdays and holidays never
# depend on the day the suite runs. Tests that start other processes (Celery workers, gunicorn),
# which the frozen clock does not reach, are marked ``real_clock``.
SUITE_STARTS = "2026-06-15T03:00:00+00:00"


@pytest.fixture(autouse=True)
def _suite_clock(request):
    if request.node.get_closest_marker("real_clock"):
        yield
        return
    import time_machine

    with time_machine.travel(SUITE_STARTS, tick=True):
        yield


@pytest.fixture
def travel():
    """Freeze the clock at an instant given in any zone, with the server's own zone left at UTC
    (time-machine would otherwise move the process into the zone of the datetime given)::

        with travel(datetime(2026, 12, 3, 6, 30, tzinfo=ZoneInfo("Asia/Bangkok"))): ...
    """
    import contextlib

    import time_machine

    @contextlib.contextmanager
    def frozen(instant):
        with time_machine.travel(instant.astimezone(UTC), tick=False):
            yield

    return frozen


@pytest.fixture
def live_server(web_app, world):
    """The app served on loopback by a real HTTP server (browser journeys, schemathesis)."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, web_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def pytest_collection_modifyitems(config, items):
    """Every test that drives Chromium is marked ``browser`` (the PostgreSQL pass of CI leaves
    them to the SQLite pass: scripts/run-tests)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
