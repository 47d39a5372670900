"""Meetings and series: creating, moving and publishing a meeting, series with host rotation
(RRULE expanded in the MDT's zone), and attendance. Services flush; the caller commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from dateutil.rrule import rrulestr
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from mdt import clock, policy
from mdt.audit.services import changes, record
from mdt.directory.models import Agency, Member
from mdt.errors import NotFound, WorkflowError
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingAttendance, MeetingSeries
from mdt.meetings.schemas import (
    AttendanceSchema,
    MeetingSchema,
    RescheduleSchema,
    SeriesSchema,
    rule_for,
)
from mdt.meetings.services.agenda import agenda_for, propose_agenda
from mdt.meetings.services.common import given, require_coordinator
from mdt.meetings.signals import meeting_changed
from mdt.notifications import services as notes
from mdt.schema import check, load, refuse
from mdt.signals import send


def get_meeting(actor, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not policy.can(actor, "meeting.view", meeting):
        raise NotFound("No such meeting.")
    return meeting


def next_host(series: MeetingSeries) -> int | None:
    if not series.rotation:
        return None
    held = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.series_id == series.id))
    return series.rotation[(held or 0) % len(series.rotation)]


def create_meeting(actor, data: dict) -> Meeting:
    require_coordinator(actor)
    clean = load(MeetingSchema, data, **given(actor))
    series: MeetingSeries | None = clean.get("series_id")
    host: Agency | None = clean.get("host_agency_id")
    if host is None and series is not None:
        rotating = next_host(series)
        host = db.session.get(Agency, rotating) if rotating is not None else None
    if host is None or host.mdt_id != actor.mdt_id:
        refuse("host_agency_id", _l("Choose the host agency."))
    starts_at = clean["starts_at"]
    ends_at = clean.get("ends_at") or starts_at + timedelta(hours=2)  # two hours unless said otherwise
    if series is not None:
        overlapping = db.session.scalar(
            select(Meeting.id).where(
                Meeting.series_id == series.id, Meeting.starts_at < ends_at, Meeting.ends_at > starts_at
            )
        )
        if overlapping:
            check({"starts_at": [_l("Another meeting of this series is at that time.")]})
    meeting = Meeting(
        mdt_id=actor.mdt_id,
        series_id=series.id if series else None,
        title=clean["title"],
        kind=clean["kind"],
        starts_at=starts_at,
        ends_at=ends_at,
        host_agency_id=host.id,
        location=clean.get("location"),
        invited_agency_ids=sorted(clean["invited_agency_ids"]),
        created_by_id=actor.id,
    )
    db.session.add(meeting)
    db.session.flush()
    record(
        actor,
        "meeting.create",
        meeting,
        detail={"title": meeting.title, "starts_at": starts_at, "host_agency_id": host.id},
    )
    propose_agenda(actor, meeting)
    send(meeting_changed, [meeting.id])
    return meeting


def reschedule(actor, meeting: Meeting, data: dict) -> dict:
    """Move a meeting or change its place: the invitation's SEQUENCE grows so calendars update."""
    require_coordinator(actor, meeting)
    clean = load(RescheduleSchema, data, partial=True, **given(actor))
    starts_at = clean.get("starts_at", meeting.starts_at)
    ends_at = clean.get("ends_at")
    if ends_at is None:
        ends_at = starts_at + (meeting.ends_at - meeting.starts_at if meeting.ends_at else timedelta(hours=2))
    if ends_at <= starts_at:
        check({"ends_at": [_l("The meeting must end after it starts.")]})
    values = {"starts_at": starts_at, "ends_at": ends_at}
    if "location" in clean:
        values["location"] = clean["location"]
    changed = changes(meeting, values)
    if changed:
        meeting.sequence += 1
        db.session.flush()
        record(
            actor, "meeting.reschedule", meeting, detail={"changes": changed, "sequence": meeting.sequence}
        )
    send(meeting_changed, [meeting.id])
    return changed


def publish(actor, meeting: Meeting) -> Meeting:
    require_coordinator(actor, meeting)
    if meeting.status == "published":
        raise WorkflowError(str(_l("The agenda is already published.")))
    if not meeting.items:
        raise WorkflowError(str(_l("The agenda is empty: add at least one item before publishing.")))
    meeting.status = "published"
    meeting.published_at = clock.now()
    db.session.flush()
    invited = meeting.invited_agency_ids or [
        a for a in db.session.scalars(select(Agency.id).where(Agency.mdt_id == meeting.mdt_id))
    ]
    members = db.session.scalars(
        select(Member.id).where(
            Member.mdt_id == meeting.mdt_id, Member.active.is_(True), Member.agency_id.in_(invited)
        )
    ).all()
    for member_id in members:
        if member_id != actor.id:
            db.session.add(
                notes.Notification(member_id=member_id, kind="meeting_published", meeting_id=meeting.id)
            )
    record(actor, "meeting.publish", meeting, detail={"items": len(meeting.items)})
    send(meeting_changed, [meeting.id])
    return meeting


def occurrences(series: MeetingSeries, zone: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` start times (UTC) of the series after ``after``, computed in the MDT's
    zone so that "9:30 on the first Thursday" stays 9:30 local."""
    tz = ZoneInfo(zone)
    if series.dtstart is None or not series.rrule:
        return []
    local_start = series.dtstart.astimezone(tz).replace(tzinfo=None)
    rule = rrulestr(series.rrule, dtstart=local_start)
    out: list[datetime] = []
    cursor = max(after.astimezone(tz).replace(tzinfo=None), local_start - timedelta(seconds=1))
    while len(out) < count:
        cursor = rule.after(cursor)
        if cursor is None:
            break
        out.append(cursor.replace(tzinfo=tz).astimezone(UTC))
    return out


def create_series(actor, data: dict) -> MeetingSeries:
    require_coordinator(actor)
    clean = load(SeriesSchema, data, **given(actor))
    first = clean["starts_at"]
    rule = rule_for(clean["repeats"], first.astimezone(ZoneInfo(actor.mdt.timezone)), clean.get("rrule"))
    series = MeetingSeries(
        mdt_id=actor.mdt_id,
        title=clean["title"],
        kind=clean["kind"],
        rrule=rule,
        rotation=clean["rotation"],
        dtstart=first,
        duration_minutes=clean["duration_minutes"],
        location=clean.get("location"),
        invited_agency_ids=clean["invited_agency_ids"],
    )
    db.session.add(series)
    db.session.flush()
    record(
        actor,
        "meeting.series_create",
        series,
        detail={"title": series.title, "rrule": rule, "rotation": series.rotation},
    )
    return series


def schedule_series(actor, series: MeetingSeries, count: int = 3) -> list[Meeting]:
    """Create the next ``count`` meetings of the series that do not exist yet, each with the
    next host in the rotation and an agenda proposed from the cases."""
    require_coordinator(actor)
    if series.mdt_id != actor.mdt_id:
        raise NotFound("No such series.")
    count = max(1, min(int(count), 12))
    held = set(db.session.scalars(select(Meeting.starts_at).where(Meeting.series_id == series.id)))
    latest = max(held, default=None)
    after = max(clock.now(), latest) if latest else clock.now()
    zone = actor.mdt.timezone
    made = []
    for starts_at in occurrences(series, zone, after, count):
        local = starts_at.astimezone(ZoneInfo(zone))
        made.append(
            create_meeting(
                actor,
                {
                    "title": series.title,
                    "kind": series.kind,
                    "series_id": series.id,
                    "starts_at": local.isoformat(),
                    "ends_at": (local + timedelta(minutes=series.duration_minutes)).isoformat(),
                    "location": series.location,
                    "invited_agency_ids": series.invited_agency_ids or [],
                },
            )
        )
    return made


def describe_rule(series: MeetingSeries, zone: str) -> str:
    """The rule in words for the common cases, else the RRULE itself."""
    rule = series.rrule or ""
    if not series.dtstart:
        return rule
    first = series.dtstart.astimezone(ZoneInfo(zone))
    day = get_day_names("wide", locale=get_locale())[first.weekday()]
    if rule == rule_for("monthly_weekday", first):
        nth = (first.day - 1) // 7 + 1
        ordinal = {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth")}.get(nth, _("last"))
        return _("The %(nth)s %(day)s of every month", nth=ordinal, day=day)
    if rule == rule_for("weekly", first):
        return _("Every %(day)s", day=day)
    if rule == rule_for("fortnightly", first):
        return _("Every other %(day)s", day=day)
    if rule == rule_for("monthly_date", first):
        return _("Day %(n)s of every month", n=first.day)
    return rule


def record_attendance(actor, meeting: Meeting, present_ids, listed_ids) -> int:
    """Mark who was present among the members listed on the form; the others listed are absent.
    Returns the number present."""

    require_coordinator(actor, meeting)
    clean = load(AttendanceSchema, {"present": present_ids, "listed": listed_ids}, mdt_id=meeting.mdt_id)
    listed = set(clean["listed"])
    present = set(clean["present"]) & listed
    rows = {
        a.member_id: a
        for a in db.session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)
        )
    }
    for member_id in sorted(listed):
        row = rows.get(member_id)
        if row is None:
            db.session.add(
                MeetingAttendance(
                    meeting_id=meeting.id,
                    member_id=member_id,
                    present=member_id in present,
                    recorded_by_id=actor.id,
                )
            )
        elif row.present != (member_id in present):
            row.present = member_id in present
            row.recorded_by_id = actor.id
            row.recorded_at = clock.now()
    db.session.flush()
    record(actor, "meeting.attendance", meeting, detail={"present": sorted(present)})
    return len(present)


def attendance_sheet(meeting: Meeting) -> list[dict]:
    """Members of the invited agencies (every agency when none were named), and anyone already
    recorded, with whether they were present (None: not recorded yet)."""

    recorded = {
        a.member_id: a.present
        for a in db.session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)
        )
    }
    stmt = select(Member).where(Member.mdt_id == meeting.mdt_id, Member.active.is_(True))
    if meeting.invited_agency_ids:
        stmt = stmt.where(
            or_(Member.agency_id.in_(meeting.invited_agency_ids), Member.id.in_(list(recorded) or [-1]))
        )
    people = db.session.scalars(stmt.order_by(Member.agency_id, Member.name)).all()
    return [{"member": m, "present": recorded.get(m.id)} for m in people]


def next_meeting(user) -> Meeting | None:
    """The MDT's next case conference (from the start of today, in the MDT's zone)."""
    start = clock.start_of(clock.today(user.mdt), user.mdt)
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.mdt_id == user.mdt_id, Meeting.kind == "case_conference", Meeting.starts_at >= start)
        .order_by(Meeting.starts_at)
        .limit(1)
    ).first()


def agenda_status(user, meeting: Meeting) -> dict:
    """Where a meeting's agenda stands for ``user``: published or not, items, and items with
    minutes among those they may read (a restricted item tells nothing of its minutes)."""
    rows = agenda_for(user, meeting)
    return {
        "published": meeting.status == "published",
        "items": len(rows),
        "with_minutes": sum(1 for r in rows if r.visible and (r.discussion or r.decisions)),
    }
