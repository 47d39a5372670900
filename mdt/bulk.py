"""Many rows at once, set-based. On PostgreSQL the rows travel by ``COPY`` into a temporary table
and one ``INSERT … SELECT`` or ``UPDATE … FROM`` applies them; elsewhere (SQLite) an
``executemany`` does. Both run in the caller's transaction (the session's connection), after the
session has flushed what it holds.

Why: an ``executemany`` of 20,000 rows costs about 70 µs a row on this machine's PostgreSQL
(a round of the extended protocol per row, even pipelined), while ``COPY`` costs a few µs, leaving
only the server's own work on the table and its indexes (docs/performance.md, "Deadlines").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from itertools import count
from typing import Any

from sqlalchemy import JSON, Table, insert, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mdt.extensions import db

# Below this many rows the temporary table costs more than it saves.
COPY_FROM = 200
_names = count()


def _table(model) -> Table:
    return model.__table__ if hasattr(model, "__table__") else model


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _raw():
    """The psycopg connection under the session's (the same transaction)."""
    raw = db.session.connection().connection.driver_connection
    assert raw is not None
    return raw


def _copy_into_temp(table: Table, columns: list[str], rows: Sequence[dict]) -> str:
    """COPY ``rows`` into a new temporary table shaped like ``columns`` of ``table``; its name."""
    db.session.flush()
    raw = _raw()
    name = f"bulk_{table.name}_{next(_names)}"
    quoted = ", ".join(f'"{c}"' for c in columns)
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    with raw.cursor() as cur:
        cur.execute(
            f'CREATE TEMPORARY TABLE "{name}" ON COMMIT DROP AS '
            f'SELECT {quoted} FROM "{table.name}" WITH NO DATA'
        )
        with cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c]) if c in json_columns and row[c] is not None else row[c]
                        for c in columns
                    ]
                )
    return name


def insert_rows(model, rows: Sequence[dict[str, Any]], *, skip_conflicts_on: list[str] | None = None) -> None:
    """Insert ``rows`` (dicts with the same keys). ``skip_conflicts_on``: the columns of a unique
    key; a row that would repeat it is skipped (``ON CONFLICT DO NOTHING``)."""
    if not rows:
        return
    table = _table(model)
    if not _postgresql() or len(rows) < COPY_FROM:
        if skip_conflicts_on:
            dialect_insert = postgresql_insert if _postgresql() else sqlite_insert
            db.session.execute(
                dialect_insert(table).on_conflict_do_nothing(index_elements=skip_conflicts_on), list(rows)
            )
        else:
            db.session.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    temp = _copy_into_temp(table, columns, rows)
    quoted = ", ".join(f'"{c}"' for c in columns)
    conflict = ""
    if skip_conflicts_on:
        conflict = " ON CONFLICT (" + ", ".join(f'"{c}"' for c in skip_conflicts_on) + ") DO NOTHING"
    with _raw().cursor() as cur:
        cur.execute(f'INSERT INTO "{table.name}" ({quoted}) SELECT {quoted} FROM "{temp}"{conflict}')
        cur.execute(f'DROP TABLE "{temp}"')


def update_rows(model, rows: Sequence[dict[str, Any]], key: str = "id") -> None:
    """Update each row of the ORM ``model`` found by ``key`` (its primary key) with the row's
    other values. The ORM objects of those rows the session holds are not refreshed: expire them
    if they are read again."""
    if not rows:
        return
    table = _table(model)
    if not _postgresql() or len(rows) < COPY_FROM:
        db.session.execute(update(model), list(rows))  # the ORM's bulk UPDATE by primary key
        return
    columns = list(rows[0])
    temp = _copy_into_temp(table, columns, rows)
    sets = ", ".join(f'"{c}" = t."{c}"' for c in columns if c != key)
    with _raw().cursor() as cur:
        cur.execute(
            f'UPDATE "{table.name}" SET {sets} FROM "{temp}" t WHERE "{table.name}"."{key}" = t."{key}"'
        )
        cur.execute(f'DROP TABLE "{temp}"')
