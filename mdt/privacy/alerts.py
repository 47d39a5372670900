"""Unusual reading: a member who opened more than ``MDT_READ_ALERT_CASES`` case files (default 40)
in the last hour, or more than ``MDT_READ_ALERT_OUTSIDE`` files (default 10) that their agency
has no part in (not the lead, not on the team, not assigned by name). The coordinators of the MDT
get an in-app notification; the member is not blocked (a coordinator preparing a conference reads
many files for good reasons). One alert per member per hour. Run by Celery beat every few
minutes (``workers.tasks.watch_reading``)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, case, distinct, exists, func, select

from mdt import clock
from mdt.audit.models import AuditEvent
from mdt.audit.services import record
from mdt.cases.models import Case, CaseAgency, CaseAssignment
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.notifications.models import Notification
from mdt.notifications.services import coordinators
from mdt.privacy.models import ReadAlert

WINDOW = timedelta(hours=1)


def _outside():
    """The read case is none of the reader's agency's work."""
    return and_(
        Case.lead_agency_id != Member.agency_id,
        ~exists().where(CaseAgency.case_id == Case.id, CaseAgency.agency_id == Member.agency_id),
        ~exists().where(CaseAssignment.case_id == Case.id, CaseAssignment.member_id == Member.id),
    )


def watch() -> list[ReadAlert]:
    """Look at the last hour of case reads; raise the alerts due. Returns the new alerts."""
    now = clock.now()
    since = now - WINDOW
    limit_all = int(current_app.config["MDT_READ_ALERT_CASES"])
    limit_outside = int(current_app.config["MDT_READ_ALERT_OUTSIDE"])
    reads = (
        select(
            AuditEvent.actor_id,
            func.count(distinct(AuditEvent.case_id)).label("cases"),
            func.count(distinct(case((_outside(), AuditEvent.case_id), else_=None))).label("outside"),
        )
        .join(Case, Case.id == AuditEvent.case_id)
        .join(Member, Member.id == AuditEvent.actor_id)
        .where(AuditEvent.at >= since, AuditEvent.action.like("case.read%"))
        .group_by(AuditEvent.actor_id)
    )
    raised = []
    for row in db.session.execute(reads):
        if row.cases <= limit_all and row.outside <= limit_outside:
            continue
        recent = db.session.scalar(
            select(func.count())
            .select_from(ReadAlert)
            .where(ReadAlert.member_id == row.actor_id, ReadAlert.created_at >= since)
        )
        if recent:
            continue
        member = db.session.get(Member, row.actor_id)
        if member is None:
            continue
        case_ids = sorted(
            i
            for i in db.session.scalars(
                select(AuditEvent.case_id)
                .distinct()
                .where(
                    AuditEvent.actor_id == member.id,
                    AuditEvent.at >= since,
                    AuditEvent.action.like("case.read%"),
                    AuditEvent.case_id.is_not(None),
                )
            )
            if i is not None
        )
        alert = ReadAlert(
            mdt_id=member.mdt_id,
            member_id=member.id,
            created_at=now,
            since=since,
            cases=row.cases,
            outside=row.outside,
            case_ids=case_ids,
        )
        db.session.add(alert)
        db.session.flush()
        for coordinator_id in coordinators(member.mdt_id):
            if coordinator_id != member.id:
                db.session.add(
                    Notification(member_id=coordinator_id, kind="read_alert", read_alert_id=alert.id)
                )
        record(
            None,
            "privacy.read_alert",
            alert,
            detail={"member_id": member.id, "cases": row.cases, "outside": row.outside},
        )
        raised.append(alert)
    db.session.flush()
    return raised
