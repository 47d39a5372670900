"""The shapes of meetings: a meeting and its series, moving one, the agenda, the minutes,
attendance and action items. What the forms and the API send, what the API answers, and what the
OpenAPI document says (one schema each, see ``mdt.schema``). Times without an offset are read in
the MDT's zone (``load(..., zone=...)``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import marshmallow as ma
from dateutil.rrule import rrule, rrulestr
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_dump, validates_schema
from sqlalchemy import select

from mdt.cases.models import Case
from mdt.directory.models import Agency, Member
from mdt.extensions import db
from mdt.meetings.models import AGENDA_REASONS, MEETING_KINDS, MeetingSeries
from mdt.schema import (
    MAX_ID,
    Choice,
    Count,
    Day,
    Field,
    Flag,
    Moment,
    RecordId,
    Ref,
    Schema,
    Text,
    context,
    record_id,
)

WHEN = _l("Use a date and time like 2026-03-05T09:30.")
ENDS_AFTER = _l("The meeting must end after it starts.")
NO_CASE = _l("No such case in this MDT.")
AGENCIES = _l("Choose agencies from the list.")
MEMBERS = _l("Choose members from the list.")
OWNER_AGENCY = _l("Every action item needs an owner agency.")
OWNER = _l("The owner must be a member of the owner agency.")
RULE = _l("Write a rule like FREQ=MONTHLY;BYDAY=1TH (RFC 5545).")

REPEATS = ("monthly_weekday", "monthly_date", "weekly", "fortnightly", "custom")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# A meeting repeats daily at most: a rule by the hour or the second is refused.
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


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


def _rule_works(rule: str, first: datetime) -> bool:
    """An RRULE dateutil reads, repeating daily at most, with a meeting within two years."""
    parts = dict(p.partition("=")[::2] for p in rule.split(";"))
    if parts.get("FREQ") not in _FREQUENCIES:
        return False
    start = first.replace(tzinfo=None)
    try:
        parsed = rrulestr(rule, dtstart=start)
        if not isinstance(parsed, rrule):
            return False
        # Bounded, so that a rule that never happens is not looked through to the year 9999.
        return next(iter(parsed.replace(count=None, until=start + timedelta(days=730))), None) is not None
    except (ValueError, TypeError, OverflowError):
        return False


# ---------------------------------------------------------------- fields


class Ids(Field, fields.List):
    """Ids of records of the MDT in the context (``mdt_id``), in the order given, duplicates
    dropped: the agencies or members ticked on a form. Any other id gets ``message`` at the field
    itself. A form sends one value as a string, none as an empty list."""

    def __init__(self, model, *args, message=None, **kwargs):
        self.model = model
        self.message = message or _l("Choose from the list.")
        kwargs.setdefault("load_default", list)
        kwargs.setdefault("allow_none", False)
        super().__init__(fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID)), *args, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            value = []
        elif isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list | tuple):
            raise ValidationError(str(self.message))
        wanted: list[int] = []
        for raw in value:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            ident = record_id(raw)
            if ident is None:
                raise ValidationError(str(self.message))
            if ident not in wanted:
                wanted.append(ident)
        if wanted:
            known = set(
                db.session.scalars(
                    select(self.model.id).where(
                        self.model.mdt_id == context().get("mdt_id"), self.model.id.in_(wanted)
                    )
                )
            )
            if len(known) != len(wanted):
                raise ValidationError(str(self.message))
        return wanted


def _when(**kwargs) -> Moment:
    """A start: missing or blank says how to write one, as the forms always did."""
    return Moment(required=True, error_messages={"required": WHEN, "null": WHEN}, **kwargs)


class _EndsAfterStart:
    @validates_schema(skip_on_field_errors=False)
    def _ends_after_start(self, data, **_kwargs):
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            raise ValidationError({"ends_at": [str(ENDS_AFTER)]})


# ---------------------------------------------------------------- meetings and series


class MeetingSchema(_EndsAfterStart, Schema):
    """A meeting. In: what a coordinator gives to create one (times without an offset are read in
    the MDT's zone; the host is, when not given, the next agency in the series' rotation). Out:
    the meeting."""

    id = fields.Integer(dump_only=True)
    title = Text(required=True, max_length=200)
    kind = Choice(MEETING_KINDS, required=True)
    starts_at = _when()
    ends_at = Moment(metadata={"description": "two hours after the start when not given"})
    host_agency_id = Ref(
        Agency,
        load_default=None,
        message=_l("Choose the host agency."),
        metadata={"description": "required unless the series gives the next host in its rotation"},
    )
    location = Text(max_length=300)
    status = fields.String(dump_only=True, metadata={"enum": ["draft", "published"]})
    series_id = Ref(MeetingSeries)
    invited_agency_ids = Ids(
        Agency, message=AGENCIES, metadata={"description": "none: every agency of the MDT is invited"}
    )

    @validates_schema(skip_on_field_errors=False)
    def _host(self, data, **_kwargs):
        if "host_agency_id" in data and data["host_agency_id"] is None and data.get("series_id") is None:
            raise ValidationError({"host_agency_id": [str(_l("Choose the host agency."))]})


class SeriesSchema(Schema):
    """Recurring meetings: the first one's time (in the MDT's zone), how they repeat (``custom``:
    an RFC 5545 ``rrule``), their length, and the agencies that host in turn."""

    id = fields.Integer(dump_only=True)
    title = Text(required=True, max_length=200)
    kind = Choice(MEETING_KINDS, required=True)
    starts_at = _when(metadata={"description": "the first meeting"})
    repeats = Choice(REPEATS, required=True)
    rrule = Text(
        max_length=200, metadata={"description": "with repeats=custom, e.g. FREQ=MONTHLY;BYDAY=-1FR"}
    )
    duration_minutes = Count(low=15, high=720, message=_l("Between 15 and 720 minutes."), load_default=120)
    location = Text(max_length=300)
    rotation = Ids(Agency, message=AGENCIES, metadata={"description": "the host agencies, in turn"})
    invited_agency_ids = Ids(Agency, message=AGENCIES)

    @validates_schema(skip_on_field_errors=False)
    def _series(self, data, **_kwargs):
        errors = {}
        if "rotation" in data and not data["rotation"]:
            errors["rotation"] = [str(_l("Choose at least one host agency."))]
        first, repeats = data.get("starts_at"), data.get("repeats")
        if first and repeats:
            local = first.astimezone(ZoneInfo(context().get("zone", "UTC")))
            if not _rule_works(rule_for(repeats, local, data.get("rrule")), local):
                errors["rrule"] = [str(RULE)]
        if errors:
            raise ValidationError(errors)


class RescheduleSchema(_EndsAfterStart, Schema):
    """Move a meeting or change its place (only the fields given; without ``ends_at`` it keeps
    its length). Calendars that subscribed update: the invitation's SEQUENCE grows."""

    starts_at = _when()
    ends_at = Moment()
    location = Text(max_length=300)


# ---------------------------------------------------------------- the agenda and the minutes


class AgendaItemSchema(Schema):
    """An agenda item. In: one added by hand. Out: as the reader may see it; on a case the reader
    may not see, the case's reference stands for the title, without the detail (``restricted``);
    on a legal matter the reader may not see, "Legal matter" stands for it."""

    id = fields.Integer(dump_only=True)
    position = fields.Integer(dump_only=True)
    case_id = Ref(Case, message=NO_CASE)
    matter_id = fields.Integer(
        dump_only=True,
        allow_none=True,
        metadata={"description": "the legal matter whose hearing or time limit the item is about"},
    )
    reason = fields.String(dump_only=True, metadata={"enum": list(AGENDA_REASONS)})
    title = Text(required=True, max_length=300)
    detail = Text(max_length=2000)
    restricted = fields.Boolean(dump_only=True)

    @post_dump
    def _no_empty_detail(self, data, **_kwargs):
        if data.get("detail") == "":
            data["detail"] = None
        return data


class AgendaSchema(Schema):
    """A meeting's agenda as the reader may see it."""

    items = fields.List(fields.Nested(AgendaItemSchema), required=True)
    status = fields.String(required=True, metadata={"enum": ["draft", "published"]})


class MinutesSchema(Schema):
    """The minutes of one agenda item (only the fields given change)."""

    presenter_id = Ref(Member, message=_l("No such member in this MDT."))
    discussion = Text(max_length=10000)
    decisions = Text(max_length=10000)
    finished = Flag(metadata={"description": "false: the item carries over to the next meeting"})


class AttendanceSchema(Schema):
    """Who was present among the members listed on the sheet (the others listed were absent)."""

    present = Ids(Member, message=MEMBERS)
    listed = Ids(Member, message=MEMBERS)

    def handle_error(self, error, data, **kwargs):
        # The sheet shows one message, above the ticks.
        raise ValidationError({"present": [str(MEMBERS)]})


# ---------------------------------------------------------------- action items


class ActionItemSchema(Schema):
    """An action item. In: decided at a meeting (or on its own), owned by an agency and maybe one
    of its members, due on a day not before the meeting. Out: as the reader may see it; on a case
    the reader may not see, the case's reference stands for the title and the note is withheld
    (``restricted``)."""

    id = fields.Integer(dump_only=True)
    title = Text(required=True, max_length=300)
    restricted = fields.Boolean(dump_only=True)
    case_id = Ref(Case, message=NO_CASE)
    meeting_id = fields.Integer(dump_only=True, allow_none=True)
    agenda_item_id = RecordId(
        metadata={"description": "the item of the meeting's agenda it was decided on"}, allow_none=True
    )
    owner_agency_id = Ref(
        Agency,
        required=True,
        message=OWNER_AGENCY,
        error_messages={"required": OWNER_AGENCY, "null": OWNER_AGENCY},
    )
    owner_id = Ref(Member, message=OWNER)
    due_on = Day(required=True)
    done = fields.Boolean(dump_only=True)
    done_note = fields.String(dump_only=True, allow_none=True)

    @validates_schema(skip_on_field_errors=False)
    def _owner_and_due(self, data, **_kwargs):
        errors = {}
        owner, agency = data.get("owner_id"), data.get("owner_agency_id")
        if owner is not None and agency is not None and owner.agency_id != agency.id:
            errors["owner_id"] = [str(OWNER)]
        earliest, due = context().get("meeting_day"), data.get("due_on")
        if earliest is not None and due is not None and due < earliest:
            errors["due_on"] = [str(_l("The due date cannot be before the meeting."))]
        if errors:
            raise ValidationError(errors)


class ActionDoneSchema(Schema):
    """Close an action item, with a note if you like."""

    note = Text(max_length=5000)
