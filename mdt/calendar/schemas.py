"""The shapes of the calendar (see ``mdt.schema``)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, ValidationError, fields, validates_schema

from mdt.schema import Day, Schema

KINDS = ("hearing", "deadline", "meeting", "action")
LONGEST = timedelta(days=366)


class PeriodSchema(Schema):
    """``?from=2026-12-01&to=2026-12-31``: days in the caller's MDT's zone, at most a year."""

    class Meta:
        unknown = EXCLUDE

    from_ = Day(required=True, data_key="from")
    to = Day(required=True)

    @validates_schema
    def _order(self, data, **_kwargs):
        if data["to"] < data["from_"]:
            raise ValidationError({"to": [str(_l("The end is before the start."))]})
        if data["to"] - data["from_"] > LONGEST:
            raise ValidationError({"to": [str(_l("At most a year at a time."))]})


class EntrySchema(Schema):
    """One thing on a day: ``date`` is the day on which it falls in the MDT's zone (a deadline's
    is its last day in the court's calendar)."""

    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    date = fields.Date(required=True, attribute="day")
    starts_at = fields.DateTime(attribute="at", allow_none=True)
    status = fields.String()
    case_id = fields.Integer(allow_none=True)
    matter_id = fields.Integer(allow_none=True)


class CalendarSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema), required=True)
