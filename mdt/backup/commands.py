"""``flask --app mdt backup`` and ``flask --app mdt restore`` (registered by ``mdt.cli``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from mdt.audit.services import record
from mdt.backup import services
from mdt.config import database_url
from mdt.documents.storage import LocalStorage, Storage, storage
from mdt.transaction import atomic


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


@click.command(
    "backup",
    help=(
        "Back up the database (pg_dump, or a copy of the SQLite file), the documents' files (as "
        "stored, encrypted) and a manifest into the new directory OUT. MDT_FILES_KEY is not in it: "
        "keep it apart."
    ),
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A new (or empty) directory, e.g. /var/backups/mdt/$(date +%F).",
)
@atomic
def backup_command(out: Path) -> None:
    try:
        manifest = services.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], storage(), out)
    except services.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    database, files, audit = manifest["database"], manifest["files"], manifest["audit"] or {}
    # Who copied everything, and when, is itself on the audit trail (after the snapshot: the
    # backup's own chain head does not include this row).
    record(
        None,
        "backup.made",
        detail={
            "to": str(out.resolve()),
            "rows": sum(manifest["tables"].values()),
            "files": files["count"],
            "audit_head": audit.get("head"),
        },
    )
    click.echo(f"database: {database['file']} ({_mb(database['bytes'])}, {database['tool']})")
    click.echo(f"files:    {files['archive']} ({files['count']} files, {_mb(files['archive_bytes'])})")
    click.echo(
        f"manifest: revision {manifest['alembic_revision']}, {len(manifest['tables'])} tables, "
        f"{sum(manifest['tables'].values())} rows, audit head {audit.get('head')}"
    )
    if files["missing"]:
        click.echo(f"WARNING: {len(files['missing'])} file(s) named by documents were not in the store.")
    click.echo(f"written to {out} in {sum(manifest['seconds'].values()):.1f} s")


@click.command(
    "restore",
    help=(
        "Restore the backup in BACKUP_DIR into a new, empty database, put its files back, and verify "
        "row counts, the Alembic revision, the audit hash chain and every file against the manifest. "
        "Exits non-zero on any difference."
    ),
)
@click.argument("backup_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--database-url",
    "target_url",
    required=True,
    envvar="MDT_RESTORE_DATABASE_URL",
    help="The database to restore into, created empty beforehand: postgresql://user@host/name "
    "(the password from PGPASSWORD or ~/.pgpass, or in the URL) or sqlite:///path. Also read from "
    "MDT_RESTORE_DATABASE_URL, which keeps a password off the command line.",
)
@click.option(
    "--files-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A folder for the documents' files (default: the store this app is configured with).",
)
@click.option("--force", is_flag=True, help="Restore even if the database has tables (drops them first).")
@click.option("--verify-only", is_flag=True, help="Restore nothing: only check a database restored before.")
def restore_command(
    backup_dir: Path, target_url: str, files_dir: Path | None, force: bool, verify_only: bool
) -> None:
    url = database_url(target_url)
    store: Storage = LocalStorage(files_dir) if files_dir else storage()
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        manifest = services.read_manifest(backup_dir)
        click.echo(
            f"backup of {manifest['created_at']}: revision {manifest['alembic_revision']}, "
            f"{manifest['files']['count']} files"
        )
        if verify_only:
            report = services.verify(manifest, url, store)
        else:
            click.echo(f"restoring into {shown} ...")
            report = services.restore(backup_dir, url, store, force=force)
    except services.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    for check in report.checks:
        click.echo(f"{'OK  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    click.echo("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items()))
    if not report.ok:
        failed = sum(not c.ok for c in report.checks)
        raise click.ClickException(f"{shown} does NOT match the backup: {failed} check(s) failed.")
    click.echo(f"VERIFIED: {shown} matches the backup.")
