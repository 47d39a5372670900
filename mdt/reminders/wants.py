"""The pieces every reminder source uses: a wanted reminder (``Want``), the MDT's morning, the
members of an agency, the next overdue morning, and whether the person themself may be contacted
(through the one consent decision)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mdt import clock, consent
from mdt.cases.models import Case
from mdt.cases.models import Person as Returnee
from mdt.directory.models import Mdt, Member
from mdt.extensions import db

MORNING = time(8, 0)  # "the morning of the day", MDT time


@dataclass(frozen=True)
class Want:
    member_id: int | None
    purpose: str
    lead: str
    at: datetime  # UTC
    person_id: int | None = None  # the person themself (their court dates, with consent)
    channel: str | None = None  # fixed by that consent: "sms" or "email"


def zone_of(mdt_id: int, cache: dict) -> ZoneInfo:
    if mdt_id not in cache:
        cache[mdt_id] = clock.zone(db.session.get_one(Mdt, mdt_id))
    return cache[mdt_id]


def morning(day: date, zone: ZoneInfo) -> datetime:
    return clock.at(day, MORNING, zone)


def agency_members(agency_ids) -> dict[int, list[int]]:
    out = defaultdict(list)
    if agency_ids:
        for member_id, agency_id in db.session.execute(
            select(Member.id, Member.agency_id).where(
                Member.agency_id.in_(list(agency_ids)), Member.active.is_(True)
            )
        ):
            out[agency_id].append(member_id)
    return out


def next_overdue(now: datetime, zone: ZoneInfo) -> tuple[str, datetime]:
    """Overdue reminders go every morning until closed; this is the next one."""
    local = now.astimezone(zone)
    day = local.date() if local.time() < MORNING else local.date() + timedelta(days=1)
    return f"overdue:{day.isoformat()}", morning(day, zone)


def contactable(case_ids) -> dict[int, tuple[int, list[str]]]:
    """For each case: its person and the channels they may be reminded on: a live consent to be
    contacted that way, the details on file, and the details confirmed safe to use."""
    ids = list(set(case_ids))
    if not ids:
        return {}
    out = {}
    for mdt_id in db.session.scalars(select(Case.mdt_id).where(Case.id.in_(ids)).distinct()):
        today = clock.today(db.session.get_one(Mdt, mdt_id))
        sms = consent.live_sql(Case.id, "contact_sms", on=today).label("sms")
        email = consent.live_sql(Case.id, "contact_email", on=today).label("email")
        for row in db.session.execute(
            select(
                Case.id,
                Returnee.id.label("person_id"),
                Returnee.phone,
                Returnee.email.label("address"),
                sms,
                email,
            )
            .join(Returnee, Returnee.id == Case.person_id)
            .where(
                Case.id.in_(ids),
                Case.mdt_id == mdt_id,
                Case.stage != "closed",
                Returnee.contact_safe.is_(True),
            )
        ):
            channels = []
            if row.sms and row.phone:
                channels.append("sms")
            if row.email and row.address:
                channels.append("email")
            if channels:
                out[row.id] = (row.person_id, channels)
    return out
