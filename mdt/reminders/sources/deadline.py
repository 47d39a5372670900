"""Reminders of court deadlines (../shared/LEGAL_RULES.md): short periods at creation, midpoint, 3
and 1 working days before and the morning of the last day; long periods 180, 90, 30, 14 and 7
days before; an escalation to the coordinators and the supervising lawyer at 1 working day; then
every morning while overdue."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from mdt import clock, formats
from mdt.extensions import db
from mdt.legal.models import Deadline, LegalMatter, MatterLawyer
from mdt.legal.services import court_calendar
from mdt.legal.signals import deadline_changed, matter_changed
from mdt.notifications.services import coordinators
from mdt.reminders.derive import sync
from mdt.reminders.registry import Derived, Source, Wording, register
from mdt.reminders.wants import Want, morning, next_overdue, zone_of

KIND = "deadline"
LONG_LEADS = [180, 90, 30, 14, 7]  # days before a long period ends


def _times(created: date, due: date, calendar, zone: ZoneInfo) -> list[tuple[str, datetime | None]]:
    """Short periods (5-15 days, so up to three weeks once holidays push the last day on) at
    creation, midpoint, 3 and 1 working days before and the morning of the last day; longer ones
    180, 90, 30, 14 and 7 days before (those after the creation) and the last day."""
    out: list[tuple[str, datetime | None]] = []
    if (due - created).days <= 21:
        out.append(("creation", None))
        out.append(("midpoint", morning(created + timedelta(days=(due - created).days // 2), zone)))
        for n, label in ((3, "3wd"), (1, "1wd")):
            day, left = due, n
            while left:
                day -= timedelta(days=1)
                if calendar is None or calendar.is_working_day(day):
                    left -= 1
            out.append((label, morning(day, zone)))
    else:
        out += [
            (f"{d}d", morning(due - timedelta(days=d), zone))
            for d in LONG_LEADS
            if due - timedelta(days=d) >= created
        ]
    out.append(("lastday", morning(due, zone)))
    return out


def derive(ids, now, zones) -> Derived:
    rows = db.session.execute(
        select(
            Deadline.id,
            Deadline.matter_id,
            Deadline.due_on,
            Deadline.status,
            Deadline.created_at,
            LegalMatter.mdt_id,
            LegalMatter.jurisdiction,
            LegalMatter.forum,
            LegalMatter.supervising_lawyer_id,
        )
        .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
        .where(Deadline.id.in_(ids))
    ).all()
    lawyers = defaultdict(list)
    for matter_id, member_id in db.session.execute(
        select(MatterLawyer.matter_id, MatterLawyer.member_id).where(
            MatterLawyer.matter_id.in_({r.matter_id for r in rows})
        )
    ):
        lawyers[matter_id].append(member_id)
    coords = {mdt_id: coordinators(mdt_id) for mdt_id in {r.mdt_id for r in rows}}
    calendars: dict = {}
    out: Derived = {}
    for r in rows:
        zone = zone_of(r.mdt_id, zones)
        if r.status == "done":
            out[r.id] = (r.mdt_id, "", [])
            continue
        key = (r.jurisdiction, r.forum or "")
        if key not in calendars:
            calendars[key] = court_calendar(*key)
        created = clock.local_date(r.created_at, zone)
        wants = []
        if r.due_on >= clock.local_date(now, clock.COURT_ZONES[r.jurisdiction]):  # the court's day
            for label, at in _times(created, r.due_on, calendars[key], zone):
                at = at or r.created_at
                wants += [Want(m, "reminder", label, at) for m in lawyers[r.matter_id]]
                if label == "1wd":  # escalation if still not done then
                    wants += [
                        Want(m, "escalation", label, at + timedelta(hours=4))
                        for m in {*coords[r.mdt_id], r.supervising_lawyer_id} - {None}
                    ]
        else:
            label, at = next_overdue(now, zone)
            wants += [
                Want(m, "overdue", label, at)
                for m in {*lawyers[r.matter_id], *coords[r.mdt_id], r.supervising_lawyer_id} - {None}
            ]
        out[r.id] = (r.mdt_id, r.due_on.isoformat(), wants)
    return out


def word(deadline, purpose: str, when: str, root: str) -> Wording:
    if purpose == "overdue":
        subject = _("Overdue: a time limit ended on %(when)s", when=when)
        body = _("A time limit ended on %(when)s and is not marked done.", when=when)
    elif purpose == "escalation":
        subject = _("Not yet done: a time limit ends on %(when)s", when=when)
        body = _(
            "A time limit ends on %(when)s and is not marked done yet. Please check "
            "with the lawyer responsible.",
            when=when,
        )
    else:
        subject = _("Reminder: a time limit ends on %(when)s", when=when)
        body = _("A time limit ends on %(when)s.", when=when)
    return Wording(subject, body, f"{root}/matters/{deadline.matter_id}#deadlines")


register(
    Source(
        kind=KIND,
        model=Deadline,
        derive=derive,
        still_open=lambda d: d.status != "done",
        when=lambda d, zone: formats.date(d.due_on),
        word=word,
    )
)


@deadline_changed.connect
def _deadline_changed(_sender, ids) -> None:
    sync(KIND, ids)


@matter_changed.connect
def _matter_changed(_sender, ids) -> None:
    """Lawyers or the supervising lawyer changed: the matter's open deadlines."""
    sync(
        KIND,
        db.session.scalars(
            select(Deadline.id).where(Deadline.matter_id.in_(ids), Deadline.status != "done")
        ).all(),
    )
