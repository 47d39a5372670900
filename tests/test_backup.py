"""Backups (issue 17, section 4): ``flask backup`` then ``flask restore`` into a new database gives
back every row, the audit trail's hash chain and every document's file, and a restore that differs
(an audit row changed, a file gone, a damaged dump) is reported as a failure.

On PostgreSQL (``MDT_TEST_DATABASE_URL``) through pg_dump and pg_restore into a database created
for the test; on the SQLite pass through SQLite's online backup API."""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import shutil
import sqlite3

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mdt.audit import chain
from mdt.audit.services import record
from mdt.backup import services as backups
from mdt.documents import services as documents
from mdt.documents import storage
from mdt.extensions import db
from tests import factories as f
from tests.conftest import need


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return {
                t: connection.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


def _head(url: str) -> chain.Head:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return chain.head(connection)
    finally:
        engine.dispose()


@pytest.fixture
def target(database_template, tmp_path):
    """The URL of a new, empty database to restore into, removed afterwards."""
    kind, source = database_template
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    need("pg_dump and pg_restore", bool(shutil.which("pg_dump") and shutil.which("pg_restore")))
    url = make_url(source)
    name = f"{url.database}_restore_{secrets.token_hex(4)}"
    admin = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))  # the mdt role has CREATEDB
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tamper_audit(url: str) -> None:
    """Change one audit row behind the guards' back (the restored copy's owner can lift them)."""
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_update"))
        else:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change"))
        first = connection.execute(text("SELECT min(id) FROM audit_event")).scalar_one()
        connection.execute(
            text("UPDATE audit_event SET action = 'case.viewed' WHERE id = :id"), {"id": first}
        )
    engine.dispose()


def test_a_backup_restores_into_a_new_database_and_is_verified(world, app, runner, target, tmp_path):
    for given in ("Malee", "Somchai", "Ana"):
        f.client_case(world, given=given)
    case = f.client_case(world, given="Dao")
    paper = f.pdf(2)
    document = documents.add(world["social"], case, {"kind": "receipt"}, io.BytesIO(paper), "fee.pdf")
    db.session.commit()
    blob = document.current.blob
    assert blob
    source_url = app.config["SQLALCHEMY_DATABASE_URI"]
    before = _counts(source_url)

    out = tmp_path / "backup"
    made = runner.invoke(args=["backup", "--out", str(out)])
    assert made.exit_code == 0, made.output
    manifest = json.loads((out / backups.MANIFEST).read_text())
    assert manifest["tables"] == before  # counted in the dump's own snapshot
    assert manifest["tables"]["document_version"] == 1 and manifest["tables"]["case_file"] >= 4
    assert manifest["alembic_revision"] and manifest["audit"]["rows"] == before["audit_event"]
    assert manifest["files"]["missing"] == []
    sealed = {item["name"]: item for item in manifest["files"]["items"]}
    with storage.storage().open(blob) as kept:
        assert sealed[blob]["sha256"] == hashlib.sha256(kept.read()).hexdigest()
    # The backup itself is on the trail, after the snapshot it describes.
    assert _counts(source_url)["audit_event"] == before["audit_event"] + 1
    assert paper not in (out / backups.FILES).read_bytes()  # the files stay sealed

    files_dir = tmp_path / "files"
    restored = runner.invoke(
        args=["restore", str(out), "--database-url", target, "--files-dir", str(files_dir)]
    )
    assert restored.exit_code == 0, restored.output
    assert "VERIFIED" in restored.output and "FAIL" not in restored.output
    # Checked here too, not only by the command: every table, the chain, the file's bytes.
    assert _counts(target) == before
    assert _head(target).as_dict() == manifest["audit"]
    with storage.storage().open(blob) as kept:
        assert (files_dir / blob[:2] / blob).read_bytes() == kept.read()

    again = runner.invoke(args=["restore", str(out), "--database-url", target, "--files-dir", str(files_dir)])
    assert again.exit_code != 0 and "has tables" in again.output

    # A file gone from the restored store: the check fails, and the command exits non-zero.
    (files_dir / blob[:2] / blob).unlink()
    missing = runner.invoke(
        args=["restore", str(out), "--database-url", target, "--files-dir", str(files_dir), "--verify-only"]
    )
    assert missing.exit_code != 0, missing.output
    assert f"FAIL files: {blob}: missing" in missing.output and "OK   audit chain" in missing.output
    # --force restores over what is there (the files into another folder this time).
    report = backups.restore(out, target, storage.LocalStorage(tmp_path / "files2"), force=True)
    assert report.ok, report.checks

    # One audit row changed in the restored database: the chain no longer ends where it did.
    _tamper_audit(target)
    changed = runner.invoke(
        args=[
            "restore",
            str(out),
            "--database-url",
            target,
            "--files-dir",
            str(tmp_path / "files2"),
            "--verify-only",
        ]
    )
    assert changed.exit_code != 0, changed.output
    assert "FAIL audit chain" in changed.output and "OK   row counts" in changed.output


def test_a_damaged_backup_is_refused_before_anything_is_restored(world, runner, target, tmp_path):
    f.client_case(world)
    db.session.commit()
    out = tmp_path / "backup"
    assert runner.invoke(args=["backup", "--out", str(out)]).exit_code == 0
    manifest = json.loads((out / backups.MANIFEST).read_text())
    dump = out / manifest["database"]["file"]
    good = dump.read_bytes()
    data = bytearray(good)
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    files = ["--files-dir", str(tmp_path / "files")]
    result = runner.invoke(args=["restore", str(out), "--database-url", target, *files])
    assert result.exit_code != 0 and "FAIL backup: database file" in result.output
    assert _counts(target) == {}  # nothing was restored

    # A manifest that promised other counts: restored, but not verified.
    dump.write_bytes(good)
    manifest["tables"]["case_file"] += 1
    (out / backups.MANIFEST).write_text(json.dumps(manifest))
    result = runner.invoke(args=["restore", str(out), "--database-url", target, *files])
    assert result.exit_code != 0 and "does NOT match the backup" in result.output
    assert "FAIL row counts: case_file: " in result.output and "OK   audit chain" in result.output


def test_the_backup_refuses_a_directory_that_is_not_empty_and_a_foreign_kind(app, tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x").write_text("x")
    with app.app_context():
        with pytest.raises(backups.BackupError, match="not an empty directory"):
            backups.backup(app.config["SQLALCHEMY_DATABASE_URI"], storage.storage(), tmp_path / "old")
    manifest_dir = tmp_path / "sqlite-backup"
    manifest_dir.mkdir()
    (manifest_dir / backups.MANIFEST).write_text(
        json.dumps({"format": backups.FORMAT, "database": {"kind": "sqlite"}})
    )
    with pytest.raises(backups.BackupError, match="cannot be restored into postgresql"):
        backups.restore(manifest_dir, "postgresql://u:p@localhost/x", storage.LocalStorage(tmp_path / "f"))


def test_the_password_goes_to_pg_tools_by_the_environment_only():
    env, name = backups._pg_env("postgresql://mdt:s3cret@db.example:6543/mdt?sslmode=require")
    assert name == "mdt"
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"], env["PGSSLMODE"]) == (
        "db.example",
        "6543",
        "mdt",
        "s3cret",
        "require",
    )


def test_the_chain_over_the_table_sees_any_column(ctx, world, tmp_path):
    f.client_case(world)
    record(world["social"], "case.viewed", detail={"ids": [1, 2]})
    db.session.commit()
    url = ctx.config["SQLALCHEMY_DATABASE_URI"]
    first = _head(url)
    assert first.rows > 0 and first.head != chain.TABLE_SEED
    if not url.startswith("sqlite"):
        return  # changing a row on PostgreSQL is the restore test's job (a copy, not this database)
    copy = tmp_path / "copy.sqlite3"
    source = sqlite3.connect(make_url(url).database)
    with sqlite3.connect(copy) as target_db:
        source.backup(target_db)
        target_db.execute("DROP TRIGGER audit_event_no_update")
        target_db.execute(
            "UPDATE audit_event SET detail = '{\"ids\": [1]}' WHERE id = (SELECT max(id) FROM audit_event)"
        )
    source.close()
    changed = _head(f"sqlite:///{copy}")
    assert changed.rows == first.rows and changed.head != first.head
