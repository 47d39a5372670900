"""The restore drill (docs/reliability.md): back up the database and files this installation is
configured with (MDT_DATABASE_URL, MDT_INSTANCE_PATH), restore them into a scratch database and a
scratch folder, verify, remove the scratch copies, and print the figures: the time a recovery
takes (RTO) on this machine, and the backup's size.

    make restore-drill                       # or: .venv/bin/python scripts/restore_drill.py
    .venv/bin/python scripts/restore_drill.py --keep /var/backups/mdt/drill   # keep the backup

PostgreSQL: the scratch database is ``<name>_drill_<random>`` on the same server, made and dropped
by the configured role (it needs CREATEDB). Exits non-zero when the restore does not verify.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mdt import create_app
from mdt.audit.services import record
from mdt.backup import services as backups
from mdt.documents.storage import LocalStorage, storage
from mdt.transaction import commit


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", type=Path, help="write the backup here and keep it (a new directory)")
    args = parser.parse_args()
    app = create_app()
    work = Path(tempfile.mkdtemp(prefix="mdt-drill-"))
    out = args.keep or work / "backup"
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    sqlite = source.get_backend_name() == "sqlite"
    scratch_name = f"{source.database}_drill_{secrets.token_hex(4)}"
    admin = None if sqlite else create_engine(source, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with app.app_context():
            started = time.monotonic()
            manifest = backups.backup(source.render_as_string(hide_password=False), storage(), out)
            backed_up = time.monotonic() - started
            # A full copy, even a scratch one, is on the audit trail (as ``flask backup`` does).
            record(None, "backup.made", detail={"to": "restore drill", "files": manifest["files"]["count"]})
            commit()
        if admin is None:
            target = f"sqlite:///{work / 'restored.sqlite3'}"
        else:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{scratch_name}"'))
            target = source.set(database=scratch_name).render_as_string(hide_password=False)
        started = time.monotonic()
        report = backups.restore(out, target, LocalStorage(work / "files"))
        restored = time.monotonic() - started
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{scratch_name}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(work, ignore_errors=True)
    for check in report.checks:
        print(f"{'OK  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    database, files = manifest["database"], manifest["files"]
    print(
        f"database: {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
        f"{manifest['audit']['rows'] if manifest['audit'] else 0} audit events; "
        f"dump {database['bytes'] / 1e6:.1f} MB ({database['tool']})"
    )
    print(f"files: {files['count']} ({files['bytes'] / 1e6:.1f} MB)")
    print(f"backup: {backed_up:.1f} s; restore and verify: {restored:.1f} s ({report.seconds})")
    print("RESTORE DRILL: " + ("VERIFIED" if report.ok else "FAILED"))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
