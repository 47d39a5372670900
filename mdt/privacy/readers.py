"""Who has seen a case file: every read and every write of the case in the audit trail, by member
and agency. A case is "seen" when it is opened (rows with its ``case_id``) and when it appears in a
list, a search or an agenda (rows whose ``detail.ids`` name it, written by ``record_read``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, cast, exists, func, literal_column, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import aliased

from mdt import formats
from mdt.audit.models import AuditEvent
from mdt.directory.models import Agency, Member
from mdt.extensions import db

LIST_ACTIONS = ("case.list", "referral.list", "meeting.agenda_proposed", "meeting.case_history")


def is_read(action: str) -> bool:
    return ".read" in action or action in LIST_ACTIONS or action.endswith(".pdf")


def read_sql() -> ColumnElement[bool]:
    """``is_read`` in SQL."""
    return or_(
        AuditEvent.action.like("%.read%"),
        AuditEvent.action.in_(LIST_ACTIONS),
        AuditEvent.action.like("%.pdf"),
    )


def names_case(case_id: int) -> ColumnElement[bool]:
    """The list reads (``detail.ids``) that showed the case."""
    if db.engine.dialect.name == "postgresql":
        return cast(AuditEvent.detail, JSONB)["ids"].contains([int(case_id)])
    each = func.json_each(AuditEvent.detail, "$.ids").table_valued("value")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == case_id))


@dataclass
class Filters:
    member_id: int | None = None
    agency_id: int | None = None
    kind: str = "all"  # "read", "write" or "all"
    start: date | None = None
    end: date | None = None


def _zone_bounds(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def events(case, filters: Filters) -> Select:
    """The audit rows about ``case`` that pass ``filters``, newest first, with the actor and their
    agency (``select(AuditEvent, Member, Agency)``)."""
    actor = aliased(Member)
    agency = aliased(Agency)
    listed = and_(
        AuditEvent.case_id.is_(None),
        AuditEvent.mdt_id == case.mdt_id,
        AuditEvent.action.in_(LIST_ACTIONS),
        names_case(case.id),
    )
    stmt = (
        select(AuditEvent, actor, agency)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(agency, agency.id == actor.agency_id)
        .where(or_(AuditEvent.case_id == case.id, listed))
    )
    zone = ZoneInfo(case.mdt.timezone)
    if filters.start:
        stmt = stmt.where(AuditEvent.at >= _zone_bounds(filters.start, zone))
    if filters.end:
        stmt = stmt.where(AuditEvent.at < _zone_bounds(filters.end + timedelta(days=1), zone))
    if filters.member_id:
        stmt = stmt.where(AuditEvent.actor_id == filters.member_id)
    if filters.agency_id:
        stmt = stmt.where(actor.agency_id == filters.agency_id)
    if filters.kind == "read":
        stmt = stmt.where(read_sql())
    elif filters.kind == "write":
        stmt = stmt.where(~read_sql())
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def by_member(case, filters: Filters) -> list[dict]:
    """One line per member (and one for the system): reads, writes, first and last time."""
    rows = events(case, filters).order_by(None).subquery()
    is_read = or_(rows.c.action.like("%.read%"), rows.c.action.in_(LIST_ACTIONS), rows.c.action.like("%.pdf"))
    stmt = select(
        rows.c.actor_id,
        func.sum(case_(is_read, 1)).label("reads"),
        func.sum(case_(~is_read, 1)).label("writes"),
        func.min(rows.c.at).label("first"),
        func.max(rows.c.at).label("last"),
    ).group_by(rows.c.actor_id)
    found = db.session.execute(stmt).all()
    members = {
        m.id: m
        for m in db.session.scalars(
            select(Member).where(Member.id.in_([r.actor_id for r in found if r.actor_id] or [0]))
        )
    }
    out = [
        {
            "member": members.get(r.actor_id),
            "reads": int(r.reads or 0),
            "writes": int(r.writes or 0),
            "first": r.first,
            "last": r.last,
        }
        for r in found
    ]
    return sorted(out, key=lambda line: line["last"], reverse=True)


def case_(condition, value):
    return sql_case((condition, value), else_=0)


def as_csv(case, filters: Filters) -> str:
    """The rows of ``events`` as CSV: when (UTC, ISO 8601), member, agency, action, read or write,
    via."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at_utc", "member_id", "member", "agency", "action", "kind", "via"])
    for event, member, agency in db.session.execute(events(case, filters)):
        writer.writerow(
            formats.spreadsheet_row(
                [
                    event.at.isoformat(),
                    event.actor_id or "",
                    member.name if member else "",
                    agency.name if agency else "",
                    event.action,
                    "read" if is_read(event.action) else "write",
                    event.via,
                ]
            )
        )
    return out.getvalue()
