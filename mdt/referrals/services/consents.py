"""Recording and withdrawing the person's consent, and its effects: a refusal or a withdrawal
withdraws the referrals relying on it and takes access away at once. Whether consent is live is
decided in one place, ``mdt.consent``. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from mdt import clock, consent, formats, labels, policy
from mdt.audit.services import record
from mdt.cases.models import Case
from mdt.consent import SHARING
from mdt.errors import Forbidden, WorkflowError
from mdt.extensions import db
from mdt.notifications import services as notes
from mdt.referrals.models import SHARE_PARTS, Consent, Referral
from mdt.referrals.schemas import ConsentSchema, ReasonSchema
from mdt.referrals.services.common import load_reason
from mdt.referrals.signals import consent_changed, referral_changed
from mdt.schema import load
from mdt.signals import send


def read_back(recorded: Consent) -> str:
    """The consent in one sentence, read back to the member (and through them to the person)
    before it is saved: who may see which parts, until when; or what was refused."""

    until = (
        _l("until %(date)s", date=formats.date(recorded.expires_on, "long"))
        if recorded.expires_on
        else _l("until the person withdraws it")
    )
    purpose = labels.label("purpose", recorded.purpose)
    if recorded.purpose == SHARING:
        agency = recorded.agency.name if recorded.agency else ""
        if not recorded.given:
            return str(_l("The person refused: %(agency)s may not see the case.", agency=agency))
        parts = formats.items([str(labels.label("part", p)) for p in SHARE_PARTS if p in recorded.parts])
        return str(
            _l(
                "%(agency)s may see these parts of the case: %(parts)s; %(until)s.",
                agency=agency,
                parts=parts,
                until=until,
            )
        )
    if not recorded.given:
        return str(_l("The person refused: %(purpose)s.", purpose=purpose))
    return str(_l("The person agreed: %(purpose)s; %(until)s.", purpose=purpose, until=until))


def case_consents(case: Case):
    return db.session.scalars(
        select(Consent)
        .where(Consent.case_id == case.id)
        .options(joinedload(Consent.agency), joinedload(Consent.recorded_by))
        .order_by(Consent.recorded_on.desc(), Consent.id.desc())
    ).all()


def record_consent(actor, case: Case, data: dict) -> Consent:
    if not policy.can(actor, "case.consent", case):
        raise Forbidden("You cannot record consent on this case.")
    clean = load(
        ConsentSchema,
        data,
        today=clock.today(case.mdt),
        mdt_id=case.mdt_id,
        lead_agency_id=case.lead_agency_id,
    )
    purpose, given = clean["purpose"], clean["given"]
    agency = clean.get("agency_id") if purpose == SHARING else None  # only sharing names an agency
    acknowledged = bool(clean.get("risks_acknowledged"))
    scope = clean.get("parts")
    if purpose == SHARING and given:
        # Scope is explicit: the parts named, never "all" by default. Whom the agency serves (the
        # person's identity) always travels with a sharing consent; the rest is chosen.
        scope = sorted({"person", *(scope or [])})
    elif purpose != SHARING:
        scope = None
    recorded = Consent(
        case=case,
        case_id=case.id,
        purpose=purpose,
        agency_id=agency.id if agency else None,
        given=given,
        recorded_on=clean["recorded_on"],
        recorded_by_id=actor.id,
        language=clean.get("language"),
        interpreter=clean.get("interpreter"),
        expires_on=clean.get("expires_on"),
        scope=scope,
        risks_acknowledged=acknowledged,
    )
    return _save(actor, case, recorded)


def record_sms_refusal(case: Case) -> Consent:
    """The person answered STOP to an SMS (``mdt.sms``): a refusal of contact by SMS, recorded
    today in the case's MDT by the person themself (no member), as the latest decision, so that
    ``mdt.consent`` stops every SMS to them at once."""
    recorded = Consent(
        case=case,
        case_id=case.id,
        purpose="contact_sms",
        given=False,
        recorded_on=clock.today(case.mdt),
        recorded_by_id=None,
        recorded_via="sms",
        risks_acknowledged=False,
    )
    return _save(None, case, recorded)


def _save(actor, case: Case, recorded: Consent) -> Consent:
    """Store one decision (by a member, or by the person when ``actor`` is None), audit it, and
    apply what follows from it."""
    db.session.add(recorded)
    db.session.flush()
    record(
        actor,
        "consent.record",
        recorded,
        case=case,
        detail={
            "purpose": recorded.purpose,
            "agency_id": recorded.agency_id,
            "given": recorded.given,
            "expires_on": recorded.expires_on,
            "scope": recorded.scope,
            "risks_acknowledged": recorded.risks_acknowledged,
            **({"via": recorded.recorded_via} if recorded.recorded_via else {}),
        },
    )
    if not recorded.given and recorded.agency_id is not None and recorded.purpose == SHARING:
        # A refusal is the latest decision: the agency loses what it had.
        _revoke_agency(actor, case, recorded.agency_id, reason="consent refused")
    send(consent_changed, [case.id])
    return recorded


def withdraw_consent(actor, recorded: Consent, reason: str | Mapping | None = None) -> dict:
    """Withdraw ``recorded``; ``reason``: text, or the request's data (``ReasonSchema``)."""
    case = db.session.get_one(Case, recorded.case_id)
    if not policy.can(actor, "case.consent", case):
        raise Forbidden("You cannot change consent on this case.")
    reason = load_reason(ReasonSchema, reason)
    if recorded.withdrawn_at is not None:
        raise WorkflowError(str(_l("This consent was already withdrawn.")))
    recorded.withdrawn_at = clock.now()
    recorded.withdrawn_by_id = actor.id
    recorded.withdraw_reason = reason or None
    db.session.flush()
    effects: dict[str, list[int]] = {"referrals_withdrawn": [], "access_removed": []}
    if recorded.agency_id is not None and recorded.purpose == SHARING:
        effects = _revoke_agency(actor, case, recorded.agency_id, reason="consent withdrawn")
    record(
        actor,
        "consent.withdraw",
        recorded,
        case=case,
        detail={
            "purpose": recorded.purpose,
            "agency_id": recorded.agency_id,
            "reason": recorded.withdraw_reason,
            **effects,
        },
    )
    send(consent_changed, [case.id])
    return effects


def _revoke_agency(actor, case: Case, agency_id: int, *, reason: str) -> dict:
    """Withdraw the referrals to ``agency_id`` that relied on consent and take away its access,
    unless the consent decision is still live (a later consent, when an older one is
    withdrawn)."""
    if consent.live_share(case, agency_id) is not None:
        return {"referrals_withdrawn": [], "access_removed": []}
    pending = db.session.scalars(
        select(Referral).where(
            Referral.case_id == case.id,
            Referral.to_agency_id == agency_id,
            Referral.status.in_(("pending", "accepted")),
        )
    ).all()
    withdrawn = []
    for referral in pending:
        referral.status = "withdrawn"
        referral.withdraw_reason = reason
        referral.closed_at = clock.now()
        withdrawn.append(referral.id)
        notes.notify(notes.agency_members(agency_id), "referral_withdrawn", referral=referral)
        record(actor, "referral.withdraw", referral, case=case, detail={"reason": reason})
    removed = [link for link in case.team_agencies if link.agency_id == agency_id]
    for link in removed:
        case.team_agencies.remove(link)
    # Members of the agency assigned by name lose the case too (not the one who registered it).
    unassigned = [
        a for a in case.assignments if a.member.agency_id == agency_id and a.member_id != case.created_by_id
    ]
    for assignment in unassigned:
        case.assignments.remove(assignment)
    if removed or unassigned:
        record(
            actor,
            "case.team",
            case,
            case=case,
            detail={
                "agency_removed": agency_id,
                "members_removed": [a.member_id for a in unassigned],
                "reason": reason,
            },
        )
    db.session.flush()
    send(referral_changed, withdrawn)
    return {"referrals_withdrawn": withdrawn, "access_removed": [agency_id] if removed or unassigned else []}
