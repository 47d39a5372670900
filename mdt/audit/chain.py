"""The SHA-256 hash chain over audit rows: each link hashes the link before it with the row's cells,
so a row removed, added or changed anywhere changes every link after it and the last one (the
chain's head).

One rule, two uses: the signed CSV export (``mdt.privacy.audit_export``) chains the rows it
exports, and ``head`` chains the whole ``audit_event`` table of a database, in id order, with
every column (the backup's manifest keeps the head; a restore recomputes it: ``mdt.backup``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection, Text, cast, select

from mdt.audit.models import AuditEvent

# The first link of the whole-table chain (an export starts from its own seed: MDT and period).
TABLE_SEED = hashlib.sha256(b"# MDT audit trail|audit_event").hexdigest()


def link(previous: str, cells: list[str]) -> str:
    """The next link: the previous one and this row's cells, separated by the unit separator."""
    return hashlib.sha256((previous + "\x1f" + "\x1f".join(cells)).encode()).hexdigest()


@dataclass(frozen=True)
class Head:
    rows: int
    last_id: int | None
    head: str

    def as_dict(self) -> dict:
        return {"rows": self.rows, "last_id": self.last_id, "head": self.head}


def _text(value) -> str:
    return "" if value is None else str(value)


def _columns():
    """The audit table's columns in chain order; the detail as the text stored (JSON as the app
    wrote it, kept byte for byte by the database, a dump and a restore)."""
    table = AuditEvent.__table__
    c = table.c
    return select(
        c.id, c.at, c.mdt_id, c.actor_id, c.action, c.object_type, c.object_id, c.case_id, c.via,
        cast(c.detail, Text),
    ).order_by(c.id)  # fmt: skip


def row_cells(row) -> list[str]:
    """Every column of one ``audit_event`` row (as ``_columns`` reads it) as text."""
    id_, at, mdt_id, actor_id, action, object_type, object_id, case_id, via, detail = row
    return [
        str(id_),
        at.isoformat(),
        _text(mdt_id),
        _text(actor_id),
        action,
        object_type,
        _text(object_id),
        _text(case_id),
        via,
        _text(detail),
    ]


def head(connection: Connection) -> Head:
    """The chain over the whole audit table of the database behind ``connection`` (any database:
    the app's, or one just restored), read in id order as a stream."""
    previous, rows, last_id = TABLE_SEED, 0, None
    result = connection.execution_options(stream_results=True, yield_per=5000).execute(_columns())
    for row in result:
        previous = link(previous, row_cells(row))
        rows, last_id = rows + 1, row[0]
    return Head(rows, last_id, previous)
