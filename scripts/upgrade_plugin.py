"""pytest plugin that scripts/upgrade_check.py loads into the PREVIOUS release's own test run.

The previous release's tests/conftest.py builds its database with ``_upgrade(url)`` (its own
migrations, through its own app). This plugin swaps that one function, as soon as pytest registers
the conftest, for one that migrates the same database with the NEW release's migrations (``flask
--app mdt db upgrade`` run from the new tree, in a separate process). Everything else is the old
release untouched: its ``mdt`` package, its fixtures, its factories, its tests and test client.
So the old code serves and writes against the schema the new release's migrations leave, which is
what happens between ``db upgrade`` and the restart of gunicorn (docs/deploy.md, "Upgrading without
downtime").

Environment (set by scripts/upgrade_check.py): ``MDT_UPGRADE_NEW_ROOT``, ``MDT_UPGRADE_OLD_ROOT``
(the two trees) and ``MDT_UPGRADE_HEAD`` (the new migrations' head, checked after migrating).
This module must not import ``mdt``: in this process ``mdt`` is the previous release.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

NEW_ROOT = Path(os.environ["MDT_UPGRADE_NEW_ROOT"]).resolve()
OLD_ROOT = Path(os.environ["MDT_UPGRADE_OLD_ROOT"]).resolve()
NEW_HEAD = os.environ["MDT_UPGRADE_HEAD"]

_swapped: list[str] = []
_migrated: list[str] = []


def upgrade_with_new_migrations(url: str) -> None:
    """Stands in for the old conftest's ``_upgrade``: the new tree's ``flask db upgrade``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MDT_REDIS_URL", "PYTHONPATH", "MDT_TEST_DATABASE_URL")
    }
    env.update(MDT_DATABASE_URL=url, MDT_ENV="development", PYTHONPATH=str(NEW_ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "mdt", "db", "upgrade"],
        cwd=NEW_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"the new release's migrations failed:\n{result.stderr[-4000:]}")
    engine = create_engine(url)
    with engine.connect() as conn:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    if current != NEW_HEAD:
        raise RuntimeError(f"the database is at {current} after migrating, not at {NEW_HEAD}")
    _migrated.append(current)


def pytest_plugin_registered(plugin, manager):
    path = getattr(plugin, "__file__", None)
    if not path or Path(path).resolve() != OLD_ROOT / "tests" / "conftest.py":
        return
    if not callable(getattr(plugin, "_upgrade", None)):
        raise pytest.UsageError(
            "the previous release's tests/conftest.py has no _upgrade(url): "
            "scripts/upgrade_plugin.py does not know how it builds its database"
        )
    plugin._upgrade = upgrade_with_new_migrations
    _swapped.append(path)


def pytest_collection_finish(session):
    if not _swapped:
        raise pytest.UsageError("the previous release's tests/conftest.py was never loaded")
    loaded = Path(sys.modules["mdt"].__file__ or "").resolve()
    if not loaded.is_relative_to(OLD_ROOT):
        raise pytest.UsageError(f"mdt was imported from {loaded}, not from the previous release")


def pytest_terminal_summary(terminalreporter):
    for head in _migrated:
        terminalreporter.write_line(
            f"upgrade check: database built by the new migrations of {NEW_ROOT}, at {head}"
        )


def pytest_sessionfinish(session, exitstatus):
    if session.testscollected and not _migrated:
        # Every test asks for the database; if none did, the check checked nothing.
        session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
        print("\nupgrade check: the new migrations never ran (no test built a database)")
