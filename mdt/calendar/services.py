"""The calendar (page and API) and the personal iCalendar feeds.

The feed lands in phone calendars that others may see: entries are neutral ("Court hearing",
"Filing deadline") with the court and a link to the app; no names, no titles of matters."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mdt import clock, policy
from mdt.audit.services import record
from mdt.auth.models import CalendarFeed
from mdt.extensions import db
from mdt.legal.models import Deadline, Hearing, LegalMatter
from mdt.meetings.ics import meeting_event
from mdt.meetings.models import Meeting
from mdt.meetings.services import action_items_for, restricted_title


def create_feed(member) -> tuple[CalendarFeed, str]:
    """A new secret feed URL token; older feeds of the member are revoked."""
    for old in db.session.scalars(
        select(CalendarFeed).where(CalendarFeed.member_id == member.id, CalendarFeed.revoked_at.is_(None))
    ):
        old.revoked_at = clock.now()
    raw = secrets.token_urlsafe(24)
    feed = CalendarFeed(member_id=member.id, digest=hashlib.sha256(raw.encode()).hexdigest())
    db.session.add(feed)
    db.session.flush()
    record(member, "calendar_feed.create", feed)
    return feed, raw


def revoke_feeds(member) -> int:
    feeds = db.session.scalars(
        select(CalendarFeed).where(CalendarFeed.member_id == member.id, CalendarFeed.revoked_at.is_(None))
    ).all()
    for feed in feeds:
        feed.revoked_at = clock.now()
    if feeds:
        db.session.flush()
        record(member, "calendar_feed.revoke", member)
    return len(feeds)


def member_for_feed(raw: str):
    digest = hashlib.sha256((raw or "").encode()).hexdigest()
    feed = db.session.scalars(select(CalendarFeed).where(CalendarFeed.digest == digest)).first()
    if feed is None or feed.revoked_at is not None or not feed.member.active:
        return None, None
    return feed.member, feed


@dataclass
class Entry:
    """One thing on a day of the calendar, as the reader may see it."""

    kind: str  # hearing, deadline, meeting, action
    id: int
    day: date  # the day on which it falls in the MDT's zone (deadlines: the court's)
    at: datetime | None  # the time, for hearings and meetings
    title: str
    detail: str
    status: str
    matter_id: int | None = None
    case_id: int | None = None
    verified: bool = True


def entries(user, start: date, end: date) -> list[Entry]:
    """What ``user`` may see between ``start`` and ``end`` (days in their MDT's zone): hearings
    and deadlines of the matters they may see, the MDT's meetings, and the action items of the
    member and their agency (titles of items on cases they may not see are withheld). A fixed
    number of queries."""
    zone = clock.zone(user.mdt)
    lo, hi = clock.start_of(start, zone), clock.start_of(end + timedelta(days=1), zone)
    visible = select(LegalMatter.id).where(policy.matter_filter(user))
    out = []
    for h in db.session.scalars(
        select(Hearing)
        .where(
            Hearing.matter_id.in_(visible),
            Hearing.starts_at >= lo,
            Hearing.starts_at < hi,
            Hearing.status != "cancelled",
        )
        .options(joinedload(Hearing.matter))
    ):
        out.append(
            Entry(
                "hearing",
                h.id,
                clock.local_date(h.starts_at, zone),
                h.starts_at,
                h.purpose,
                h.location or h.matter.forum or "",
                h.status,
                matter_id=h.matter_id,
            )
        )
    for d in db.session.scalars(
        select(Deadline).where(
            Deadline.matter_id.in_(visible), Deadline.due_on >= start, Deadline.due_on <= end
        )
    ):
        out.append(
            Entry(
                "deadline",
                d.id,
                d.due_on,
                None,
                d.title,
                d.citation or "",
                d.status,
                matter_id=d.matter_id,
                verified=d.verified,
            )
        )
    for m in db.session.scalars(
        select(Meeting).where(Meeting.mdt_id == user.mdt_id, Meeting.starts_at >= lo, Meeting.starts_at < hi)
    ):
        out.append(
            Entry(
                "meeting",
                m.id,
                clock.local_date(m.starts_at, zone),
                m.starts_at,
                m.title,
                m.location or "",
                m.status,
            )
        )
    for item, shown in action_items_for(user, include_done=True, due_between=(start, end)):
        out.append(
            Entry(
                "action",
                item.id,
                item.due_on,
                None,
                item.title if shown else restricted_title(item),
                "",
                "done" if item.done_at else "open",
                case_id=item.case_id,
            )
        )
    return sorted(out, key=lambda e: (e.day, e.at or datetime.min.replace(tzinfo=UTC), e.kind, e.id))


def hearing_event(h: Hearing, base_url: str) -> Event:
    """A neutral calendar event for a hearing: no names, no claim, a link into the app."""
    event = Event()
    event.add("uid", f"hearing-{h.id}@mdt-calendar")
    event.add("summary", "Court hearing")
    event.add("dtstart", h.starts_at)
    event.add("dtend", h.starts_at + timedelta(hours=2))
    event.add("dtstamp", clock.now())
    if h.location or h.matter.forum:
        event.add("location", h.location or h.matter.forum)
    event.add("url", f"{base_url}/matters/{h.matter_id}#hearings")
    event.add("description", f"Details in the app: {base_url}/matters/{h.matter_id}")
    return event


def ical(user, base_url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//MDT//calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "MDT calendar")
    today = clock.today(user.mdt)
    visible = select(LegalMatter.id).where(policy.matter_filter(user))
    for h in db.session.scalars(
        select(Hearing)
        .where(
            Hearing.matter_id.in_(visible),
            Hearing.status == "scheduled",
            Hearing.starts_at >= clock.start_of(today - timedelta(days=30), user.mdt),
        )
        .options(joinedload(Hearing.matter))
    ):
        cal.add_component(hearing_event(h, base_url))
    for d in db.session.scalars(
        select(Deadline).where(
            Deadline.matter_id.in_(visible),
            Deadline.status == "open",
            Deadline.due_on >= today - timedelta(days=30),
        )
    ):
        event = Event()
        event.add("uid", f"deadline-{d.id}@mdt-calendar")
        event.add("summary", "Filing deadline" + ("" if d.verified else " (unverified)"))
        event.add("dtstart", d.due_on)
        event.add("dtend", d.due_on + timedelta(days=1))
        event.add("dtstamp", clock.now())
        event.add("url", f"{base_url}/matters/{d.matter_id}#deadlines")
        event.add("description", f"Details in the app: {base_url}/matters/{d.matter_id}")
        cal.add_component(event)
    for m in db.session.scalars(
        select(Meeting).where(
            Meeting.mdt_id == user.mdt_id,
            Meeting.starts_at >= clock.start_of(today - timedelta(days=30), user.mdt),
        )
    ):
        cal.add_component(meeting_event(m, base_url))
    return cal.to_ical()
