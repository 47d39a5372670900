"""What the public complaint form takes, and what a coordinator's decisions need."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from mdt.schema import Choice, RecordId, Schema, Text
from mdt.triage.models import CONTACT_WAYS, KINDS, STATUSES

# The languages of the public form.
PUBLIC_LANGUAGES = ("th", "en", "my", "km", "lo", "fil")


class ComplaintSchema(Schema):
    """A complaint from anyone, with no account: only what happened is required."""

    what_happened = Text(
        required=True,
        max_length=5000,
        error_messages={
            "required": _l("Tell us what happened."),
            "null": _l("Tell us what happened."),
        },
    )
    where = Text(max_length=300)
    agency_id = RecordId(metadata={"description": "an agency from the public list"})
    agency_name = Text(max_length=200)
    contact_way = Choice(CONTACT_WAYS, load_default="none")
    contact = Text(max_length=300)
    safe_times = Text(max_length=200)
    mdt_id = RecordId(metadata={"description": "the province's team, when the installation has several"})
    language = Choice(PUBLIC_LANGUAGES, load_default="th")


class ComplaintReceipt(Schema):
    tracking_code = fields.String(required=True)
    phrase = fields.String(required=True)


class ComplaintStatusQuery(Schema):
    code = Text(required=True, max_length=20)
    phrase = Text(required=True, max_length=40)


class ComplaintStatus(Schema):
    status = fields.String(required=True, metadata={"enum": ["received", "being_looked_at", "closed"]})


class DeclineSchema(Schema):
    reason = Text(
        required=True,
        max_length=2000,
        error_messages={"required": _l("Say why it is declined."), "null": _l("Say why it is declined.")},
    )


class MergeSchema(Schema):
    reference = Text(
        required=True,
        max_length=30,
        error_messages={
            "required": _l("Give the reference of the case."),
            "null": _l("Give the reference of the case."),
        },
    )


class AcceptSchema(Schema):
    """Accepting a complaint as a new case needs what the case needs: a name and sex (the
    volunteer's intake has them already)."""

    given_name = Text(max_length=120)
    family_name = Text(max_length=120)
    sex = Text(max_length=10)


class TriageItemSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(KINDS)})
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    created_at = fields.DateTime(required=True)
    data = fields.Dict()
    submitted_by = fields.Nested(
        Schema.from_dict({"id": fields.Integer(), "name": fields.String()}, name="Submitter"), allow_none=True
    )
    parent_id = fields.Integer(allow_none=True)
    intermediary_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    language = fields.String(allow_none=True)


class TriageQuery(Schema):
    status = Choice(("open",) + STATUSES, load_default="open")
