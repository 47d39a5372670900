"""The upgrade check (docs/deploy.md, "Upgrading without downtime"): can the previous release keep
serving while this release's migrations have already run?

It takes the previous release's tree out of git (the commit in .ci/previous-release, or
``--previous``), and runs that release's OWN tests of the web pages and the JSON API, through its
own app and its own test client, against a database that THIS tree's migrations built (the old
conftest's ``_upgrade`` is swapped for ``flask --app mdt db upgrade`` of this tree:
scripts/upgrade_plugin.py). A migration that drops, renames or retypes something the previous
release still uses, or adds a NOT NULL column it does not fill, fails here.

    .venv/bin/python scripts/upgrade_check.py                  # previous release from .ci/previous-release
    .venv/bin/python scripts/upgrade_check.py --previous 1b47959 tests/test_web.py   # other tests

Database: with ``MDT_TEST_DATABASE_URL`` pointing at PostgreSQL, a database of its own,
``<name>_upgrade`` on the same server (made and dropped by that role: it needs CREATEDB);
otherwise a SQLite file in a temporary folder. Exits with the old tests' status (0: all passed).
The other half, this release's code on this schema, is the ordinary test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS_RELEASE_FILE = ROOT / ".ci" / "previous-release"

# The previous release's tests that drive its web pages and API through its test client: signing
# in, the home page, intake and the duplicate check, a case's page, notes, stages, episodes,
# assessment, plan and team, the directory, the API's cases and notes, legal matters, hearings
# and deadlines (pages, API, calendar feed), and notes and visits through the field devices' sync.
# 43 tests: about 35 s on SQLite and 55 s on PostgreSQL on the idle two-core development machine,
# up to three times that when it is busy (docs/reliability.md).
DEFAULT_TESTS = (
    "tests/test_web.py",
    "tests/test_api.py",
    "tests/test_legal.py::test_hearings",
    "tests/test_legal.py::test_api_contract",
    "tests/test_legal.py::test_web_pages",
    "tests/test_legal.py::test_calendar_pages_and_feed",
    "tests/test_legal.py::test_court_support_and_attendance",
    "tests/test_field_sync.py::test_fields_nobody_touched_are_applied_and_a_clash_is_held",
    "tests/test_field_sync.py::test_visits_and_notes_come_through_sync",
)


def previous_release() -> str:
    for line in PREVIOUS_RELEASE_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            return line
    raise SystemExit(f"{PREVIOUS_RELEASE_FILE} names no commit")


def resolve(commit: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(
            f"commit {commit} is not in this clone's history (a shallow CI checkout needs "
            "`git fetch --unshallow` or a fetch depth that reaches the previous release)"
        )
    return result.stdout.strip()


def extract(commit: str, into: Path) -> None:
    into.mkdir(parents=True)
    archive = subprocess.Popen(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit], stdout=subprocess.PIPE
    )
    untar = subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout)
    assert archive.stdout is not None
    archive.stdout.close()
    if archive.wait() != 0 or untar.returncode != 0:
        raise SystemExit(f"could not extract {commit} with git archive")


def head_of(tree: Path) -> str:
    heads = ScriptDirectory(str(tree / "migrations")).get_heads()
    if len(heads) != 1:
        raise SystemExit(f"{tree / 'migrations'} has {len(heads)} heads: {heads}")
    return heads[0]


def scratch_postgres(url: str) -> tuple[str, str]:
    """A fresh database next to the test database: (its URL, the maintenance URL to drop it)."""
    base = make_url(url)
    name = f"{base.database}_upgrade"
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False), admin


def drop_postgres(url: str, admin: str) -> None:
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--previous", help="the previous release's commit (default: .ci/previous-release)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (and print it)")
    parser.add_argument(
        "tests", nargs="*", help="the previous release's tests to run (default: its web and API tests)"
    )
    args = parser.parse_args()

    commit = resolve(args.previous or previous_release())
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="mdt-upgrade-"))
    old = work / "previous"
    target, admin = ("", "")
    try:
        extract(commit, old)
        old_head, new_head = head_of(old), head_of(ROOT)
        pg_url = os.environ.get("MDT_TEST_DATABASE_URL") or ""
        if pg_url.startswith("postgresql"):
            target, admin = scratch_postgres(pg_url)
        where = f"PostgreSQL database {make_url(target).database}" if target else "SQLite"
        print(
            f"upgrade check: the release at {commit[:10]} (migrations head {old_head}) on the schema "
            f"of this tree's migrations (head {new_head}), {where}",
            flush=True,
        )
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("MDT_DATABASE_URL", "PYTEST_ADDOPTS")
        }
        env.update(
            PYTHONPATH=os.pathsep.join([str(old), str(ROOT / "scripts")]),
            MDT_TEST_DATABASE_URL=target,
            MDT_INSTANCE_PATH=str(work / "instance"),
            MDT_UPGRADE_NEW_ROOT=str(ROOT),
            MDT_UPGRADE_OLD_ROOT=str(old),
            MDT_UPGRADE_HEAD=new_head,
        )
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "upgrade_plugin"]
        command += ["-m", "not browser", *(args.tests or DEFAULT_TESTS)]
        status = subprocess.run(command, cwd=old, env=env).returncode
    finally:
        if target:
            drop_postgres(target, admin)
        if args.keep:
            print(f"kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    verdict = "passed" if status == 0 else f"FAILED (pytest exit status {status})"
    print(f"upgrade check {verdict} in {time.monotonic() - started:.0f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
