"""Writing the audit trail. Called by services inside the same transaction as the change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import insert

from mdt import clock
from mdt.audit.models import AuditEvent
from mdt.extensions import db


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _row(actor, action: str, obj=None, *, case=None, detail: dict | None = None) -> dict:
    return {
        "mdt_id": getattr(actor, "mdt_id", None)
        or getattr(case, "mdt_id", None)
        or getattr(obj, "mdt_id", None),
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "object_type": type(obj).__name__.lower() if obj is not None else "none",
        "object_id": getattr(obj, "id", None),
        "case_id": case.id if case is not None else None,
        "via": g.get("audit_via", "web") if has_request_context() else "task",
        "detail": _plain(detail or {}),
    }


def record(actor, action: str, obj=None, *, case=None, detail: dict | None = None) -> AuditEvent:
    """Append one audit row. ``detail`` holds old and new values for changes."""
    event = AuditEvent(**_row(actor, action, obj, case=case, detail=detail))
    db.session.add(event)
    return event


def changes(obj, values: dict) -> dict:
    """Apply ``values`` to ``obj`` and return ``{field: [old, new]}`` for what actually changed."""
    changed = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            changed[key] = [_plain(old), _plain(new)]
            setattr(obj, key, new)
    return changed


def case_trail(case_id: int, limit: int = 500):
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    stmt = (
        select(AuditEvent)
        .where(AuditEvent.case_id == case_id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return db.session.scalars(stmt).all()


# ---------------------------------------------------------------- reads of lists

_READS = "mdt_audit_reads"


def record_read(actor, action: str, case_ids, **detail) -> None:
    """A read of personal data about several cases (a list, a search, an agenda): one audit row
    per unit of work and action, with every id shown, written when the unit commits
    (``mdt.transaction.commit``). Outside a request it is written at once."""
    ids = [i for i in case_ids if i is not None]
    if not has_request_context():
        record(actor, action, None, detail={"ids": ids, **detail})
        return
    pending = g.setdefault(_READS, {})
    entry = pending.setdefault(action, {"actor": actor, "ids": [], "detail": {}})
    entry["ids"].extend(i for i in ids if i not in entry["ids"])
    entry["detail"].update(detail)


def flush_reads() -> None:
    """Write the pending list reads of this request as audit rows (called at commit)."""
    if not has_request_context():
        return
    rows = [
        {**_row(entry["actor"], action, detail={"ids": entry["ids"], **entry["detail"]}), "at": clock.now()}
        for action, entry in g.pop(_READS, {}).items()
    ]
    if rows:  # a plain INSERT: no object for the session to track on every list page
        db.session.execute(insert(AuditEvent), rows)
