"""API: consent and referrals (../shared/API.md, Referrals)."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from mdt import clock, consent, policy
from mdt.api.base import api_bp, body, listing, paging
from mdt.audit.services import record
from mdt.cases import services as cases
from mdt.errors import ValidationError, get_or_404
from mdt.referrals import services as referrals
from mdt.referrals.models import REFERRAL_STATUSES, Consent


def consent_json(c: Consent) -> dict:
    return {
        "id": c.id,
        "case_id": c.case_id,
        "purpose": c.purpose,
        "agency_id": c.agency_id,
        "given": c.given,
        "recorded_on": c.recorded_on.isoformat(),
        "recorded_by": c.recorded_by_id,
        "language": c.language,
        "interpreter": c.interpreter,
        "expires_on": c.expires_on.isoformat() if c.expires_on else None,
        "scope": list(c.parts),
        "risks_acknowledged": c.risks_acknowledged,
        "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
    }


def decision_json(d: consent.Decision) -> dict:
    return {
        "purpose": d.purpose,
        "agency_id": d.agency_id,
        "live": d.live,
        "parts": sorted(d.parts),
        "consent_id": d.consent_id,
    }


def referral_json(r) -> dict:
    return {
        "id": r.id,
        "case_id": r.case_id,
        "case_reference": r.case.reference,
        "from_agency_id": r.from_agency_id,
        "to_agency_id": r.to_agency_id,
        "service": r.service,
        "reason": r.reason,
        "urgency": r.urgency,
        "respond_by": r.respond_by.isoformat(),
        "status": r.status,
        "created_at": r.created_at.isoformat(),
        "created_by": r.created_by_id,
        "answered_at": r.answered_at.isoformat() if r.answered_at else None,
        "decline_reason": r.decline_reason,
        "outcome": r.outcome,
        "outcome_reason": r.outcome_reason,
        "accompanied": r.accompanied,
        "completed_at": r.completed_at.isoformat() if r.completed_at else None,
        "withdraw_reason": r.withdraw_reason,
        "instalments": [
            {"amount": f"{i.amount:.2f}", "currency": i.currency, "paid_on": i.paid_on.isoformat()}
            for i in r.instalments
        ],
    }


@api_bp.post("/cases/<int:case_id>/consents")
def record_consent(case_id: int):
    case = cases.get_case(current_user, case_id, "case.consent")
    recorded = referrals.record_consent(current_user, case, body())
    return jsonify(consent_json(recorded)), 201


@api_bp.get("/cases/<int:case_id>/consents")
def list_consents(case_id: int):
    case = cases.get_case(current_user, case_id, "case.consent")
    record(current_user, "case.read_consents", case, case=case)
    return jsonify(
        {
            "items": [consent_json(c) for c in referrals.case_consents(case)],
            "effective": [
                decision_json(d) for d in consent.effective(case.consents, on=clock.today(case.mdt))
            ],
        }
    )


@api_bp.post("/consents/<int:consent_id>/withdraw")
def withdraw_consent(consent_id: int):
    recorded = get_or_404(Consent, consent_id)
    case = cases.get_case(current_user, recorded.case_id, "case.consent")  # 404/403 as for cases
    data = request.get_json(silent=True) or {}
    effects = referrals.withdraw_consent(current_user, recorded, data.get("reason"))
    return jsonify({**consent_json(recorded), "effects": effects, "case_id": case.id})


@api_bp.post("/referrals")
def create_referral():
    referral = referrals.create_referral(current_user, body())
    return jsonify(referral_json(referral)), 201


@api_bp.get("/referrals")
def list_referrals():
    page, per_page = paging()
    direction = request.args.get("direction", "incoming")
    status = request.args.get("status") or None
    errors = {}
    if direction not in ("incoming", "outgoing"):
        errors["direction"] = ["Use incoming or outgoing."]
    if status and status not in REFERRAL_STATUSES:
        errors["status"] = [f"Use one of {', '.join(REFERRAL_STATUSES)}."]
    if errors:
        raise ValidationError("Bad filter.", errors)
    rows, total = referrals.referral_list(
        current_user,
        referrals.ReferralFilters(direction=direction, status=status, page=page, per_page=per_page),
    )
    return listing([referral_json(r) for r, _visible in rows], page, per_page, total)


@api_bp.get("/referrals/<int:referral_id>")
def get_referral(referral_id: int):
    referral = referrals.get_referral(current_user, referral_id)
    if policy.can(current_user, "case.view", referral.case):
        record(current_user, "referral.read", referral, case=referral.case)
    return jsonify(referral_json(referral))


def _act(referral_id: int, action: str, work):
    referral = referrals.get_referral(current_user, referral_id, "referral.view")
    work(referral)
    return jsonify(referral_json(referral))


@api_bp.post("/referrals/<int:referral_id>/accept")
def accept_referral(referral_id: int):
    return _act(referral_id, "accept", lambda r: referrals.accept(current_user, r))


@api_bp.post("/referrals/<int:referral_id>/decline")
def decline_referral(referral_id: int):
    data = body()
    return _act(referral_id, "decline", lambda r: referrals.decline(current_user, r, data.get("reason")))


@api_bp.post("/referrals/<int:referral_id>/complete")
def complete_referral(referral_id: int):
    data = body()
    return _act(referral_id, "complete", lambda r: referrals.complete(current_user, r, data))


@api_bp.post("/referrals/<int:referral_id>/withdraw")
def withdraw_referral(referral_id: int):
    data = request.get_json(silent=True) or {}
    return _act(referral_id, "withdraw", lambda r: referrals.withdraw(current_user, r, data.get("reason")))


@api_bp.post("/referrals/<int:referral_id>/instalments")
def add_instalment(referral_id: int):
    data = body()
    return _act(referral_id, "instalment", lambda r: referrals.add_instalment(current_user, r, data))
