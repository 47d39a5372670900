"""The shapes of reminders: a reminder as the API answers it, and a member's reminder settings as
the form on /reminders sends them (see ``mdt.schema``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validates_schema

from mdt.reminders.models import CHANNELS, PURPOSES, SOURCES, STATUSES
from mdt.schema import Field, Flag, Schema, context

PICK = _l("Choose from the list.")
WHOLE_DAYS = _l("Write whole days separated by commas, like 7, 1.")


class Channels(Field, fields.List):
    """The channels ticked, in the product's order (a form sends one as a string)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("load_default", list)
        kwargs.setdefault("allow_none", False)
        super().__init__(fields.String(metadata={"enum": list(CHANNELS)}), *args, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            value = []
        elif isinstance(value, str):
            value = [value]
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValidationError(str(PICK))
        if set(value) - set(CHANNELS):
            raise ValidationError(str(PICK))
        return [ch for ch in CHANNELS if ch in value]


class LeadDays(Field, fields.List):
    """Days before, latest first: ``"7, 1"`` from the form (or a list), at most five, 0 to 60.
    Blank: the defaults."""

    def __init__(self, *args, **kwargs):
        super().__init__(
            fields.Integer(metadata={"minimum": 0, "maximum": 60}),
            *args,
            metadata={"maxItems": 5, "description": 'days before; a form sends "7, 1"'},
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        parts = value if isinstance(value, list) else str(value).replace(" ", "").split(",")
        days = set()
        for part in parts:
            if isinstance(part, str) and not part.strip():
                continue
            try:
                if isinstance(part, bool) or not isinstance(part, int | str):
                    raise ValueError
                days.add(int(part))
            except ValueError:
                raise ValidationError(str(WHOLE_DAYS)) from None
        if not days or any(d < 0 or d > 60 for d in days) or len(days) > 5:
            raise ValidationError(str(_l("Up to five numbers of days between 0 and 60.")))
        return sorted(days, reverse=True)


class ClockTime(Field, fields.String):
    """A time of day, ``21:00`` (local time)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe(pattern=r"^\d{2}:\d{2}$")

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            hh, mm = str(value).strip().split(":")[:2]
            if not (0 <= int(hh) < 24 and 0 <= int(mm) < 60):
                raise ValueError
        except ValueError:
            raise ValidationError(str(_l("Use a time like 21:00."))) from None
        return f"{int(hh):02d}:{int(mm):02d}"


class ReminderPreferencesSchema(Schema):
    """A member's reminder settings: channels (SMS needs a phone number on the profile), days
    before each kind of event, quiet hours (both ends or neither), and a morning digest."""

    channels = Channels()
    lead_meeting = LeadDays()
    lead_hearing = LeadDays()
    lead_court_support = LeadDays()
    quiet_start = ClockTime()
    quiet_end = ClockTime()
    digest = Flag(metadata={"description": "one email each morning with the day's reminders"})

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data, **_kwargs):
        errors = {}
        if "sms" in data.get("channels", []) and not context().get("phone"):
            errors["channels"] = [str(_l("Add a phone number to your profile to get SMS."))]
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            errors["quiet_end"] = [str(_l("Give both the start and the end of the quiet hours."))]
        if errors:
            raise ValidationError(errors)


class ReminderSchema(Schema):
    """A reminder in the outbox: for whom, about what, when, and how it went."""

    id = fields.Integer(required=True)
    member_id = fields.Integer(allow_none=True, metadata={"description": "null: the person themself"})
    source_type = fields.String(required=True, metadata={"enum": list(SOURCES)})
    source_id = fields.Integer(required=True)
    purpose = fields.String(required=True, metadata={"enum": list(PURPOSES)})
    lead = fields.String(required=True, metadata={"description": '"7d", "midpoint", "overdue:2026-11-23"...'})
    channel = fields.String(required=True, metadata={"enum": list(CHANNELS)})
    scheduled_at = fields.DateTime(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    attempts = fields.Integer(required=True)
    last_error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
