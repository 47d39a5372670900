"""The shapes of referrals and of the person's consent: what the forms and the API send, what the
API answers, and what the OpenAPI document says (one schema each, see ``mdt.schema``).

What the rules need to know about the request comes through ``load(..., today=..., mdt_id=...)``:
for a consent, the case's ``lead_agency_id``; for a referral, the referring ``agency_id``."""

from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_dump, post_load, validates, validates_schema

from mdt.cases.models import PLAN_SERVICES, PlanItem
from mdt.consent import SHARING
from mdt.directory.models import Agency
from mdt.extensions import db
from mdt.referrals.models import (
    CONSENT_PURPOSES,
    NOT_RECEIVED_REASONS,
    OUTCOMES,
    REFERRAL_STATUSES,
    SHARE_PARTS,
    URGENCIES,
)
from mdt.schema import (
    Choice,
    Count,
    Currency,
    Day,
    Flag,
    List,
    Money,
    RecordId,
    Ref,
    Schema,
    Text,
    Tristate,
    context,
)

CHOOSE_AGENCY = _l("Choose an agency.")
NO_SUCH_AGENCY = _l("No such agency in this MDT.")
CHOOSE_PARTS = _l("Choose the parts of the case that may be shared.")


def _agency(**kwargs) -> Ref:
    """An agency of the MDT; missing: "Choose an agency." (when required)."""
    return Ref(
        Agency,
        message=NO_SUCH_AGENCY,
        error_messages={"required": CHOOSE_AGENCY, "null": CHOOSE_AGENCY},
        **kwargs,
    )


def _fail(field: str, message) -> ValidationError:
    return ValidationError({field: [str(message)]})


class Parts(List):
    """The parts of a case a sharing consent opens (``SHARE_PARTS``): one message for any wrong
    or empty list, at the field itself."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(Choice(SHARE_PARTS, allow_none=False), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            parts = super()._deserialize(value, attr, data, **kwargs)
        except ma.ValidationError:
            raise ValidationError(str(CHOOSE_PARTS)) from None
        if not parts or None in parts:  # a blank item reads as None
            raise ValidationError(str(CHOOSE_PARTS))
        return parts


# ---------------------------------------------------------------- consent


class ConsentSchema(Schema):
    """The person's consent, or refusal, for one purpose (for sharing: with one agency, naming
    the parts of the case it opens; the person's identity always travels with it).
    ``recorded_on``: today in the MDT's zone when left out. ``scope`` out: the parts this record
    names."""

    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    purpose = Choice(CONSENT_PURPOSES, required=True)
    agency_id = _agency(metadata={"description": "required for share_with_agency"})
    given = Flag(
        required=True,
        load_default=ma.missing,
        error_messages={
            "required": _l("Say whether the person agreed or refused."),
            "null": _l("Say whether the person agreed or refused."),
        },
        metadata={"description": "true: the person agreed; false: they refused"},
    )
    recorded_on = Day(not_after="today", metadata={"description": "today when left out"})
    recorded_by = fields.Integer(dump_only=True, attribute="recorded_by_id", allow_none=True)
    recorded_via = fields.String(dump_only=True, allow_none=True)  # "sms": the person's STOP
    language = Text(max_length=60)
    interpreter = Text(max_length=200)
    expires_on = Day()
    scope = Parts(attribute="parts", metadata={"description": "for sharing; the person always"})
    risks_acknowledged = Flag(metadata={"description": "required for sharing with police and prosecutors"})
    withdrawn_at = fields.DateTime(dump_only=True, allow_none=True)

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _rules(self, data, original, **_kwargs):
        errors: dict[str, list[str]] = {}
        purpose, agency = data.get("purpose"), data.get("agency_id")
        raw = original.get("agency_id") if isinstance(original, Mapping) else None
        named = raw is not None and not (isinstance(raw, str) and not raw.strip())  # else: Ref's message
        recorded_on = data.get("recorded_on") or context().get("today")
        expires_on = data.get("expires_on")
        if purpose == SHARING and agency is None and not named:
            errors["agency_id"] = [str(CHOOSE_AGENCY)]
        if expires_on and recorded_on and expires_on < recorded_on:
            errors["expires_on"] = [str(_l("The consent cannot expire before it was given."))]
        if purpose == SHARING and agency is not None:
            if agency.id == context().get("lead_agency_id"):
                errors["agency_id"] = [str(_l("The lead agency has the case already."))]
            if data.get("given") and agency.is_enforcement and not data.get("risks_acknowledged"):
                errors["risks_acknowledged"] = [
                    str(
                        _l(
                            "Sharing with police or prosecutors needs a record that the risks "
                            "(counter-charges, immigration consequences) were discussed with the person."
                        )
                    )
                ]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _defaults(self, data, **_kwargs):
        if data.get("recorded_on") is None:
            data["recorded_on"] = context().get("today")
        return data


class DecisionSchema(Schema):
    """The consent decision for one purpose (and, for sharing, one agency): the latest decision
    wins; ``consent_id`` is the record that decided (null when none); ``parts`` what it opens
    (empty unless live)."""

    purpose = fields.String(required=True, metadata={"enum": list(CONSENT_PURPOSES)})
    agency_id = fields.Integer(required=True, allow_none=True)
    live = fields.Boolean(required=True)
    parts = fields.List(fields.String(metadata={"enum": list(SHARE_PARTS)}), required=True)
    consent_id = fields.Integer(required=True, allow_none=True)

    @post_dump
    def _sorted(self, data, **_kwargs):
        data["parts"] = sorted(data["parts"])
        return data


class ConsentsSchema(Schema):
    """The consents recorded on a case, latest first, and the decision each purpose has now."""

    items = fields.List(fields.Nested(ConsentSchema), required=True)
    effective = fields.List(fields.Nested(DecisionSchema), required=True)


class ReasonSchema(Schema):
    """Withdraw a consent or a referral, saying why (optional)."""

    reason = Text(max_length=5000)


class WithdrawalEffectsSchema(Schema):
    referrals_withdrawn = fields.List(fields.Integer(), required=True)
    access_removed = fields.List(
        fields.Integer(), required=True, metadata={"description": "agencies that lost access to the case"}
    )


class WithdrawnConsentSchema(ConsentSchema):
    """A withdrawn consent and what the withdrawal did: the referrals relying on it withdrawn,
    the agency's access removed at once. Dumps ``{"consent": Consent, "effects": {...}}``."""

    effects = fields.Nested(WithdrawalEffectsSchema, dump_only=True, required=True)

    def get_attribute(self, obj, attr, default):
        if attr == "effects":
            return obj["effects"]
        return super().get_attribute(obj["consent"], attr, default)


# ---------------------------------------------------------------- the services directory


class ServiceSchema(Schema):
    """A service an agency offers, where and in which languages."""

    id = fields.Integer(dump_only=True)
    agency_id = _agency(required=True)
    category = Choice(PLAN_SERVICES, required=True)
    name = Text(required=True, max_length=200)
    areas = Text(max_length=500)
    languages = Text(max_length=200)
    eligibility = Text(max_length=2000)
    contact = Text(max_length=300)
    response_days = Count(low=1, high=365, message=_l("A number of days from 1 to 365."), load_default=7)
    active = Flag(load_default=True)

    @post_load
    def _defaults(self, data, **_kwargs):
        if data.get("response_days") is None:
            data["response_days"] = 7
        if data.get("active") is None:
            data["active"] = True
        return data


# ---------------------------------------------------------------- referrals


class InstalmentSchema(Schema):
    """A livelihood grant instalment paid; ``currency``: the MDT's when left out."""

    amount = Money(required=True)
    currency = Currency()
    paid_on = Day(required=True, not_after="today")

    @validates("amount")
    def _positive(self, value, **_kwargs):
        if value is not None and value <= 0:
            raise ValidationError(str(_l("The amount must be more than zero.")))


class ReferralSchema(Schema):
    """A referral of a case to another agency, for one service. Made only with the person's live
    consent to share with that agency (409 otherwise). ``respond_by``: the agency's usual response
    time when left out."""

    id = fields.Integer(dump_only=True)
    case_id = RecordId(required=True)
    case_reference = fields.String(dump_only=True, attribute="case.reference")
    from_agency_id = fields.Integer(dump_only=True)
    to_agency_id = _agency(required=True)
    service = Choice(PLAN_SERVICES, required=True)
    reason = Text(max_length=5000)
    urgency = Choice(URGENCIES, load_default="normal")
    respond_by = Day()
    plan_item_id = RecordId(metadata={"description": "a planned service of the case"})
    status = fields.String(dump_only=True, metadata={"enum": list(REFERRAL_STATUSES)})
    created_at = fields.DateTime(dump_only=True)
    created_by = fields.Integer(dump_only=True, attribute="created_by_id")
    answered_at = fields.DateTime(dump_only=True, allow_none=True)
    decline_reason = fields.String(dump_only=True, allow_none=True)
    outcome = fields.String(dump_only=True, allow_none=True, metadata={"enum": [*OUTCOMES, None]})
    outcome_reason = fields.String(
        dump_only=True, allow_none=True, metadata={"enum": [*NOT_RECEIVED_REASONS, None]}
    )
    accompanied = fields.Boolean(dump_only=True, allow_none=True)
    completed_at = fields.DateTime(dump_only=True, allow_none=True)
    withdraw_reason = fields.String(dump_only=True, allow_none=True)
    instalments = fields.List(fields.Nested(InstalmentSchema), dump_only=True)

    @validates("respond_by")
    def _not_past(self, value, **_kwargs):
        today = context().get("today")
        if value is not None and today is not None and value < today:
            raise ValidationError(str(_l("The respond-by date cannot be in the past.")))

    @validates_schema(skip_on_field_errors=False)
    def _rules(self, data, **_kwargs):
        errors: dict[str, list[str]] = {}
        agency = data.get("to_agency_id")
        if agency is not None and agency.id == context().get("agency_id"):
            errors["to_agency_id"] = [str(_l("Refer to another agency."))]
        item_id, case_id = data.get("plan_item_id"), data.get("case_id")
        if item_id is not None and case_id is not None:
            item = db.session.get(PlanItem, item_id)
            if item is None or item.case_id != case_id:
                errors["plan_item_id"] = [str(_l("Choose from the list."))]
        if errors:
            raise ValidationError(errors)


class DeclineSchema(Schema):
    """Decline a referral: the receiving agency says why."""

    reason = Text(
        required=True,
        max_length=5000,
        error_messages={"required": _l("Say why you decline."), "null": _l("Say why you decline.")},
    )


class OutcomeSchema(Schema):
    """Whether the person received the service. ``not_received`` needs ``reason``: one of the
    codes, or free text (kept as the note, coded ``other``)."""

    outcome = Choice(OUTCOMES, required=True)
    reason = Text(max_length=2000, metadata={"description": f"one of {', '.join(NOT_RECEIVED_REASONS)}"})
    note = Text(max_length=5000)
    accompanied = Tristate(
        error_messages={"invalid": _l("Answer yes or no.")},
        metadata={"description": "true, false, or null when not recorded"},
    )

    @validates_schema
    def _why(self, data, **_kwargs):
        if data.get("outcome") == "not_received" and not data.get("reason"):
            raise _fail("reason", _l("Say why the person did not receive the service."))

    @post_load
    def _coded(self, data, **_kwargs):
        reason = data.get("reason")
        if data["outcome"] != "not_received":
            data["reason"] = None
        elif reason not in NOT_RECEIVED_REASONS:
            data["note"] = "\n".join(filter(None, [reason, data.get("note")]))
            data["reason"] = "other"
        return data
