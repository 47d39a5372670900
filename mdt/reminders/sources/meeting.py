"""Reminders of meetings: 7 and 1 days before (each member's own lead times), to the members of
the invited agencies, once the agenda is published."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from mdt import formats
from mdt.directory.models import Agency
from mdt.extensions import db
from mdt.meetings.ics import meeting_ics
from mdt.meetings.models import Meeting
from mdt.meetings.signals import meeting_changed
from mdt.reminders.derive import sync
from mdt.reminders.registry import Derived, Source, Wording, register
from mdt.reminders.wants import Want, agency_members

KIND = "meeting"


def derive(ids, now, zones) -> Derived:
    meetings = db.session.scalars(select(Meeting).where(Meeting.id.in_(ids))).all()
    everyone = defaultdict(list)
    for mdt_id in {m.mdt_id for m in meetings}:
        everyone[mdt_id] = list(db.session.scalars(select(Agency.id).where(Agency.mdt_id == mdt_id)))
    wanted_agencies = {a for m in meetings for a in (m.invited_agency_ids or everyone[m.mdt_id])}
    members = agency_members(wanted_agencies)
    out: Derived = {}
    for m in meetings:
        if m.status != "published" or m.starts_at <= now:
            out[m.id] = (m.mdt_id, "", [])
            continue
        recipients = {x for a in (m.invited_agency_ids or everyone[m.mdt_id]) for x in members[a]}
        out[m.id] = (
            m.mdt_id,
            m.starts_at.strftime("%Y%m%dT%H%M"),
            [Want(r, "reminder", "lead:meeting", m.starts_at) for r in recipients],
        )
    return out


def word(meeting, purpose: str, when: str, root: str) -> Wording:
    body = _("You are invited to a meeting on %(when)s.", when=when)
    if meeting.location:
        body += " " + _("Place: %(place)s.", place=meeting.location)
    return Wording(
        _("Reminder: meeting on %(when)s", when=when),
        body,
        f"{root}/meetings/{meeting.id}",
        meeting_ics(meeting, root),
    )


register(
    Source(
        kind=KIND,
        model=Meeting,
        derive=derive,
        still_open=lambda m: m.status == "published",
        when=lambda m, zone: formats.datetime(m.starts_at, zone=zone),
        word=word,
    )
)


@meeting_changed.connect
def _meeting_changed(_sender, ids) -> None:
    sync(KIND, ids)
