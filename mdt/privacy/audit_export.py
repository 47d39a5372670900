"""The audit trail of a period as CSV, for administrators and auditors, signed with a SHA-256 chain:
each line carries the hash of the line before it and of itself, so a line removed, added or
changed breaks the chain from there on (``verify``). The export itself is audited with its row
count and final hash, so cutting lines off the end shows too.

Administrators read no case content: the export names who did what to which record, when, and
which fields a change touched, never the values (a note's text, a name, a reason)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mdt.audit.chain import link
from mdt.audit.models import AuditEvent
from mdt.audit.services import record
from mdt.directory.models import Member
from mdt.extensions import db

COLUMNS = [
    "id",
    "at_utc",
    "actor_id",
    "actor",
    "action",
    "object_type",
    "object_id",
    "case_id",
    "via",
    "detail",
]
# Detail kept as it is: ids, counts and the security facts of sign-ins (no free text about people).
SAFE_DETAIL = {
    "ids", "email", "address", "lockout", "limit", "with", "format", "sessions", "member_id", "cases",
    "outside", "remaining", "why", "tokens", "feeds", "sessions_ended", "duplicates",
}  # fmt: skip
HEADER = "# MDT audit export"


def _detail(detail: dict | None) -> str:
    detail = detail or {}
    kept = {k: v for k, v in detail.items() if k in SAFE_DETAIL}
    if isinstance(detail.get("changes"), dict):
        kept["changed"] = sorted(detail["changes"])
    left_out = sorted(k for k in detail if k not in SAFE_DETAIL and k != "changes")
    if left_out:
        kept["not_exported"] = left_out
    return json.dumps(kept, sort_keys=True, ensure_ascii=False)


def _seed(mdt, start: date, end: date) -> str:
    return hashlib.sha256(f"{HEADER}|{mdt.code}|{start}|{end}".encode()).hexdigest()


def rows(mdt, start: date, end: date) -> Iterator[list[str]]:
    zone = ZoneInfo(mdt.timezone)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    stmt = (
        select(AuditEvent, Member.name)
        .outerjoin(Member, Member.id == AuditEvent.actor_id)
        .where(AuditEvent.mdt_id == mdt.id, AuditEvent.at >= since, AuditEvent.at < until)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=2000)
    )
    for event, name in db.session.execute(stmt):
        yield [
            str(event.id),
            event.at.isoformat(),
            str(event.actor_id or ""),
            name or "",
            event.action,
            event.object_type,
            str(event.object_id or ""),
            str(event.case_id or ""),
            event.via,
            _detail(event.detail),
        ]


def export(actor, mdt, start: date, end: date) -> str:
    """The CSV text: a comment line naming the MDT and period, the header, one line per event with
    ``prev_hash`` and ``hash``, and a closing comment with the count and the final hash."""
    out = io.StringIO()
    out.write(f"{HEADER} mdt={mdt.code} from={start} to={end}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*COLUMNS, "prev_hash", "hash"])
    previous = _seed(mdt, start, end)
    count = 0
    for cells in rows(mdt, start, end):
        current = link(previous, cells)
        writer.writerow([*cells, previous, current])
        previous = current
        count += 1
    out.write(f"# end rows={count} final_hash={previous}\n")
    record(
        actor,
        "audit.export",
        mdt,
        detail={"from": str(start), "to": str(end), "rows": count, "final_hash": previous},
    )
    return out.getvalue()


def verify(text: str) -> tuple[bool, str]:
    """Check an export's chain: (True, summary) or (False, where it breaks)."""
    lines = text.splitlines()
    if len(lines) < 3 or not lines[0].startswith(HEADER) or not lines[-1].startswith("# end "):
        return False, "not a complete export (first or last line missing)"
    head = dict(part.split("=", 1) for part in lines[0][len(HEADER) :].split())
    tail = dict(part.split("=", 1) for part in lines[-1][len("# end ") :].split())
    seed = hashlib.sha256(
        f"{HEADER}|{head.get('mdt')}|{head.get('from')}|{head.get('to')}".encode()
    ).hexdigest()
    reader = csv.reader(io.StringIO("\n".join(lines[1:-1])))
    next(reader, None)  # the column names
    previous, count = seed, 0
    for number, row in enumerate(reader, start=3):
        cells, prev_hash, current = row[:-2], row[-2], row[-1]
        if prev_hash != previous or link(previous, cells) != current:
            return (
                False,
                f"the chain breaks at line {number} (a line before it was removed or changed, or this one)",
            )
        previous, count = current, count + 1
    if str(count) != tail.get("rows") or previous != tail.get("final_hash"):
        return False, "lines were removed at the end (the count or the final hash differs)"
    return True, f"{count} rows, final hash {previous}"


def recorded(final_hash: str) -> AuditEvent | None:
    """The audit row of the export whose final hash this is (None: no such export was made here,
    so the file was recomputed after a change, or comes from elsewhere)."""
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export")):
        if (event.detail or {}).get("final_hash") == final_hash:
            return event
    return None
