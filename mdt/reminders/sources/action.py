"""Reminders of action items: the morning they are due, to the owner (or the owner agency), then
every morning until done."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mdt import clock, formats
from mdt.extensions import db
from mdt.meetings.models import ActionItem
from mdt.meetings.signals import action_item_changed
from mdt.reminders.derive import sync
from mdt.reminders.registry import Derived, Source, Wording, register
from mdt.reminders.wants import Want, agency_members, morning, next_overdue, zone_of

KIND = "action"


def derive(ids, now, zones) -> Derived:
    items = db.session.scalars(select(ActionItem).where(ActionItem.id.in_(ids))).all()
    members = agency_members({i.owner_agency_id for i in items if not i.owner_id})
    out: Derived = {}
    for i in items:
        zone = zone_of(i.mdt_id, zones)
        if i.done_at is not None:
            out[i.id] = (i.mdt_id, "", [])
            continue
        recipients = [i.owner_id] if i.owner_id else members[i.owner_agency_id]
        if i.due_on >= clock.local_date(now, zone):
            wants = [Want(r, "reminder", "due", morning(i.due_on, zone)) for r in recipients]
        else:
            label, at = next_overdue(now, zone)
            wants = [Want(r, "overdue", label, at) for r in recipients]
        out[i.id] = (i.mdt_id, i.due_on.isoformat(), wants)
    return out


def word(item, purpose: str, when: str, root: str) -> Wording:
    if purpose == "overdue":
        subject = _("Overdue: a task was due on %(when)s", when=when)
    else:
        subject = _("Reminder: a task is due on %(when)s", when=when)
    return Wording(subject, subject + ".", f"{root}/actions")


register(
    Source(
        kind=KIND,
        model=ActionItem,
        derive=derive,
        still_open=lambda i: i.done_at is None,
        when=lambda i, zone: formats.date(i.due_on),
        word=word,
    )
)


@action_item_changed.connect
def _action_item_changed(_sender, ids) -> None:
    sync(KIND, ids)
