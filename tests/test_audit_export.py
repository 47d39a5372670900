"""The audit trail stays append-only (UPDATE, DELETE and, on PostgreSQL, TRUNCATE refused; the app's
database role cannot drop the guard), and its export for a period is signed with a SHA-256 chain
(issue 12, section 2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from mdt.audit.services import record
from mdt.extensions import db
from mdt.privacy import audit_export
from tests import factories as f
from tests.conftest import PG_URL, need

SECRET_NOTE = "She is staying at her aunt's house in Ban Nong Khai"


@pytest.fixture
def exported(world, client):
    case = f.case(world["social"])
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    client.post(f"/cases/{case.id}/notes", data={"body": SECRET_NOTE})
    client.get(f"/cases/{case.id}")
    client.post("/logout")
    client.post("/login", data={"email": "admin@test.org", "password": f.PASSWORD})
    r = client.get("/privacy/audit-export.csv?from=2026-06-01&to=2026-06-30")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    return r.get_data(as_text=True)


def test_the_export_holds_the_period_and_no_case_content(exported):
    assert "case.read" in exported and "note.create" in exported and "auth.login" in exported
    assert SECRET_NOTE not in exported and "Ban Nong Khai" not in exported
    ok, message = audit_export.verify(exported)
    assert ok, message


def test_a_removed_or_changed_line_breaks_the_chain(exported):
    lines = exported.splitlines(keepends=True)
    removed = "".join(lines[:4] + lines[5:])
    ok, message = audit_export.verify(removed)
    assert not ok and "line 5" in message
    changed = "".join(lines).replace("note.create", "note.read", 1)
    assert not audit_export.verify(changed)[0]
    cut = "".join(lines[:-2] + lines[-1:])  # the last event gone, the closing line kept
    assert not audit_export.verify(cut)[0]
    assert not audit_export.verify("".join(lines[:-1]))[0]  # no closing line


def test_a_recomputed_file_is_not_the_recorded_export(exported, world):
    ok, _m = audit_export.verify(exported)
    final = exported.splitlines()[-1].rsplit("final_hash=", 1)[-1]
    assert ok and audit_export.recorded(final) is not None
    assert audit_export.recorded("0" * 64) is None


def test_the_commands_export_and_verify(world, runner, tmp_path):
    record(world["social"], "case.read", world["social"])
    db.session.commit()
    out = tmp_path / "audit.csv"
    result = runner.invoke(
        args=[
            "audit",
            "export",
            "--mdt",
            world.mdt.code,
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-30",
            "--out",
            str(out),
        ]
    )  # noqa: E501
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["audit", "verify", str(out)]).exit_code == 0
    lines = out.read_text().splitlines(keepends=True)
    (tmp_path / "cut.csv").write_text("".join(lines[:2] + lines[3:]))
    result = runner.invoke(args=["audit", "verify", str(tmp_path / "cut.csv")])
    assert result.exit_code != 0 and "BROKEN" in result.output


@pytest.mark.parametrize(
    "email, status", [("admin@test.org", 200), ("coord@test.org", 403), ("social@test.org", 403)]
)
def test_only_administrators_export(world, client, email, status):
    client.post("/login", data={"email": email, "password": f.PASSWORD})
    assert client.get("/privacy/audit-export").status_code == status
    assert client.get("/privacy/audit-export.csv").status_code == status


def test_an_impossible_period_is_a_clear_refusal(world, client):
    client.post("/login", data={"email": "admin@test.org", "password": f.PASSWORD})
    r = client.get("/privacy/audit-export.csv?from=2026-06-30&to=2026-06-01")
    assert r.status_code == 422 and "on or before" in r.get_data(as_text=True)


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"])
def test_update_and_delete_are_refused_by_the_database(world, statement):
    record(world["social"], "case.read", world["social"])
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE: the PostgreSQL pass of the suite runs this")
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_event"))
    db.session.rollback()


@pytest.mark.postgres
def test_the_app_role_cannot_change_the_audit_or_drop_its_guard(world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's: the PostgreSQL pass of the suite runs this")
    owner = create_engine(PG_URL)
    with owner.connect() as conn:
        has_role = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = 'mdt_app'")).first()
    need("the mdt_app role", has_role is not None, "bash .ci/services.sh creates it")
    grants = (Path(__file__).parent.parent / "scripts" / "app-role.sql").read_text()
    sql = "\n".join(line for line in grants.splitlines() if not line.lstrip().startswith("--"))
    with owner.begin() as conn:
        for statement in (part.strip() for part in sql.split(";")):
            if statement:
                conn.execute(text(statement))
    record(world["social"], "case.read", world["social"])
    db.session.commit()
    with owner.connect() as conn:
        conn.execute(text("SET ROLE mdt_app"))
        conn.execute(
            text(
                "INSERT INTO audit_event (at, action, object_type, via, detail) "
                "VALUES (now(), 'x', 'none', 'task', '{}')"
            )
        )
        for statement in (
            "UPDATE audit_event SET action = 'x'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
            "DROP TRIGGER audit_event_no_change ON audit_event",
            "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate",
        ):
            conn.execute(text("SAVEPOINT s"))
            with pytest.raises(DBAPIError):
                conn.execute(text(statement))
            conn.execute(text("ROLLBACK TO SAVEPOINT s"))
        conn.rollback()
    owner.dispose()
    assert os.environ.get("MDT_TEST_DATABASE_URL")
