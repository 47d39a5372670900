"""Meetings and series: creating, moving and publishing a meeting, series with host rotation
(RRULE expanded in the MDT's zone), and attendance. Services flush; the caller commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from mdt import clock, policy
from mdt.audit.services import changes, record
from mdt.directory.models import Agency, Member
from mdt.errors import NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.meetings.models import MEETING_KINDS, Meeting, MeetingAttendance, MeetingSeries
from mdt.meetings.services.agenda import propose_agenda
from mdt.meetings.services.common import agency_ids, parse_when, require_coordinator
from mdt.meetings.signals import meeting_changed
from mdt.notifications import services as notes
from mdt.signals import send
from mdt.validation import Checker


def get_meeting(actor, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not policy.can(actor, "meeting.view", meeting):
        raise NotFound("No such meeting.")
    return meeting


def next_host(series: MeetingSeries) -> int | None:
    if not series.rotation:
        return None
    held = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.series_id == series.id))
    return series.rotation[held % len(series.rotation)]


def _common_fields(actor, data: dict):
    """Title, kind, place and start: what a meeting and a series both ask for."""
    c = Checker(data)
    c.text("title", required=True, max_length=200)
    c.choice("kind", MEETING_KINDS, required=True)
    c.text("location", max_length=300)
    zone = actor.mdt.timezone
    starts_at = parse_when(c.data.get("starts_at"), zone)
    if not starts_at:
        c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
    return c, zone, starts_at


def create_meeting(actor, data: dict) -> Meeting:
    require_coordinator(actor)
    c, zone, starts_at = _common_fields(actor, data)
    ends_at = parse_when(c.data.get("ends_at"), zone)
    if ends_at is False:
        c.error("ends_at", _l("Use a date and time like 2026-03-05T09:30."))
    elif ends_at and starts_at and ends_at <= starts_at:
        c.error("ends_at", _l("The meeting must end after it starts."))
    series = c.pick("series_id", MeetingSeries, mdt_id=actor.mdt_id, message=_l("Choose from the list."))
    raw_host = data.get("host_agency_id")
    if raw_host in (None, "") and series is not None:
        raw_host = next_host(series)
    host = c.pick(
        "host_agency_id",
        Agency,
        mdt_id=actor.mdt_id,
        required=True,
        value=raw_host,
        message=_l("Choose the host agency."),
    )
    invited = sorted(agency_ids(c, "invited_agency_ids", actor.mdt_id))
    c.raise_if_errors()
    end = ends_at = ends_at or starts_at + timedelta(hours=2)  # two hours unless said otherwise
    if series is not None:
        overlapping = db.session.scalar(
            select(Meeting.id).where(
                Meeting.series_id == series.id, Meeting.starts_at < end, Meeting.ends_at > starts_at
            )
        )
        if overlapping:
            raise ValidationError(
                "Overlap.", {"starts_at": [str(_l("Another meeting of this series is at that time."))]}
            )
    meeting = Meeting(
        mdt_id=actor.mdt_id,
        series_id=series.id if series else None,
        title=c.clean["title"],
        kind=c.clean["kind"],
        starts_at=starts_at,
        ends_at=ends_at,
        host_agency_id=host.id,
        location=c.clean.get("location"),
        invited_agency_ids=invited,
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
    require_coordinator(actor)
    c = Checker(data)
    zone = actor.mdt.timezone
    starts_at = parse_when(c.data.get("starts_at"), zone) if "starts_at" in c.data else meeting.starts_at
    ends_at = parse_when(c.data.get("ends_at"), zone) if c.data.get("ends_at") else None
    if not starts_at:
        c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
    if ends_at is False:
        c.error("ends_at", _l("Use a date and time like 2026-03-05T09:30."))
    if "location" in c.data:
        c.text("location", max_length=300)
    c.raise_if_errors()
    if ends_at is None and starts_at:
        ends_at = starts_at + (meeting.ends_at - meeting.starts_at if meeting.ends_at else timedelta(hours=2))
    if ends_at <= starts_at:
        raise ValidationError("Bad times.", {"ends_at": [str(_l("The meeting must end after it starts."))]})
    values = {"starts_at": starts_at, "ends_at": ends_at}
    if "location" in c.clean:
        values["location"] = c.clean["location"]
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
    require_coordinator(actor)
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


REPEATS = ("monthly_weekday", "monthly_date", "weekly", "fortnightly", "custom")


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def rule_for(repeats: str, first: datetime, custom: str | None = None) -> str:
    """The RRULE for a choice in the form, anchored on the first meeting's local date: "monthly
    on the same weekday" from a first Thursday gives FREQ=MONTHLY;BYDAY=1TH (the last one of
    the month when the first meeting is in the fifth week)."""
    weekday = _WEEKDAYS[first.weekday()]
    if repeats == "monthly_weekday":
        nth = (first.day - 1) // 7 + 1
        return f"FREQ=MONTHLY;BYDAY={-1 if nth == 5 else nth}{weekday}"
    if repeats == "monthly_date":
        return f"FREQ=MONTHLY;BYMONTHDAY={first.day}"
    if repeats == "weekly":
        return f"FREQ=WEEKLY;BYDAY={weekday}"
    if repeats == "fortnightly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}"
    return (custom or "").strip().upper().removeprefix("RRULE:")


def occurrences(series: MeetingSeries, zone: str, after: datetime, count: int) -> list[datetime]:
    """The next ``count`` start times (UTC) of the series after ``after``, computed in the MDT's
    zone so that "9:30 on the first Thursday" stays 9:30 local."""
    from dateutil.rrule import rrulestr

    tz = ZoneInfo(zone)
    local_start = series.dtstart.astimezone(tz).replace(tzinfo=None)
    rule = rrulestr(series.rrule, dtstart=local_start)
    out, cursor = [], max(after.astimezone(tz).replace(tzinfo=None), local_start - timedelta(seconds=1))
    while len(out) < count:
        cursor = rule.after(cursor)
        if cursor is None:
            break
        out.append(cursor.replace(tzinfo=tz).astimezone(UTC))
    return out


def create_series(actor, data: dict) -> MeetingSeries:
    require_coordinator(actor)
    c, zone, first = _common_fields(actor, data)
    c.choice("repeats", REPEATS, required=True)
    c.text("rrule", max_length=200)
    try:
        minutes = int(c.data.get("duration_minutes") or 120)
        if not 15 <= minutes <= 12 * 60:
            raise ValueError
    except (TypeError, ValueError):
        c.error("duration_minutes", _l("Between 15 and 720 minutes."))
        minutes = 120
    rotation = agency_ids(c, "rotation", actor.mdt_id)
    if not rotation and "rotation" not in c.errors:
        c.error("rotation", _l("Choose at least one host agency."))
    invited = agency_ids(c, "invited_agency_ids", actor.mdt_id)
    rule = None
    if first and c.clean.get("repeats"):
        rule = rule_for(c.clean["repeats"], first.astimezone(ZoneInfo(zone)), c.clean.get("rrule"))
        try:
            from dateutil.rrule import rrulestr

            if not rule or "FREQ=" not in rule:
                raise ValueError
            rrulestr(rule, dtstart=first.replace(tzinfo=None))
        except (ValueError, TypeError):
            c.error("rrule", _l("Write a rule like FREQ=MONTHLY;BYDAY=1TH (RFC 5545)."))
    c.raise_if_errors()
    series = MeetingSeries(
        mdt_id=actor.mdt_id,
        title=c.clean["title"],
        kind=c.clean["kind"],
        rrule=rule,
        rotation=rotation,
        dtstart=first,
        duration_minutes=minutes,
        location=c.clean.get("location"),
        invited_agency_ids=invited,
    )
    db.session.add(series)
    db.session.flush()
    record(
        actor,
        "meeting.series_create",
        series,
        detail={"title": series.title, "rrule": rule, "rotation": rotation},
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
    from babel.dates import get_day_names
    from flask_babel import get_locale

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

    require_coordinator(actor)
    try:
        listed = {int(m) for m in listed_ids}
        present = {int(m) for m in present_ids} & listed
    except (TypeError, ValueError):
        raise ValidationError(
            "Bad members.", {"present": [str(_l("Choose members from the list."))]}
        ) from None
    valid = (
        set(
            db.session.scalars(
                select(Member.id).where(Member.mdt_id == meeting.mdt_id, Member.id.in_(listed))
            )
        )
        if listed
        else set()
    )
    if valid != listed:
        raise ValidationError("Bad members.", {"present": [str(_l("Choose members from the list."))]})
    rows = {
        a.member_id: a
        for a in db.session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)
        )
    }
    for member_id in listed:
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
