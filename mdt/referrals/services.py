"""Consent, the services directory and referrals. Services flush; callers commit once."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mdt import policy
from mdt.audit.services import record, record_read
from mdt.cases.models import PLAN_SERVICES, Case, CaseAgency, PlanItem
from mdt.consent import SHARING
from mdt.consent import for_case as decision
from mdt.directory.models import Agency, Mdt
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.notifications import services as notes
from mdt.referrals.models import (CONSENT_PURPOSES, NOT_RECEIVED_REASONS, OUTCOMES, SHARE_PARTS,
                                  URGENCIES, Consent, GrantInstalment, Referral, Service)
from mdt import clock
from mdt.validation import Checker


def _agency_in_mdt(c: Checker, field: str, mdt_id: int, *, required: bool) -> Agency | None:
    if c.data.get(field) in (None, ""):
        if required:
            c.error(field, _l("Choose an agency."))
        return None
    return c.pick(field, Agency, mdt_id=mdt_id, message=_l("No such agency in this MDT."))


# ---------------------------------------------------------------- consent

def live_share_consent(case: Case, agency_id: int) -> Consent | None:
    """The consent that decides, today, that this case may be shared with this agency; None
    when the decision is not live (never given, refused, withdrawn or expired)."""
    found = decision(case, SHARING, agency_id)
    return found.consent if found.live else None


def case_consents(case: Case):
    return db.session.scalars(
        select(Consent).where(Consent.case_id == case.id)
        .options(joinedload(Consent.agency), joinedload(Consent.recorded_by))
        .order_by(Consent.recorded_on.desc(), Consent.id.desc())).all()


def record_consent(actor, case: Case, data: dict) -> Consent:
    if not policy.can(actor, "case.consent", case):
        raise Forbidden("You cannot record consent on this case.")
    c = Checker(data)
    purpose = c.choice("purpose", CONSENT_PURPOSES, required=True)
    agency = _agency_in_mdt(c, "agency_id", case.mdt_id, required=(purpose == "share_with_agency"))
    if "given" not in c.data or c.data.get("given") in (None, ""):
        c.error("given", _l("Say whether the person agreed or refused."))
    given = c.boolean("given")
    today = clock.today(case.mdt)
    recorded_on = c.day("recorded_on", not_after=today) or today
    c.day("expires_on")
    c.text("language", max_length=60)
    c.text("interpreter", max_length=200)
    acknowledged = c.boolean("risks_acknowledged")
    scope = c.data.get("scope")
    if isinstance(scope, str):
        scope = [scope]
    if scope is not None:
        if not isinstance(scope, list) or any(p not in SHARE_PARTS for p in scope) or not scope:
            c.error("scope", _l("Choose the parts of the case that may be shared."))
            scope = None
    expires_on = c.clean.get("expires_on")
    if expires_on and expires_on < recorded_on:
        c.error("expires_on", _l("The consent cannot expire before it was given."))
    if agency is not None and agency.id == case.lead_agency_id and purpose == "share_with_agency":
        c.error("agency_id", _l("The lead agency has the case already."))
    if (given and agency is not None and agency.is_enforcement and purpose == "share_with_agency"
            and not acknowledged):
        c.error("risks_acknowledged", _l(
            "Sharing with police or prosecutors needs a record that the risks (counter-charges, "
            "immigration consequences) were discussed with the person."))
    c.raise_if_errors()
    if purpose == SHARING and given:
        # Scope is explicit: the parts named, never "all" by default. Whom the agency serves (the
        # person's identity) always travels with a sharing consent; the rest is chosen.
        scope = sorted({"person", *(scope or [])})
    elif purpose != SHARING:
        scope = None
    consent = Consent(
        case=case, case_id=case.id, purpose=purpose, agency_id=agency.id if agency else None, given=given,
        recorded_on=recorded_on, recorded_by_id=actor.id, language=c.clean.get("language"),
        interpreter=c.clean.get("interpreter"), expires_on=expires_on,
        scope=scope, risks_acknowledged=acknowledged)
    db.session.add(consent)
    db.session.flush()
    record(actor, "consent.record", consent, case=case, detail={
        "purpose": purpose, "agency_id": consent.agency_id, "given": given,
        "expires_on": expires_on, "scope": consent.scope, "risks_acknowledged": acknowledged})
    if not given and agency is not None and purpose == SHARING:
        # A refusal is the latest decision: the agency loses what it had.
        _revoke_agency(actor, case, agency.id, reason="consent refused")
    return consent


def withdraw_consent(actor, consent: Consent, reason: str | None = None) -> dict:
    case = db.session.get(Case, consent.case_id)
    if not policy.can(actor, "case.consent", case):
        raise Forbidden("You cannot change consent on this case.")
    if consent.withdrawn_at is not None:
        raise WorkflowError(str(_l("This consent was already withdrawn.")))
    consent.withdrawn_at = clock.now()
    consent.withdrawn_by_id = actor.id
    consent.withdraw_reason = (reason or "").strip() or None
    db.session.flush()
    effects = {"referrals_withdrawn": [], "access_removed": []}
    if consent.agency_id is not None and consent.purpose == SHARING:
        effects = _revoke_agency(actor, case, consent.agency_id, reason="consent withdrawn")
    record(actor, "consent.withdraw", consent, case=case,
           detail={"purpose": consent.purpose, "agency_id": consent.agency_id,
                   "reason": consent.withdraw_reason, **effects})
    return effects


def _revoke_agency(actor, case: Case, agency_id: int, *, reason: str) -> dict:
    """Withdraw the referrals to ``agency_id`` that relied on consent and take away its access,
    unless the consent decision is still live (a later consent, when an older one is
    withdrawn)."""
    if live_share_consent(case, agency_id) is not None:
        return {"referrals_withdrawn": [], "access_removed": []}
    pending = db.session.scalars(select(Referral).where(
        Referral.case_id == case.id, Referral.to_agency_id == agency_id,
        Referral.status.in_(("pending", "accepted")))).all()
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
    if removed:
        record(actor, "case.team", case, case=case,
               detail={"agency_removed": agency_id, "reason": reason})
    db.session.flush()
    return {"referrals_withdrawn": withdrawn, "access_removed": [agency_id] if removed else []}


def require_share_consent(case: Case, agency: Agency) -> Consent:
    """The live consent that allows sharing ``case`` with ``agency``, or a 409."""
    consent = live_share_consent(case, agency.id)
    if consent is None:
        raise WorkflowError(str(_l(
            "The person has not given consent to share this case with %(agency)s. Record their "
            "consent first.", agency=agency.name)))
    if agency.is_enforcement and not consent.risks_acknowledged:
        raise WorkflowError(str(_l(
            "Sharing with %(agency)s needs the person's consent naming it and a record that the "
            "risks were discussed.", agency=agency.name)))
    return consent


# ---------------------------------------------------------------- services directory

def check_service(actor, data: dict) -> tuple[dict, Agency | None]:
    c = Checker(data)
    agency = _agency_in_mdt(c, "agency_id", actor.mdt_id, required=True)
    c.choice("category", PLAN_SERVICES, required=True)
    c.text("name", required=True, max_length=200)
    c.text("areas", max_length=500)
    c.text("languages", max_length=200)
    c.text("eligibility", max_length=2000)
    c.text("contact", max_length=300)
    raw_days = c.data.get("response_days")
    if raw_days in (None, ""):
        c.clean["response_days"] = 7
    else:
        try:
            days = int(raw_days)
            if not 1 <= days <= 365:
                raise ValueError
            c.clean["response_days"] = days
        except (TypeError, ValueError):
            c.error("response_days", _l("A number of days from 1 to 365."))
    c.boolean("active", True)
    c.raise_if_errors()
    if not policy.can(actor, "service.manage", agency):
        raise Forbidden("You can list services only for your own agency.")
    return c.clean, agency


def save_service(actor, data: dict, service: Service | None = None) -> Service:
    clean, agency = check_service(actor, data)
    if service is None:
        service = Service(mdt_id=actor.mdt_id, **clean)
        db.session.add(service)
        db.session.flush()
        record(actor, "service.create", service, detail=clean)
    else:
        if not policy.can(actor, "service.manage", service.agency):
            raise Forbidden("You can change services only for your own agency.")
        from mdt.audit.services import changes

        changed = changes(service, clean)
        db.session.flush()
        if changed:
            record(actor, "service.update", service, detail={"changes": changed})
    return service


def find_services(mdt_id: int, category: str | None = None, district: str | None = None,
                  language: str | None = None):
    stmt = (select(Service).where(Service.mdt_id == mdt_id, Service.active.is_(True))
            .options(joinedload(Service.agency)).order_by(Service.category, Service.name))
    if category:
        stmt = stmt.where(Service.category == category)
    if language:
        stmt = stmt.where(func.lower(Service.languages).like(f"%{language.lower()}%"))
    services = db.session.scalars(stmt).all()
    return [s for s in services if s.covers(district)]


# ---------------------------------------------------------------- referrals

def get_referral(user, referral_id: int, action: str = "referral.view") -> Referral:
    referral = db.session.get(Referral, referral_id, options=[
        joinedload(Referral.case).selectinload(Case.team_agencies),
        joinedload(Referral.case).selectinload(Case.assignments),
        joinedload(Referral.from_agency), joinedload(Referral.to_agency),
        joinedload(Referral.created_by), selectinload(Referral.instalments)])
    if referral is None or not policy.can(user, "referral.view", referral):
        raise NotFound("No such referral.")
    if not policy.can(user, action, referral):
        raise Forbidden("You do not have this right on the referral.")
    return referral


def default_respond_by(agency_id: int, service: str, today: date) -> date:
    days = db.session.scalar(select(func.min(Service.response_days)).where(
        Service.agency_id == agency_id, Service.category == service, Service.active.is_(True)))
    return today + timedelta(days=days or 7)


def create_referral(actor, data: dict) -> Referral:
    from mdt.cases.services import get_case

    c = Checker(data)
    try:
        case_id = int(data.get("case_id"))
    except (TypeError, ValueError):
        raise ValidationError("Bad case.", {"case_id": [str(_l("This field is required."))]})
    case = get_case(actor, case_id, "case.summary")
    if not policy.can(actor, "case.refer", case):
        raise Forbidden("You cannot refer this case.")
    agency = _agency_in_mdt(c, "to_agency_id", case.mdt_id, required=True)
    service = c.choice("service", PLAN_SERVICES, required=True)
    c.text("reason", max_length=5000)
    c.choice("urgency", URGENCIES, default="normal")
    respond_by = c.day("respond_by")
    today = clock.today(case.mdt)
    if respond_by is not None and respond_by < today:
        c.error("respond_by", _l("The respond-by date cannot be in the past."))
    plan_item_id = data.get("plan_item_id")
    plan_item = None
    if plan_item_id not in (None, ""):
        try:
            plan_item = db.session.get(PlanItem, int(plan_item_id))
        except (TypeError, ValueError):
            plan_item = None
        if plan_item is None or plan_item.case_id != case.id:
            c.error("plan_item_id", _l("Choose from the list."))
    if agency is not None and agency.id == actor.agency_id:
        c.error("to_agency_id", _l("Refer to another agency."))
    c.raise_if_errors()
    if case.stage == "closed":
        raise WorkflowError(str(_l("A closed case cannot be referred. Reopen it first.")))
    consent = require_share_consent(case, agency)
    offered = db.session.scalars(select(Service).where(
        Service.agency_id == agency.id, Service.category == service,
        Service.active.is_(True))).first()
    referral = Referral(
        mdt_id=case.mdt_id, case_id=case.id, from_agency_id=actor.agency_id,
        to_agency_id=agency.id, offered_service_id=offered.id if offered else None,
        plan_item_id=plan_item.id if plan_item else None, consent_id=consent.id, service=service,
        reason=c.clean.get("reason"), urgency=c.clean.get("urgency") or "normal",
        respond_by=respond_by or default_respond_by(agency.id, service, today), status="pending",
        created_by_id=actor.id)
    db.session.add(referral)
    db.session.flush()
    record(actor, "referral.create", referral, case=case, detail={
        "to_agency_id": agency.id, "service": service, "respond_by": referral.respond_by,
        "urgency": referral.urgency, "consent_id": consent.id})
    notes.notify(notes.agency_members(agency.id), "referral_new", referral=referral,
                 skip=actor.id)
    return referral


def _answerable(referral: Referral) -> None:
    if referral.status == "pending" and referral.respond_by < clock.today(referral.case.mdt):
        raise WorkflowError(str(_l("This referral has expired: it was not answered in time.")))
    if referral.status != "pending":
        raise WorkflowError(str(_l("This referral was already answered (%(status)s).",
                                   status=referral.status)))


def accept(actor, referral: Referral) -> Referral:
    if not policy.can(actor, "referral.answer", referral):
        raise Forbidden("Only the receiving agency can accept.")
    _answerable(referral)
    case = referral.case
    consent = live_share_consent(case, referral.to_agency_id)
    if consent is None:
        raise WorkflowError(str(_l("The person's consent is no longer live.")))
    referral.status = "accepted"
    referral.answered_at = clock.now()
    referral.answered_by_id = actor.id
    link = next((a for a in case.team_agencies if a.agency_id == referral.to_agency_id), None)
    if link is None:
        case.team_agencies.append(CaseAgency(agency_id=referral.to_agency_id,
                                             consent_id=consent.id, referral_id=referral.id))
    db.session.flush()
    record(actor, "referral.accept", referral, case=case,
           detail={"scope": list(consent.parts)})
    notes.notify([referral.created_by_id], "referral_accepted", referral=referral, skip=actor.id)
    return referral


def decline(actor, referral: Referral, reason: str | None) -> Referral:
    if not policy.can(actor, "referral.answer", referral):
        raise Forbidden("Only the receiving agency can decline.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Reason needed.", {"reason": [str(_l("Say why you decline."))]})
    _answerable(referral)
    referral.status = "declined"
    referral.decline_reason = reason[:5000]
    referral.answered_at = referral.closed_at = clock.now()
    referral.answered_by_id = actor.id
    db.session.flush()
    record(actor, "referral.decline", referral, case=referral.case, detail={"reason": reason})
    notes.notify([referral.created_by_id], "referral_declined", referral=referral, skip=actor.id)
    return referral


def complete(actor, referral: Referral, data: dict) -> Referral:
    if not policy.can(actor, "referral.complete", referral):
        raise Forbidden("You cannot complete this referral.")
    c = Checker(data)
    outcome = c.choice("outcome", OUTCOMES, required=True)
    c.text("note", max_length=5000)
    reason = c.text("reason", max_length=2000)
    if outcome == "not_received":
        if not reason:
            c.error("reason", _l("Say why the person did not receive the service."))
        elif reason not in NOT_RECEIVED_REASONS:
            # Free text (the API allows it): kept as the note, coded as "other".
            c.clean["note"] = "\n".join(filter(None, [reason, c.clean.get("note")]))
            c.clean["reason"] = "other"
    accompanied = data.get("accompanied")
    c.raise_if_errors()
    if referral.status != "accepted":
        raise WorkflowError(str(_l("Only an accepted referral can be completed (this one is "
                                   "%(status)s).", status=referral.status)))
    referral.status = "completed"
    referral.outcome = outcome
    referral.outcome_reason = c.clean.get("reason") if outcome == "not_received" else None
    referral.outcome_note = c.clean.get("note")
    referral.accompanied = None if accompanied in (None, "") else (
        accompanied in (True, "true", "yes", "on", "1"))
    referral.completed_at = referral.closed_at = clock.now()
    if referral.plan_item_id:
        item = db.session.get(PlanItem, referral.plan_item_id)
        if item is not None:
            item.status = "received" if outcome == "received" else "not_received"
    db.session.flush()
    record(actor, "referral.complete", referral, case=referral.case, detail={
        "outcome": outcome, "reason": referral.outcome_reason, "accompanied": referral.accompanied})
    notes.notify([referral.created_by_id], "referral_completed", referral=referral, skip=actor.id)
    return referral


def withdraw(actor, referral: Referral, reason: str | None = None) -> Referral:
    if not policy.can(actor, "referral.withdraw", referral):
        raise Forbidden("Only the referring side can withdraw.")
    if referral.status not in ("pending", "accepted"):
        raise WorkflowError(str(_l("This referral is already %(status)s.", status=referral.status)))
    was = referral.status
    referral.status = "withdrawn"
    referral.withdraw_reason = (reason or "").strip()[:5000] or None
    referral.closed_at = clock.now()
    case = referral.case
    if was == "accepted":
        for link in [a for a in case.team_agencies if a.referral_id == referral.id]:
            case.team_agencies.remove(link)
    db.session.flush()
    record(actor, "referral.withdraw", referral, case=case,
           detail={"reason": referral.withdraw_reason, "was": was})
    notes.notify(notes.agency_members(referral.to_agency_id), "referral_withdrawn",
                 referral=referral, skip=actor.id)
    return referral


def expire_overdue() -> int:
    """Expire pending referrals whose respond-by date has passed in their MDT's zone; tell the
    referring member and the coordinators. Safe to run twice: only pending rows are touched."""
    overdue = []
    for mdt in db.session.scalars(select(Mdt)):
        overdue += db.session.scalars(
            select(Referral).where(Referral.mdt_id == mdt.id, Referral.status == "pending",
                                   Referral.respond_by < clock.today(mdt))
            .with_for_update(skip_locked=True)).all()
    for referral in overdue:
        referral.status = "expired"
        referral.closed_at = clock.now()
        db.session.flush()
        record(None, "referral.expire", referral, case=referral.case,
               detail={"respond_by": referral.respond_by})
        notes.notify([referral.created_by_id] + notes.coordinators(referral.mdt_id),
                     "referral_expired", referral=referral)
    return len(overdue)


def add_instalment(actor, referral: Referral, data: dict) -> GrantInstalment:
    if not policy.can(actor, "referral.instalment", referral):
        raise Forbidden("Instalments are recorded on livelihood grant referrals.")
    if referral.status not in ("accepted", "completed"):
        raise WorkflowError(str(_l("Instalments are recorded once the referral is accepted.")))
    c = Checker(data)
    amount = c.money("amount")
    if amount is None and "amount" not in c.errors:
        c.error("amount", _l("This field is required."))
    elif amount is not None and amount <= 0:
        c.error("amount", _l("The amount must be more than zero."))
    c.currency("currency", referral.case.mdt.currency)
    c.day("paid_on", required=True, not_after=clock.today(referral.case.mdt))
    c.raise_if_errors()
    instalment = GrantInstalment(referral_id=referral.id, amount=amount,
                                 currency=c.clean["currency"], paid_on=c.clean["paid_on"],
                                 recorded_by_id=actor.id)
    db.session.add(instalment)
    db.session.flush()
    record(actor, "grant.instalment", instalment, case=referral.case,
           detail={"amount": amount, "currency": instalment.currency, "paid_on": instalment.paid_on})
    return instalment


# ---------------------------------------------------------------- lists and figures

@dataclass
class ReferralFilters:
    direction: str = "incoming"
    status: str | None = None
    page: int = 1
    per_page: int = 50


def referral_list(user, f: ReferralFilters):
    """Incoming (to the user's agency) or outgoing (from it) referrals: a constant number of
    queries whatever their number. The case reference is shown; the person's name only to those
    who may see the case."""
    column = Referral.to_agency_id if f.direction == "incoming" else Referral.from_agency_id
    stmt = select(Referral).where(Referral.mdt_id == user.mdt_id, column == user.agency_id)
    if f.status:
        stmt = stmt.where(Referral.status == f.status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.options(joinedload(Referral.case).joinedload(Case.person),
                     joinedload(Referral.from_agency), joinedload(Referral.to_agency),
                     joinedload(Referral.created_by))
        .order_by(Referral.status != "pending", Referral.respond_by, Referral.id.desc())
        .limit(f.per_page).offset((max(f.page, 1) - 1) * f.per_page)).unique().all()
    visible = set(db.session.scalars(
        select(Case.id).where(Case.id.in_([r.case_id for r in rows]), policy.team_filter(user))))
    record_read(user, "referral.list", [r.case_id for r in rows if r.case_id in visible])
    return [(r, r.case_id in visible) for r in rows], total


def case_referrals(case: Case):
    return db.session.scalars(
        select(Referral).where(Referral.case_id == case.id)
        .options(joinedload(Referral.to_agency), joinedload(Referral.from_agency))
        .order_by(Referral.created_at.desc())).all()


def figures(mdt_id: int, start: date, end: date) -> dict:
    """Counts by service, receiving agency and outcome, and the median response time in days,
    for referrals made between ``start`` and ``end`` (inclusive)."""
    mdt = db.session.get(Mdt, mdt_id)
    lo, hi = clock.start_of(start, mdt), clock.start_of(end + timedelta(days=1), mdt)
    rows = db.session.execute(
        select(Referral.service, Agency.name, Referral.status, Referral.outcome,
               Referral.created_at, Referral.answered_at)
        .join(Agency, Agency.id == Referral.to_agency_id)
        .where(Referral.mdt_id == mdt_id, Referral.created_at >= lo, Referral.created_at < hi)).all()
    by_service: dict[str, int] = {}
    by_agency: dict[str, int] = {}
    by_outcome: dict[str, int] = {}
    waits = []
    for service, agency, status, outcome, created, answered in rows:
        by_service[service] = by_service.get(service, 0) + 1
        by_agency[agency] = by_agency.get(agency, 0) + 1
        key = outcome or status
        by_outcome[key] = by_outcome.get(key, 0) + 1
        if answered is not None:
            waits.append((answered - created).total_seconds() / 86400)
    return {
        "total": len(rows),
        "by_service": dict(sorted(by_service.items(), key=lambda kv: -kv[1])),
        "by_agency": dict(sorted(by_agency.items(), key=lambda kv: -kv[1])),
        "by_outcome": dict(sorted(by_outcome.items(), key=lambda kv: -kv[1])),
        "median_response_days": round(statistics.median(waits), 1) if waits else None,
        "answered": len(waits),
    }
