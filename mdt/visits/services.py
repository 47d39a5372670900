"""Follow-up visits: recording one (from the web form, the API or a device's sync), the visits a
case's schedule asks for, and those overdue for a member's cases. The caller commits."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case
from mdt.directory.models import Member
from mdt.errors import Forbidden
from mdt.extensions import db
from mdt.schema import load
from mdt.signals import send
from mdt.visits.models import DEFAULT_MONTHS, Visit, VisitDue
from mdt.visits.schemas import ScheduleSchema, VisitSchema
from mdt.visits.signals import visit_due_changed

# A visit made up to this long after a due date still counts for it.
GRACE = timedelta(days=45)


def add_visit(actor: Member, case: Case, data: dict) -> Visit:
    if not policy.can(actor, "visit.add", case):
        raise Forbidden("You cannot record visits on this case.")
    clean = load(VisitSchema, data, today=clock.today(case.mdt))
    clean.pop("case_id", None)
    visit = Visit(case_id=case.id, created_by_id=actor.id, **clean)
    db.session.add(visit)
    db.session.flush()
    due = db.session.scalars(
        select(VisitDue)
        .where(
            VisitDue.case_id == case.id,
            VisitDue.visit_id.is_(None),
            VisitDue.due_on <= visit.visited_on + GRACE,
        )
        .order_by(VisitDue.due_on)
        .limit(1)
    ).first()
    changed = []
    if due is not None:
        due.visit_id = visit.id
        changed.append(due)
    if visit.next_visit_on:
        changed.append(VisitDue(case_id=case.id, due_on=visit.next_visit_on))
        db.session.add(changed[-1])
    db.session.flush()
    send(visit_due_changed, [d.id for d in changed])
    record(
        actor,
        "visit.add",
        visit,
        case=case,
        detail={"visited_on": visit.visited_on.isoformat(), "wellbeing": visit.wellbeing},
    )
    return visit


def returned_on(case: Case) -> date:
    """The day the schedule counts from: the latest return home, or the day the case opened."""
    days = [e.returned_on for e in case.episodes if e.returned_on]
    return max(days) if days else case.opened_on


def set_schedule(actor: Member, case: Case, data: dict) -> list[VisitDue]:
    """Visits due so many months after the return; the schedule's visits not yet made are
    replaced (those a visit set with its "next visit" stay)."""
    if not policy.can(actor, "visit.schedule", case):
        raise Forbidden("You cannot change this case's visit schedule.")
    months = sorted(set(load(ScheduleSchema, data)["months"]))
    replaced = (VisitDue.case_id == case.id, VisitDue.visit_id.is_(None), VisitDue.months.is_not(None))
    dropped = list(db.session.scalars(select(VisitDue.id).where(*replaced)))
    db.session.execute(delete(VisitDue).where(*replaced))
    start = returned_on(case)
    dues = [VisitDue(case_id=case.id, months=m, due_on=start + relativedelta(months=m)) for m in months]
    db.session.add_all(dues)
    db.session.flush()
    send(visit_due_changed, dropped + [d.id for d in dues])
    record(actor, "visit.schedule", case, case=case, detail={"months": months, "from": start.isoformat()})
    return dues


def default_schedule() -> dict:
    return {"months": list(DEFAULT_MONTHS)}


def of_case(user, case: Case) -> tuple[list[Visit], list[VisitDue]]:
    """The case's visits, newest first, and its visits due (made or not), soonest first."""
    if not policy.can(user, "visit.view", case):
        return [], []
    visits = db.session.scalars(
        select(Visit)
        .where(Visit.case_id == case.id)
        .options(joinedload(Visit.created_by))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    ).all()
    dues = db.session.scalars(
        select(VisitDue).where(VisitDue.case_id == case.id).order_by(VisitDue.due_on)
    ).all()
    return list(visits), list(dues)


def overdue(user, limit: int = 20) -> tuple[list[VisitDue], int]:
    """Visits due before today and not made, on open cases whose plan the member may see: the
    oldest first, and how many in all."""
    today = clock.today(user.mdt)
    where = (
        VisitDue.visit_id.is_(None),
        VisitDue.due_on < today,
        Case.stage != "closed",
        Case.mdt_id == user.mdt_id,
        policy.part_filter(user, "plan"),
    )
    stmt = select(VisitDue).join(Case, Case.id == VisitDue.case_id).where(*where)
    rows = db.session.scalars(
        stmt.options(joinedload(VisitDue.case).joinedload(Case.person)).order_by(VisitDue.due_on).limit(limit)
    ).all()
    total = db.session.scalar(select(db.func.count()).select_from(stmt.subquery()))
    return list(rows), int(total or 0)


__all__ = ["add_visit", "default_schedule", "of_case", "overdue", "returned_on", "set_schedule"]
