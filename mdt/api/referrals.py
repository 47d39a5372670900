"""API: the person's consent and referrals (../shared/API.md, Cases and Referrals)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import EXCLUDE, fields, pre_load, validate

from mdt import clock, consent
from mdt.api.base import PageArgs, accepts, api_bp, body, page_of, problems
from mdt.audit.services import record
from mdt.cases import services as cases
from mdt.errors import get_or_404
from mdt.referrals import services as referrals
from mdt.referrals.models import REFERRAL_STATUSES, Consent
from mdt.referrals.schemas import (
    ConsentSchema,
    ConsentsSchema,
    DeclineSchema,
    InstalmentSchema,
    OutcomeSchema,
    ReasonSchema,
    ReferralSchema,
    WithdrawnConsentSchema,
)


class ReferralQuery(PageArgs):
    """The caller's agency's referrals: received (``incoming``) or made (``outgoing``)."""

    class Meta:
        unknown = EXCLUDE

    direction = fields.String(load_default="incoming", validate=validate.OneOf(("incoming", "outgoing")))
    status = fields.String(
        validate=validate.OneOf(REFERRAL_STATUSES), metadata={"description": "empty or left out: any"}
    )

    @pre_load
    def _blank(self, data, **_kwargs):
        return {k: v for k, v in data.items() if not (k == "status" and v == "")}


# ---------------------------------------------------------------- consent


@api_bp.route("/cases/<int:case_id>/consents")
class CaseConsents(MethodView):
    """One address for both methods: an id out of range is then a 404 for each (two rules of one
    address would answer 405 for one of them)."""

    @api_bp.response(200, ConsentsSchema)
    @problems(401, 403, 404)
    def get(self, case_id: int):
        """The consents recorded on the case and the decision in force for each purpose (the
        read is audited)."""
        case = cases.get_case(current_user, case_id, "case.consent")
        record(current_user, "case.read_consents", case, case=case)
        return {
            "items": referrals.case_consents(case),
            "effective": consent.effective(case.consents, on=clock.today(case.mdt)),
        }

    @accepts(ConsentSchema)
    @api_bp.response(201, ConsentSchema)
    @problems(400, 401, 403, 404, 422)
    def post(self, case_id: int):
        """Record the person's consent or refusal (sharing with police or prosecutors needs
        ``risks_acknowledged``). A refusal to share withdraws the agency's referrals and access."""
        case = cases.get_case(current_user, case_id, "case.consent")
        return referrals.record_consent(current_user, case, body())


@api_bp.post("/consents/<int:consent_id>/withdraw")
@accepts(ReasonSchema, required=False)
@api_bp.response(200, WithdrawnConsentSchema)
@problems(400, 401, 403, 404, 409, 422)
def withdraw_consent(consent_id: int):
    """Withdraw a consent: the referrals relying on it are withdrawn and the agency loses access
    at once; 409 when it was withdrawn already."""
    recorded = get_or_404(Consent, consent_id)
    cases.get_case(current_user, recorded.case_id, "case.consent")  # 404/403 as for cases
    effects = referrals.withdraw_consent(current_user, recorded, body(optional=True))
    return {"consent": recorded, "effects": effects}


# ---------------------------------------------------------------- referrals


@api_bp.post("/referrals")
@accepts(ReferralSchema)
@api_bp.response(201, ReferralSchema)
@problems(400, 401, 403, 404, 409, 422)
def create_referral():
    """Refer a case; 409 without a live share_with_agency consent naming that agency (nothing
    is shared then) or when the case is closed."""
    return referrals.create_referral(current_user, body())


@api_bp.get("/referrals")
@api_bp.arguments(ReferralQuery, location="query")
@api_bp.response(200, page_of(ReferralSchema))
@problems(401, 422)
def list_referrals(args: dict):
    """Referrals received by the caller's agency (``incoming``) or made by it (``outgoing``)."""
    f = referrals.ReferralFilters(
        direction=args["direction"], status=args.get("status"), page=args["page"], per_page=args["per_page"]
    )
    rows, total = referrals.referral_list(current_user, f)
    return {"items": [r for r, _visible in rows], "page": f.page, "per_page": f.per_page, "total": total}


@api_bp.get("/referrals/<int:referral_id>")
@api_bp.response(200, ReferralSchema)
@problems(401, 404)
def get_referral(referral_id: int):
    """One referral (the read is audited)."""
    return referrals.read_referral(current_user, referral_id)


@api_bp.post("/referrals/<int:referral_id>/accept")
@api_bp.response(200, ReferralSchema)
@problems(401, 403, 404, 409)
def accept_referral(referral_id: int):
    """Accept (the receiving agency): the case opens to it, as far as the consent allows; 409
    when answered already, expired, or the consent is no longer live."""
    referral = referrals.get_referral(current_user, referral_id)
    return referrals.accept(current_user, referral)


@api_bp.post("/referrals/<int:referral_id>/decline")
@accepts(DeclineSchema)
@api_bp.response(200, ReferralSchema)
@problems(400, 401, 403, 404, 409, 422)
def decline_referral(referral_id: int):
    """Decline with a reason (the receiving agency); 409 when answered already or expired."""
    referral = referrals.get_referral(current_user, referral_id)
    return referrals.decline(current_user, referral, body())


@api_bp.post("/referrals/<int:referral_id>/complete")
@accepts(OutcomeSchema)
@api_bp.response(200, ReferralSchema)
@problems(400, 401, 403, 404, 409, 422)
def complete_referral(referral_id: int):
    """Record the outcome of an accepted referral."""
    referral = referrals.get_referral(current_user, referral_id)
    return referrals.complete(current_user, referral, body())


@api_bp.post("/referrals/<int:referral_id>/withdraw")
@accepts(ReasonSchema, required=False)
@api_bp.response(200, ReferralSchema)
@problems(400, 401, 403, 404, 409, 422)
def withdraw_referral(referral_id: int):
    """Withdraw a pending or accepted referral (the referring side): the receiving agency loses
    the access it gave."""
    referral = referrals.get_referral(current_user, referral_id)
    return referrals.withdraw(current_user, referral, body(optional=True))


@api_bp.post("/referrals/<int:referral_id>/instalments")
@accepts(InstalmentSchema)
@api_bp.response(200, ReferralSchema)
@problems(400, 401, 403, 404, 409, 422)
def add_instalment(referral_id: int):
    """Record a livelihood grant instalment paid (the receiving agency, once accepted); answers
    the referral with its instalments."""
    referral = referrals.get_referral(current_user, referral_id)
    referrals.add_instalment(current_user, referral, body())
    return referral
