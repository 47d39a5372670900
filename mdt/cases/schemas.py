"""The shapes of returnees and their cases: what the forms and the API send, what the API answers,
and what the OpenAPI document says (one schema each, see ``mdt.schema``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validates, validates_schema

from mdt.cases.models import (
    CHANNELS,
    INTERMEDIARY_KINDS,
    PLAN_SERVICES,
    SECTORS,
    SEXES,
    SOURCES,
    STAGES,
)
from mdt.directory.models import Agency
from mdt.schema import (
    Choice,
    Country,
    Currency,
    Day,
    Flag,
    List,
    Money,
    Nested,
    RecordId,
    Ref,
    Schema,
    Text,
    Tristate,
)


class IntermediarySchema(Schema):
    """A link in the chain of intermediaries: recruitment agency, sub-agent, broker, employer."""

    id = fields.Integer(dump_only=True)
    name = Text(required=True, max_length=200)
    kind = Choice(INTERMEDIARY_KINDS, required=True)
    country = Country()


class PersonSchema(Schema):
    """A returnee. ``home_area`` in: a free-text village line (API convenience); out: the whole
    home address on one line."""

    id = fields.Integer(dump_only=True)
    given_name = Text(required=True, max_length=120)
    family_name = Text(max_length=120, load_default="")
    sex = Choice(SEXES, required=True)
    date_of_birth = Day(not_after="today")
    age = fields.Integer(dump_only=True, allow_none=True)
    is_minor = fields.Boolean(dump_only=True)
    phone = Text(max_length=40)
    email = Text(max_length=254)
    languages = Text(max_length=200)
    home_area = Text(max_length=400)
    home_province = Text(max_length=120)
    home_district = Text(max_length=120)
    home_subdistrict = Text(max_length=120)
    home_village = Text(max_length=120)
    safe_contact_note = Text(max_length=2000)
    contact_safe = Flag(metadata={"description": "the phone and email reach only the person"})

    @validates("email")
    def _email(self, value, **_kwargs):
        if value and ("@" not in value or " " in value):
            raise ValidationError(str(_l("Enter an email address like name@example.org.")))

    @post_load
    def _area(self, data, **_kwargs):
        area = data.pop("home_area", None)
        if area:
            data.setdefault("home_village", area)
        return data


class PersonChangeSchema(PersonSchema):
    """A change to a returnee's record: only the fields given (none is required), each checked as
    when the person was registered."""


class EpisodeSchema(Schema):
    """One migration episode: where, how, and what it cost the person."""

    id = fields.Integer(dump_only=True)
    destination_country = Country()
    sector = Choice(SECTORS)
    job = Text(max_length=200)
    departed_on = Day(not_after="today")
    returned_on = Day(not_after="today", not_before="departed_on")
    channel = Choice(CHANNELS, load_default="unknown")
    currency = Currency()
    recruitment_fee = Money()
    debt_amount = Money()
    debt_lender = Text(max_length=200)
    debt_collateral = Text(max_length=200)
    wages_owed = Money()
    documents_withheld = Text(max_length=300)
    intermediaries = List(Nested(IntermediarySchema), load_default=list)


class CaseCreateSchema(Schema):
    """Register a returnee and open a case; ``person_id`` opens a new case for a person already
    registered (only for a member who may read one of their cases)."""

    person = Nested(PersonSchema, required=True)
    person_id = RecordId(load_only=True)
    source = Choice(SOURCES, required=True)
    lead_agency_id = Ref(Agency, message=_l("No such agency in this MDT."))
    summary = Text(max_length=5000)
    episodes = List(Nested(EpisodeSchema))


class CaseUpdateSchema(Schema):
    """Change a case (PATCH: only the fields given)."""

    person = Nested(PersonChangeSchema(partial=True))
    source = Choice(SOURCES, required=True)
    lead_agency_id = Ref(Agency, message=_l("No such agency in this MDT."))
    summary = Text(max_length=5000)


class AssessmentSchema(Schema):
    """The intake assessment. The sensitive part (risks, health, status, counter-charges,
    whereabouts) is for the lead agency only."""

    needs = Text(max_length=5000)
    goals = Text(max_length=5000)
    strengths = Text(max_length=5000)
    eligible = Tristate(metadata={"description": "true, false, or null when not decided yet"})
    risks = Text(max_length=5000)
    counter_charge_risk = Flag()
    deportation_risk = Flag()
    health = Text(max_length=5000)
    immigration_status = Text(max_length=200)
    counter_charges = Text(max_length=5000)
    whereabouts = Text(max_length=5000)


class PlanItemSchema(Schema):
    """A line of the assistance plan: a goal of the person's, or a planned service."""

    id = fields.Integer(dump_only=True)
    kind = Choice(("goal", "service"), required=True)
    text = Text(required=True, max_length=2000)
    service = Choice(PLAN_SERVICES)

    @post_load
    def _service(self, data, **_kwargs):
        if data["kind"] == "service" and not data.get("service"):
            raise ValidationError({"service": [str(_l("This field is required."))]})
        return data


class NoteSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    body = Text(
        required=True,
        max_length=20000,
        error_messages={"required": _l("Write the note first."), "null": _l("Write the note first.")},
    )
    restricted = Flag()
    created_at = fields.DateTime(dump_only=True)
    # "member", or "sms": a reply the person sent by SMS (no author).
    source = fields.String(dump_only=True)
    author = fields.Nested(
        Schema.from_dict({"id": fields.Integer(), "name": fields.String()}, name="Author"),
        dump_only=True,
        allow_none=True,  # a reply by SMS has none
    )


class StageChangeSchema(Schema):
    """Move a case to another stage; closing needs the reason; ``closed`` -> ``active`` reopens."""

    to = Choice(STAGES, required=True)
    reason = Text(max_length=2000)

    @validates_schema
    def _closing(self, data, **_kwargs):
        if data.get("to") == "closed" and not data.get("reason"):
            raise ValidationError({"reason": [str(_l("Say why the case is closed."))]})


class SensitiveSchema(Schema):
    risks = fields.String(allow_none=True)
    counter_charge_risk = fields.Boolean()
    deportation_risk = fields.Boolean()
    health = fields.String(allow_none=True)
    immigration_status = fields.String(allow_none=True)
    counter_charges = fields.String(allow_none=True)
    whereabouts = fields.String(allow_none=True)


class TeamSchema(Schema):
    agency_ids = fields.List(fields.Integer())
    member_ids = fields.List(fields.Integer())


class AgencyRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class CaseSchema(Schema):
    """A case as the reader may see it: ``full`` false is a coordinator's summary (reference,
    stage, lead agency, dates); the person, episodes, team and sensitive part appear only to those
    who may see them (``shared_parts`` says which parts the reader's place on the team opens)."""

    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    version = fields.Integer(
        metadata={"description": "goes up with every change to the person, source, lead agency or summary"}
    )
    stage = fields.String(required=True, metadata={"enum": list(STAGES)})
    full = fields.Boolean(required=True)
    lead_agency = fields.Nested(AgencyRefSchema, allow_none=True)
    opened_on = fields.Date()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)
    source = fields.String(metadata={"enum": list(SOURCES)})
    summary = fields.String(allow_none=True)
    district = fields.String(allow_none=True)
    close_reason = fields.String(allow_none=True)
    allowed_moves = fields.List(fields.String(metadata={"enum": list(STAGES)}))
    shared_parts = fields.List(fields.String())
    person = fields.Nested(PersonSchema)
    episodes = fields.List(fields.Nested(EpisodeSchema))
    team = fields.Nested(TeamSchema)
    sensitive = fields.Nested(SensitiveSchema, allow_none=True)
