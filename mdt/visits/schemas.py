"""The follow-up visit form and the schedule's months: one schema each, for the web form, the API
and offline sync alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from mdt.schema import Choice, Day, List, RecordId, Schema, Text
from mdt.visits.models import NEEDS, SEEN, WELLBEING


class VisitSchema(Schema):
    """A follow-up visit: when and where, who was seen, how the person is and what they need."""

    id = fields.Integer(dump_only=True)
    case_id = RecordId(metadata={"description": "the case (offline sync; the URL says it otherwise)"})
    visited_on = Day(required=True, not_after="today")
    place = Text(max_length=200)
    seen = List(Choice(SEEN), load_default=list)
    wellbeing = Choice(
        WELLBEING,
        required=True,
        error_messages={"required": _l("Say how the person is.")},
    )
    needs = List(Choice(NEEDS), load_default=list)
    notes = Text(max_length=5000)
    next_visit_on = Day(not_before="visited_on")
    created_at = fields.DateTime(dump_only=True)


class ScheduleSchema(Schema):
    """Months after the return at which a visit is due (1 to 36)."""

    months = List(
        fields.Integer(validate=validate.Range(min=1, max=36)),
        required=True,
        validate=validate.Length(max=12),
    )
