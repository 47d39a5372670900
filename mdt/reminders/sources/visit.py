"""Reminders of follow-up visits: the morning a visit is due, and once more a week later if it
has not been made, to the members assigned to the case (or the member who registered it) who may
see its plan."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mdt import formats, policy
from mdt.cases.models import Case
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.referrals.signals import consent_changed
from mdt.reminders.derive import sync
from mdt.reminders.registry import Derived, Source, Wording, register
from mdt.reminders.wants import Want, morning, zone_of
from mdt.visits.models import VisitDue
from mdt.visits.signals import visit_due_changed

KIND = "visit"
LATE = timedelta(days=7)


def derive(ids, now, zones) -> Derived:
    dues = db.session.scalars(
        select(VisitDue)
        .where(VisitDue.id.in_(ids))
        .options(
            joinedload(VisitDue.case).selectinload(Case.assignments),
            joinedload(VisitDue.case).selectinload(Case.team_agencies),
        )
    ).all()
    wanted = {
        m for d in dues for m in [d.case.created_by_id, *(a.member_id for a in d.case.assignments)] if m
    }
    members = {
        m.id: m
        for m in db.session.scalars(select(Member).where(Member.id.in_(wanted), Member.active.is_(True)))
    }
    out: Derived = {}
    for d in dues:
        case = d.case
        if d.visit_id is not None or case.stage == "closed":
            out[d.id] = (case.mdt_id, "", [])
            continue
        zone = zone_of(case.mdt_id, zones)
        assigned = [a.member_id for a in case.assignments] or [case.created_by_id]
        recipients = [m for m in assigned if m in members and policy.can(members[m], "visit.view", case)]
        wants = []
        for m in recipients:
            wants.append(Want(m, "reminder", "due", morning(d.due_on, zone)))
            wants.append(Want(m, "overdue", "late", morning(d.due_on + LATE, zone)))
        out[d.id] = (case.mdt_id, d.due_on.isoformat(), wants)
    return out


def word(due, purpose: str, when: str, root: str) -> Wording:
    if purpose == "overdue":
        subject = _("Overdue: a follow-up visit was due on %(when)s", when=when)
    else:
        subject = _("Reminder: a follow-up visit is due on %(when)s", when=when)
    return Wording(subject, subject + ".", f"{root}/cases/{due.case_id}#visits")


register(
    Source(
        kind=KIND,
        model=VisitDue,
        derive=derive,
        still_open=lambda d: d.visit_id is None and d.case.stage != "closed",
        when=lambda d, zone: formats.date(d.due_on),
        word=word,
    )
)


@visit_due_changed.connect
def _visit_due_changed(_sender, ids) -> None:
    sync(KIND, ids)


@consent_changed.connect
def _consent_changed(_sender, ids) -> None:
    """A consent recorded or withdrawn (ids: cases): who may see the plan, and so who is
    reminded, may have changed."""
    sync(
        KIND,
        db.session.scalars(select(VisitDue.id).where(VisitDue.case_id.in_(ids), VisitDue.visit_id.is_(None))),
    )
