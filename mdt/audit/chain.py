"""The SHA-256 hash chain over audit rows: each link hashes the link before it with the row's cells,
so a row removed, added or changed anywhere changes every link after it and the last one (the
chain's head).

One rule, two uses: the signed CSV export (``mdt.privacy.audit_export``) chains the rows it
exports, and ``head`` chains the whole ``audit_event`` table of a database, in id order, with
every column (the backup's manifest keeps the head; a restore recomputes it: ``mdt.backup``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import Connection, select

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


def row_cells(row) -> list[str]:
    """Every column of one ``audit_event`` row as text (the detail as sorted JSON)."""
    return [
        str(row.id),
        row.at.isoformat(),
        _text(row.mdt_id),
        _text(row.actor_id),
        row.action,
        row.object_type,
        _text(row.object_id),
        _text(row.case_id),
        row.via,
        json.dumps(row.detail or {}, sort_keys=True, ensure_ascii=False),
    ]


def head(connection: Connection) -> Head:
    """The chain over the whole audit table of the database behind ``connection`` (any database:
    the app's, or one just restored), read in id order as a stream."""
    table = AuditEvent.__table__
    stmt = select(table).order_by(table.c.id)
    previous, rows, last_id = TABLE_SEED, 0, None
    result = connection.execution_options(stream_results=True, yield_per=5000).execute(stmt)
    for row in result:
        previous = link(previous, row_cells(row))
        rows, last_id = rows + 1, row.id
    return Head(rows, last_id, previous)
