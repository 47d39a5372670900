"""A backup is a directory of three files:

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (the embedded
  default: a copy made with SQLite's online backup API, safe while the app runs);
- ``files.tar``: every file of the documents' store as it is kept, sealed (``mdt.documents.crypto``):
  the backup holds no plaintext file and no key to open one (``MDT_FILES_KEY`` is kept apart);
- ``manifest.json``: when it was made, the schema's Alembic revision, the row count of every table,
  the head of the audit trail's hash chain (``mdt.audit.chain``), and the size and SHA-256 of the
  dump, of the archive and of every file in it.

On PostgreSQL the counts and the chain head are read in the very snapshot ``pg_dump`` copies
(``pg_export_snapshot``), so they describe the dump exactly even while the app keeps writing.

A restore goes into a new, empty database only, then checks the result against the manifest:
the revision, every table's count, the audit chain recomputed end to end over the restored table,
and every file read back with its SHA-256. Any difference is a failed check."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from sqlalchemy import Connection, create_engine, inspect, or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mdt import clock
from mdt.audit import chain
from mdt.config import database_url
from mdt.documents.models import DocumentVersion
from mdt.documents.storage import Storage

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
FILES = "files.tar"
CHUNK = 1024 * 1024

# libpq reads these from the environment: the password never appears on a command line.
_PG_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}


class BackupError(RuntimeError):
    """The backup or the restore cannot go on (the message says why)."""


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))


# ---------------------------------------------------------------- databases


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _engine(url: str):
    return create_engine(database_url(url), poolclass=NullPool)


def _sqlite_path(url: str) -> Path:
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"{url}: only an SQLite database in a file can be backed up or restored.")
    return Path(name)


def _pg_env(url: str) -> tuple[dict[str, str], str]:
    """The environment for ``pg_dump``/``pg_restore`` (PGHOST, PGUSER, PGPASSWORD, ...) and the
    database's name: nothing secret goes on the command line, where ``ps`` would show it."""
    parsed = make_url(database_url(url))
    if not parsed.database:
        raise BackupError(f"{parsed.render_as_string()}: no database name.")
    env = dict(os.environ)
    parts = {"PGHOST": parsed.host, "PGPORT": parsed.port, "PGUSER": parsed.username}
    parts["PGPASSWORD"] = parsed.password
    env.update({key: str(value) for key, value in parts.items() if value is not None})
    for option, given in parsed.query.items():
        if option not in _PG_QUERY_ENV:
            raise BackupError(f"The database URL's option {option!r} is not understood by the backup.")
        env[_PG_QUERY_ENV[option]] = given if isinstance(given, str) else given[-1]
    return env, parsed.database


def _run(args: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{args[0]} is not installed (on Debian: apt-get install postgresql-client)."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def tool_version(tool: str) -> str:
    return _run([tool, "--version"], dict(os.environ)).strip()


def _tables(connection: Connection) -> list[str]:
    return sorted(inspect(connection).get_table_names())


def summary(connection: Connection) -> dict:
    """What the manifest says about a database: the revision, every table's rows, the audit chain's
    head, and the storage names of the files its documents refer to."""
    quote = connection.dialect.identifier_preparer.quote
    tables = _tables(connection)
    counts = {t: connection.execute(text(f"SELECT count(*) FROM {quote(t)}")).scalar_one() for t in tables}
    revision = (
        connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if "alembic_version" in tables
        else None
    )
    referenced: set[str] = set()
    if DocumentVersion.__tablename__ in tables:
        for blob, thumbnail in connection.execute(
            select(DocumentVersion.blob, DocumentVersion.thumbnail).where(
                or_(DocumentVersion.blob.is_not(None), DocumentVersion.thumbnail.is_not(None))
            )
        ):
            referenced.update(n for n in (blob, thumbnail) if n)
    audit = chain.head(connection).as_dict() if "audit_event" in tables else None
    return {
        "alembic_revision": revision,
        "tables": counts,
        "audit": audit,
        "referenced_files": sorted(referenced),
    }


def _has_tables(url: str) -> bool:
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return bool(_tables(connection))
    finally:
        engine.dispose()


# ---------------------------------------------------------------- files


def _blocks(source: BinaryIO) -> Iterator[bytes]:
    while block := source.read(CHUNK):
        yield block


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in _blocks(f):
            digest.update(block)
    return digest.hexdigest()


def _archive(store: Storage, path: Path) -> list[dict]:
    """Every file of the store, as it is kept (sealed), into one tar; its name, size and SHA-256."""
    items = []
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in store.names():
            digest = hashlib.sha256()
            with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
                source = store.open(name)
                try:
                    for block in _blocks(source):
                        digest.update(block)
                        spool.write(block)
                finally:
                    source.close()
                info = tarfile.TarInfo(name)
                info.size, info.mode = spool.tell(), 0o600
                spool.seek(0)
                tar.addfile(info, spool)
            items.append({"name": name, "bytes": info.size, "sha256": digest.hexdigest()})
    return items


def _unpack(path: Path, store: Storage) -> int:
    count = 0
    with tarfile.open(path, "r:") as tar:
        for member in tar:
            if not member.isfile() or not member.name.isalnum():
                raise BackupError(f"{path}: unexpected entry {member.name!r} (not a stored file).")
            source = tar.extractfile(member)
            assert source is not None  # a regular file
            store.put(member.name, cast(BinaryIO, source))
            count += 1
    return count


def _stored_sha256(store: Storage, name: str) -> tuple[int, str] | None:
    try:
        source: BinaryIO = store.open(name)
    except Exception:  # missing: FileNotFoundError from a folder, ClientError from a bucket
        return None
    digest, size = hashlib.sha256(), 0
    try:
        for block in _blocks(source):
            digest.update(block)
            size += len(block)
    finally:
        source.close()
    return size, digest.hexdigest()


# ---------------------------------------------------------------- backup


@contextmanager
def _snapshot(url: str) -> Iterator[tuple[Connection, str]]:
    """A read-only REPEATABLE READ transaction and the id of its exported snapshot: pg_dump, given
    that id, copies exactly what this transaction sees."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.execute(text("SET TRANSACTION READ ONLY"))
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                yield connection, snapshot
    finally:
        engine.dispose()


def _backup_postgres(url: str, out: Path) -> tuple[dict, dict]:
    env, name = _pg_env(url)
    target = out / PG_DUMP
    with _snapshot(url) as (connection, snapshot):
        described = summary(connection)
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}", "--dbname", name],
            env,
        )
    target.chmod(0o600)
    return described, {"kind": "postgresql", "file": PG_DUMP, "tool": tool_version("pg_dump")}


def _backup_sqlite(url: str, out: Path) -> tuple[dict, dict]:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"{source_path}: no such database file.")
    target = out / SQLITE_COPY
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # the online backup API: a consistent copy while the app writes
    finally:
        copy.close()
        source.close()
    target.chmod(0o600)
    engine = _engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:  # the copy itself describes the backup
            described = summary(connection)
    finally:
        engine.dispose()
    return described, {"kind": "sqlite", "file": SQLITE_COPY, "tool": f"sqlite {sqlite3.sqlite_version}"}


def backup(url: str, store: Storage, out: Path) -> dict:
    """Write a backup of the database at ``url`` and of ``store`` into the new directory ``out``;
    return the manifest (also written there, last: a directory without one is not a backup)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} exists and is not an empty directory: choose a new one.")
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    started = time.monotonic()
    if _is_sqlite(url):
        described, database = _backup_sqlite(url, out)
    else:
        described, database = _backup_postgres(url, out)
    dumped = time.monotonic()
    items = _archive(store, out / FILES)
    (out / FILES).chmod(0o600)
    archived = time.monotonic()
    kept = {item["name"] for item in items}
    manifest = {
        "format": FORMAT,
        "created_at": clock.now().isoformat(),
        "database": {
            **database,
            "bytes": (out / database["file"]).stat().st_size,
            "sha256": _sha256(out / database["file"]),
        },
        "alembic_revision": described["alembic_revision"],
        "tables": described["tables"],
        "audit": described["audit"],
        "files": {
            "archive": FILES,
            "archive_bytes": (out / FILES).stat().st_size,
            "archive_sha256": _sha256(out / FILES),
            "count": len(items),
            "bytes": sum(item["bytes"] for item in items),
            # Named by a document but absent from the store when the backup was made.
            "missing": [n for n in described["referenced_files"] if n not in kept],
            "items": items,
        },
        "seconds": {"database": round(dumped - started, 2), "files": round(archived - dumped, 2)},
    }
    partial = out / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    partial.chmod(0o600)
    os.replace(partial, out / MANIFEST)
    return manifest


# ---------------------------------------------------------------- restore


def read_manifest(backup_dir: Path) -> dict:
    path = backup_dir / MANIFEST
    if not path.is_file():
        raise BackupError(f"{backup_dir}: no {MANIFEST} (not a backup, or one that did not finish).")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: format {manifest.get('format')!r}, this version reads {FORMAT}.")
    return manifest


def _integrity(backup_dir: Path, manifest: dict, report: Report) -> None:
    for label, name, expected in (
        ("database file", manifest["database"]["file"], manifest["database"]["sha256"]),
        ("files archive", manifest["files"]["archive"], manifest["files"]["archive_sha256"]),
    ):
        path = backup_dir / name
        found = _sha256(path) if path.is_file() else None
        report.check(
            f"backup: {label}",
            found == expected,
            f"{name} matches its SHA-256" if found == expected else f"{name} is missing or changed",
        )


def _restore_postgres(path: Path, url: str, force: bool) -> None:
    env, name = _pg_env(url)
    args = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction"]
    if force:
        args += ["--clean", "--if-exists"]
    _run([*args, "--dbname", name, str(path)], env)
    engine = _engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))  # pg_restore leaves the planner without statistics
    finally:
        engine.dispose()


def _restore_sqlite(path: Path, url: str) -> None:
    target_path = _sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # replaces the target's content as a whole
    finally:
        target.close()
        source.close()


def verify(manifest: dict, url: str, store: Storage, report: Report | None = None) -> Report:
    """Check the database at ``url`` and ``store`` against a backup's manifest: the revision,
    every table's rows, the audit chain end to end, and every file with its SHA-256."""
    report = report or Report()
    started = time.monotonic()
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            found = summary(connection)
    finally:
        engine.dispose()
    report.check(
        "alembic revision",
        found["alembic_revision"] == manifest["alembic_revision"],
        f"{found['alembic_revision']} (backup: {manifest['alembic_revision']})",
    )
    expected_tables, found_tables = manifest["tables"], found["tables"]
    differ = [
        f"{t}: {found_tables.get(t, 'absent')} (backup: {expected_tables.get(t, 'absent')})"
        for t in sorted(set(expected_tables) | set(found_tables))
        if found_tables.get(t) != expected_tables.get(t)
    ]
    report.check(
        "row counts",
        not differ,
        "; ".join(differ)
        if differ
        else f"{len(found_tables)} tables, {sum(found_tables.values())} rows, as in the backup",
    )
    audit, expected_audit = found["audit"], manifest["audit"]
    report.check(
        "audit chain",
        audit == expected_audit,
        (
            f"{audit['rows']} events, head {audit['head']} (the backup's)"
            if audit == expected_audit
            else f"recomputed {audit}, the backup says {expected_audit}"
        ),
    )
    bad = []
    for item in manifest["files"]["items"]:
        stored = _stored_sha256(store, item["name"])
        if stored != (item["bytes"], item["sha256"]):
            bad.append(item["name"] + (": missing" if stored is None else ": changed"))
    files = manifest["files"]
    report.check(
        "files",
        not bad,
        "; ".join(bad[:20]) + (f" (and {len(bad) - 20} more)" if len(bad) > 20 else "")
        if bad
        else f"{files['count']} files, {files['bytes']} bytes, SHA-256 as in the backup",
    )
    known_missing = set(manifest["files"]["missing"])
    listed = {item["name"] for item in manifest["files"]["items"]}
    unbacked = [n for n in found["referenced_files"] if n not in listed and n not in known_missing]
    report.check(
        "documents' files",
        not unbacked,
        f"named by a document but not in the backup: {', '.join(unbacked[:20])}"
        if unbacked
        else "every file a document names is there"
        + (f" ({len(known_missing)} already missing when the backup was made)" if known_missing else ""),
    )
    report.seconds["verify"] = round(time.monotonic() - started, 2)
    return report


def restore(backup_dir: Path, url: str, store: Storage, force: bool = False) -> Report:
    """Restore the backup in ``backup_dir`` into the empty database at ``url`` and into ``store``,
    then verify both against the manifest. Refuses a database that has tables unless ``force``
    (which drops what the backup holds first)."""
    manifest = read_manifest(backup_dir)
    kind = "sqlite" if _is_sqlite(url) else "postgresql"
    if manifest["database"]["kind"] != kind:
        raise BackupError(f"A {manifest['database']['kind']} backup cannot be restored into {kind}.")
    report = Report()
    _integrity(backup_dir, manifest, report)
    if not report.ok:
        return report  # nothing restored from a damaged backup
    new_file = kind == "sqlite" and not _sqlite_path(url).exists()
    if not new_file and _has_tables(url) and not force:
        raise BackupError(
            "The target database has tables: restore into a new, empty database "
            "(or give --force to replace what is there)."
        )
    started = time.monotonic()
    if kind == "sqlite":
        _restore_sqlite(backup_dir / manifest["database"]["file"], url)
    else:
        _restore_postgres(backup_dir / manifest["database"]["file"], url, force)
    restored = time.monotonic()
    count = _unpack(backup_dir / manifest["files"]["archive"], store)
    unpacked = time.monotonic()
    report.seconds.update(database=round(restored - started, 2), files=round(unpacked - restored, 2))
    report.check("files unpacked", count == manifest["files"]["count"], f"{count} files written")
    return verify(manifest, url, store, report)
