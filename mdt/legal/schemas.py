"""The shapes of the legal domain: matters and their claimants, hearings, events and the
deadlines they start, deadline rules and court closure days. What the forms and the API send,
what the API answers, and what the OpenAPI document says (one schema each, see ``mdt.schema``).

Times given without an offset are read in the court's zone (``clock.COURT_ZONES``): the services
load hearings with ``zone=`` set to it, and events with ``today=`` the court's date."""

from __future__ import annotations

from datetime import datetime

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from mdt import clock
from mdt.cases.models import INTERMEDIARY_KINDS, Case
from mdt.directory.models import Member
from mdt.legal.calendar import ROLLS, UNITS
from mdt.legal.models import (
    CLAIMANT_STATUSES,
    CONFIDENCE,
    DEADLINE_STATUSES,
    EVENT_KINDS,
    HEARING_STATUSES,
    JURISDICTIONS,
    MATTER_KINDS,
    MATTER_STAGES,
    SUPPORT_KINDS,
    LegalMatter,
)
from mdt.schema import (
    Choice,
    Count,
    Currency,
    Day,
    Flag,
    List,
    Moment,
    Money,
    Nested,
    RecordId,
    Ref,
    Schema,
    Text,
)

# The currency of a claim when none is given: the court's.
COURT_CURRENCY = {"TH": "THB", "PH": "PHP"}
# An ISO 4217 code; missing: the court's (or, in a change, the claim's).
CLAIM_CURRENCY = {"description": "ISO 4217; missing: the court's"}

WHOLE_NUMBER = _l("A whole number from %(low)s to %(high)s.", low=0, high=36500)
NOT_ON_TEAM = _l("No such case, or you are not on its team.")
IN_THE_PAST = _l("A new hearing cannot be in the past.")
RULE_KINDS = _l("Choose the kinds of matter the rule applies to.")
DATE_TIME = _l("Use a date and time like 2026-03-05T09:30.")
# The forms' messages for an empty field (as before the schemas).
NO_TIME = {"required": DATE_TIME, "null": DATE_TIME}


# ---------------------------------------------------------------- fields of this domain


class CourtMoment(Moment):
    """A date and time (read in the court's zone when it has no offset, see ``Moment``) between
    1900 and 9000, so that reminders and calendars can count from it. ``future``: not earlier than
    now (a hearing being scheduled)."""

    def __init__(self, *args, future: bool = False, **kwargs):
        self.future = future
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = super()._deserialize(value, attr, data, **kwargs)
        except (OverflowError, ValueError):  # beyond what a datetime can hold once in UTC
            raise ValidationError(str(DATE_TIME)) from None
        if moment.year < 1900:
            raise ValidationError(str(_l("This date is too early.")))
        if moment.year > 9000:
            raise ValidationError(str(DATE_TIME))
        if self.future and moment < clock.now():
            raise ValidationError(str(IN_THE_PAST))
        return moment


class Itself(Nested):
    """A nested shape whose fields are attributes of the record itself (a claimant's debt
    relief): dumped from the record, loaded from an object under the field's name."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj


class Changes(Schema):
    """A PATCH body: only the fields given are changed, so the document marks none required
    (services load it with ``partial=True``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


# ---------------------------------------------------------------- matters and claimants


class RespondentSchema(Schema):
    """A respondent: an intermediary of the registry (found by name and kind, or added)."""

    id = fields.Integer(dump_only=True)
    name = Text(required=True, max_length=200)
    kind = Choice(INTERMEDIARY_KINDS, required=True)


class NewClaimantSchema(Schema):
    """A claimant added to a matter: a case the caller is on the team of (it needs the person's
    live consent to legal action: 409 otherwise). ``currency``: the court's when not given."""

    case_id = Ref(
        Case,
        required=True,
        message=NOT_ON_TEAM,
        visible="case_visible",
        error_messages={"required": NOT_ON_TEAM, "null": NOT_ON_TEAM},
    )
    amount_claimed = Money()
    currency = Currency(metadata=CLAIM_CURRENCY)


class DebtReliefSchema(Schema):
    loan_cancelled = Flag(allow_none=False)
    collateral_returned = Flag(allow_none=False)
    note = Text(max_length=2000, attribute="debt_relief_note")


class ClaimantSchema(Schema):
    """A claimant as the API answers it; PATCH changes the status and the amounts (only the
    fields given)."""

    id = fields.Integer(dump_only=True, required=True)
    case_id = fields.Integer(dump_only=True, required=True)
    case_reference = fields.String(dump_only=True, attribute="case.reference")
    name = fields.String(dump_only=True, attribute="case.person.full_name")
    currency = Currency(metadata=CLAIM_CURRENCY)
    amount_claimed = Money()
    amount_awarded = Money()
    amount_received = Money()
    status = Choice(CLAIMANT_STATUSES, required=True)
    debt_relief = Itself(DebtReliefSchema)

    @post_load
    def _relief(self, data, **_kwargs):
        data.update(data.pop("debt_relief", None) or {})
        return data


class ClaimantChangeSchema(ClaimantSchema, Changes):
    """Change a claimant: status, amounts, currency, debt relief (only the fields given)."""


class MatterCreateSchema(Schema):
    """Open a legal matter. Claimants are cases the caller is on the team of; the caller, when a
    lawyer, is one of the matter's lawyers."""

    kind = Choice(MATTER_KINDS, required=True)
    jurisdiction = Choice(JURISDICTIONS, required=True)
    title = Text(required=True, max_length=300)
    forum = Text(max_length=200)
    docket_no = Text(max_length=100)
    stage = Choice(MATTER_STAGES, load_default="fact_finding", allow_none=False)
    respondents = List(Nested(RespondentSchema), load_default=list)
    claimants = List(Nested(NewClaimantSchema), load_default=list)
    lawyer_ids = List(
        Ref(Member, message=_l("No such member in this MDT."), allow_none=False), load_default=list
    )


class MatterUpdateSchema(Changes):
    """Change a matter (PATCH: only the fields given). ``linked_matter_ids``: the other tracks of
    the same dispute (the whole list; an empty one unlinks them all)."""

    title = Text(required=True, max_length=300)
    forum = Text(max_length=200)
    docket_no = Text(max_length=100)
    stage = Choice(MATTER_STAGES, required=True)
    supervising_lawyer_id = Ref(Member, message=_l("Choose a lawyer of this MDT."))
    linked_matter_ids = List(
        Ref(LegalMatter, message=_l("No such legal matter in this MDT."), allow_none=False)
    )


class AmountsSchema(Schema):
    claimed = Money(required=True)
    awarded = Money(required=True)
    received = Money(required=True)


class MatterRowSchema(Schema):
    """A matter in a list."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(MATTER_KINDS)})
    jurisdiction = fields.String(required=True, metadata={"enum": list(JURISDICTIONS)})
    title = fields.String(required=True)
    stage = fields.String(required=True, metadata={"enum": list(MATTER_STAGES)})
    forum = fields.String(allow_none=True)
    docket_no = fields.String(allow_none=True)
    updated_at = fields.DateTime()


class MatterSchema(MatterRowSchema):
    """A matter as the caller may see it: the claimants on cases they may read, a count of the
    others, totals per currency over all claimants, the linked tracks."""

    lawyer_ids = fields.List(fields.Integer(), required=True)
    supervising_lawyer_id = fields.Integer(allow_none=True)
    respondents = fields.List(fields.Nested(RespondentSchema), required=True)
    claimants = fields.List(fields.Nested(ClaimantSchema), required=True)
    claimants_total = fields.Integer(required=True)
    claimants_hidden = fields.Integer(
        required=True, metadata={"description": "on cases the caller cannot see"}
    )
    claimants_active = fields.Integer(required=True)
    totals = fields.Dict(
        keys=fields.String(metadata={"pattern": "^[A-Z]{3}$"}),
        values=fields.Nested(AmountsSchema),
        required=True,
        metadata={"description": "per currency, over every claimant"},
    )
    linked_matter_ids = fields.List(fields.Integer(), required=True)
    created_at = fields.DateTime()


# ---------------------------------------------------------------- hearings


class SupportLineSchema(Schema):
    """A line of a hearing's court-support checklist: who arranges it, and whether it is done."""

    id = RecordId(required=True)
    kind = fields.String(dump_only=True, metadata={"enum": list(SUPPORT_KINDS)})
    owner_id = Ref(Member, message=_l("No such member in this MDT."))
    done = Flag(allow_none=False)

    @post_load
    def _owner(self, data, **_kwargs):
        if "owner_id" in data:
            data["owner_id"] = getattr(data["owner_id"], "id", None)
        return data


class SupportSchema(Schema):
    """Court support for a hearing and the claimants attending (the whole list of ids)."""

    support = List(Nested(SupportLineSchema), load_default=list)
    attending = List(RecordId(allow_none=False))


class HearingSchema(Schema):
    """A hearing. ``starts_at`` without an offset is read in the court's zone; a new hearing is
    not in the past."""

    id = fields.Integer(dump_only=True, required=True)
    matter_id = fields.Integer(dump_only=True, required=True)
    starts_at = CourtMoment(required=True, future=True, error_messages=NO_TIME)
    purpose = Text(required=True, max_length=300)
    location = Text(max_length=300)
    status = fields.String(dump_only=True, metadata={"enum": list(HEARING_STATUSES)})
    outcome_notes = fields.String(dump_only=True, allow_none=True)
    next_hearing_id = fields.Integer(dump_only=True, allow_none=True)
    support = fields.List(fields.Nested(SupportLineSchema), dump_only=True)


class HearingChangeSchema(Changes):
    """Change a hearing (PATCH: only the fields given). A new ``starts_at`` reschedules its
    reminders; ``adjourned`` needs ``next_starts_at``, the follow-up hearing's time."""

    starts_at = CourtMoment(required=True, error_messages=NO_TIME)
    purpose = Text(required=True, max_length=300)
    location = Text(max_length=300)
    status = Choice(HEARING_STATUSES, required=True)
    outcome_notes = Text(max_length=5000)
    next_starts_at = CourtMoment()

    @validates_schema
    def _adjourned(self, data, **_kwargs):
        if data.get("status") != "adjourned":
            return
        follow: datetime | None = data.get("next_starts_at")
        if follow is None:
            raise ValidationError({"next_starts_at": [str(_l("Adjourning needs the new date and time."))]})
        if follow < clock.now():
            raise ValidationError({"next_starts_at": [str(IN_THE_PAST)]})


# ---------------------------------------------------------------- events and deadlines


class DeadlineSchema(Schema):
    """A time limit: computed from an event by a rule (``trace`` says how it was counted), or set
    by hand. ``verified`` false: the rule is not confirmed with counsel."""

    id = fields.Integer(required=True)
    matter_id = fields.Integer(required=True)
    event_id = fields.Integer(required=True, allow_none=True)
    rule_id = fields.Integer(allow_none=True)
    rule = fields.Function(
        lambda d: d.rule.code if d.rule else None,
        required=True,
        allow_none=True,
        metadata={"type": "string", "description": "the rule's code"},
    )
    title = fields.String(required=True)
    due_on = fields.Date(required=True)
    citation = fields.String(required=True, allow_none=True)
    verified = fields.Boolean(required=True)
    trace = fields.List(fields.String(), required=True)
    status = fields.String(required=True, metadata={"enum": list(DEADLINE_STATUSES)})
    set_by_hand = fields.Boolean(required=True)
    done_at = fields.DateTime(allow_none=True)


class EventSchema(Schema):
    """Something that happened in the proceedings (not after today in the court's calendar): it
    starts the deadlines that the rules of the matter's jurisdiction and kind attach to it."""

    id = fields.Integer(dump_only=True, required=True)
    matter_id = fields.Integer(dump_only=True)
    kind = Choice(EVENT_KINDS, required=True)
    occurred_on = Day(required=True, not_after="today")
    note = Text(max_length=2000)
    confirmed = fields.Function(
        lambda e: e.confirmed_by_id is not None,
        dump_only=True,
        required=True,
        metadata={"type": "boolean", "description": "a second member confirmed the date"},
    )
    recorded_by_id = fields.Integer(dump_only=True)
    confirmed_by_id = fields.Integer(dump_only=True, allow_none=True)
    deadlines = fields.List(fields.Nested(DeadlineSchema), dump_only=True, required=True)


class EventDateSchema(Schema):
    """Correct an event's date: its open deadlines not set by hand are recomputed, and the date
    needs confirming again."""

    occurred_on = Day(required=True, not_after="today")


# ---------------------------------------------------------------- rules and court calendars


class DeadlineRuleSchema(Schema):
    """A time limit as data. Admins add rules, and correct or disable any rule (PATCH: only the
    fields given); a change recomputes the open deadlines it started. ``code``: only when adding
    one (made up when not given)."""

    id = fields.Integer(dump_only=True, required=True)
    code = Text(max_length=20)
    pack = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    jurisdiction = Choice(JURISDICTIONS, required=True)
    matter_kinds = List(
        Choice(MATTER_KINDS, allow_none=False),
        required=True,
        validate=validate.Length(min=1, error=RULE_KINDS),
        error_messages={"required": RULE_KINDS, "null": RULE_KINDS},
    )
    trigger = Choice(EVENT_KINDS, required=True)
    title = Text(required=True, max_length=300)
    amount = Count(
        required=True,
        low=0,
        high=36500,
        error_messages={"required": WHOLE_NUMBER, "null": WHOLE_NUMBER},
    )
    unit = Choice(UNITS, required=True)
    offset_days = Count(low=-365, high=365, load_default=0)
    roll = Choice(ROLLS, load_default="forward", allow_none=False)
    citation = Text(required=True, max_length=300)
    confidence = Choice(CONFIDENCE, required=True)
    verified = fields.Boolean(dump_only=True)
    active = Flag(load_default=True, allow_none=False)
    notes = Text(max_length=2000)

    @post_load
    def _kinds(self, data, **_kwargs):
        if data.get("matter_kinds"):
            data["matter_kinds"] = sorted(set(data["matter_kinds"]))
        if "offset_days" in data and data["offset_days"] is None:
            data["offset_days"] = 0
        return data


class DeadlineRuleChangeSchema(DeadlineRuleSchema, Changes):
    """Correct or disable a rule (only the fields given; ``code`` stays)."""


class RecomputedSchema(Schema):
    recomputed = fields.List(
        fields.Integer(), required=True, metadata={"description": "the open deadlines that moved"}
    )


class ChangedRuleSchema(DeadlineRuleSchema, RecomputedSchema):
    """A rule after a change, and the open deadlines that moved."""


class ClosureDaySchema(Schema):
    """An admin's correction of a court calendar: a day ``closed`` (decreed holiday, court
    closure) or ``open`` (a package holiday on which the court sat), for every court of the
    jurisdiction (``court`` empty) or one."""

    id = fields.Integer(dump_only=True, required=True)
    jurisdiction = Choice(JURISDICTIONS, required=True)
    court = Text(max_length=200, load_default="")
    day = Day(required=True)
    action = Choice(("closed", "open"), load_default="closed", allow_none=False)
    reason = Text(required=True, max_length=300)

    @post_load
    def _court(self, data, **_kwargs):
        data["court"] = data.get("court") or ""
        return data


class AddedClosureSchema(ClosureDaySchema, RecomputedSchema):
    """A closure day just added, and the open deadlines that moved."""
