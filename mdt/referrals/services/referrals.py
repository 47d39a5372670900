"""Referrals: made only with a live consent to share, answered by the receiving agency, followed
to an outcome, withdrawn, expired; grant instalments. Services flush; the caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from mdt import clock, consent, policy
from mdt.audit.services import record, record_read
from mdt.cases.models import Case, CaseAgency, PlanItem
from mdt.cases.services import get_case
from mdt.directory.models import Mdt
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.notifications import services as notes
from mdt.referrals.models import GrantInstalment, Referral, Service
from mdt.referrals.schemas import (
    DeclineSchema,
    InstalmentSchema,
    OutcomeSchema,
    ReasonSchema,
    ReferralSchema,
)
from mdt.referrals.services.common import load_reason
from mdt.referrals.signals import referral_changed
from mdt.schema import load
from mdt.signals import send


def get_referral(user, referral_id: int, action: str = "referral.view") -> Referral:
    referral = db.session.get(
        Referral,
        referral_id,
        options=[
            joinedload(Referral.case).selectinload(Case.team_agencies),
            joinedload(Referral.case).selectinload(Case.assignments),
            joinedload(Referral.from_agency),
            joinedload(Referral.to_agency),
            joinedload(Referral.created_by),
            selectinload(Referral.instalments),
        ],
    )
    if referral is None or not policy.can(user, "referral.view", referral):
        raise NotFound("No such referral.")
    if not policy.can(user, action, referral):
        raise Forbidden("You do not have this right on the referral.")
    return referral


def read_referral(user, referral_id: int) -> Referral:
    """Open a referral's page or API record: the read is audited, whether or not the reader may
    also see the case (what a referral says is about the person)."""
    referral = get_referral(user, referral_id)
    record(user, "referral.read", referral, case=referral.case)
    return referral


def default_respond_by(agency_id: int, service: str, today: date) -> date:
    days = db.session.scalar(
        select(func.min(Service.response_days)).where(
            Service.agency_id == agency_id, Service.category == service, Service.active.is_(True)
        )
    )
    return today + timedelta(days=days or 7)


def _case_to_refer(actor, case_id: int) -> Case:
    case = get_case(actor, case_id, "case.summary")
    if not policy.can(actor, "case.refer", case):
        raise Forbidden("You cannot refer this case.")
    return case


def create_referral(actor, data: dict) -> Referral:
    """Refer a case (``ReferralSchema``). A case the actor may not see is 404 and one they may
    not refer 403, before anything else is said about the fields."""
    try:
        clean = load(
            ReferralSchema,
            data,
            today=clock.today(actor.mdt),
            mdt_id=actor.mdt_id,
            agency_id=actor.agency_id,
        )
    except ValidationError as exc:
        if "case_id" not in exc.errors and isinstance(data, Mapping):
            _case_to_refer(actor, int(str(data["case_id"]).strip()))
        raise
    case = _case_to_refer(actor, clean["case_id"])
    agency, service, respond_by = clean["to_agency_id"], clean["service"], clean.get("respond_by")
    plan_item_id = clean.get("plan_item_id")
    today = clock.today(case.mdt)
    if case.stage == "closed":
        raise WorkflowError(str(_l("A closed case cannot be referred. Reopen it first.")))
    shared = consent.require_share(case, agency)
    offered = db.session.scalars(
        select(Service).where(
            Service.agency_id == agency.id, Service.category == service, Service.active.is_(True)
        )
    ).first()
    referral = Referral(
        mdt_id=case.mdt_id,
        case_id=case.id,
        from_agency_id=actor.agency_id,
        to_agency_id=agency.id,
        offered_service_id=offered.id if offered else None,
        plan_item_id=plan_item_id,
        consent_id=shared.id,
        service=service,
        reason=clean.get("reason"),
        urgency=clean.get("urgency") or "normal",
        respond_by=respond_by or default_respond_by(agency.id, service, today),
        status="pending",
        created_by_id=actor.id,
    )
    db.session.add(referral)
    db.session.flush()
    send(referral_changed, [referral.id])
    record(
        actor,
        "referral.create",
        referral,
        case=case,
        detail={
            "to_agency_id": agency.id,
            "service": service,
            "respond_by": referral.respond_by,
            "urgency": referral.urgency,
            "consent_id": shared.id,
        },
    )
    notes.notify(notes.agency_members(agency.id), "referral_new", referral=referral, skip=actor.id)
    return referral


def _answerable(referral: Referral) -> None:
    if referral.status == "pending" and referral.respond_by < clock.today(referral.case.mdt):
        raise WorkflowError(str(_l("This referral has expired: it was not answered in time.")))
    if referral.status != "pending":
        raise WorkflowError(
            str(_l("This referral was already answered (%(status)s).", status=referral.status))
        )


def accept(actor, referral: Referral) -> Referral:
    if not policy.can(actor, "referral.answer", referral):
        raise Forbidden("Only the receiving agency can accept.")
    _answerable(referral)
    case = referral.case
    shared = consent.live_share(case, referral.to_agency_id)
    if shared is None:
        raise WorkflowError(str(_l("The person's consent is no longer live.")))
    referral.status = "accepted"
    referral.answered_at = clock.now()
    referral.answered_by_id = actor.id
    link = next((a for a in case.team_agencies if a.agency_id == referral.to_agency_id), None)
    if link is None:
        case.team_agencies.append(
            CaseAgency(agency_id=referral.to_agency_id, consent_id=shared.id, referral_id=referral.id)
        )
    db.session.flush()
    send(referral_changed, [referral.id])
    record(
        actor,
        "referral.accept",
        referral,
        case=case,
        detail={"scope": sorted(consent.for_case(case, consent.SHARING, referral.to_agency_id).parts)},
    )
    notes.notify([referral.created_by_id], "referral_accepted", referral=referral, skip=actor.id)
    return referral


def decline(actor, referral: Referral, reason: str | Mapping | None) -> Referral:
    """Decline, saying why: ``reason`` is text, or the request's data (``DeclineSchema``)."""
    if not policy.can(actor, "referral.answer", referral):
        raise Forbidden("Only the receiving agency can decline.")
    reason = load_reason(DeclineSchema, reason)
    _answerable(referral)
    referral.status = "declined"
    referral.decline_reason = reason
    referral.answered_at = referral.closed_at = clock.now()
    referral.answered_by_id = actor.id
    db.session.flush()
    send(referral_changed, [referral.id])
    record(actor, "referral.decline", referral, case=referral.case, detail={"reason": reason})
    notes.notify([referral.created_by_id], "referral_declined", referral=referral, skip=actor.id)
    return referral


def complete(actor, referral: Referral, data: dict) -> Referral:
    if not policy.can(actor, "referral.complete", referral):
        raise Forbidden("You cannot complete this referral.")
    clean = load(OutcomeSchema, data)
    outcome = clean["outcome"]
    if referral.status != "accepted":
        raise WorkflowError(
            str(
                _l(
                    "Only an accepted referral can be completed (this one is %(status)s).",
                    status=referral.status,
                )
            )
        )
    referral.status = "completed"
    referral.outcome = outcome
    referral.outcome_reason = clean.get("reason")
    referral.outcome_note = clean.get("note")
    referral.accompanied = clean.get("accompanied")
    referral.completed_at = referral.closed_at = clock.now()
    if referral.plan_item_id:
        item = db.session.get(PlanItem, referral.plan_item_id)
        if item is not None:
            item.status = "received" if outcome == "received" else "not_received"
    db.session.flush()
    send(referral_changed, [referral.id])
    record(
        actor,
        "referral.complete",
        referral,
        case=referral.case,
        detail={"outcome": outcome, "reason": referral.outcome_reason, "accompanied": referral.accompanied},
    )
    notes.notify([referral.created_by_id], "referral_completed", referral=referral, skip=actor.id)
    return referral


def withdraw(actor, referral: Referral, reason: str | Mapping | None = None) -> Referral:
    """Withdraw (the referring side); ``reason``: text, or the request's data (``ReasonSchema``)."""
    if not policy.can(actor, "referral.withdraw", referral):
        raise Forbidden("Only the referring side can withdraw.")
    reason = load_reason(ReasonSchema, reason)
    if referral.status not in ("pending", "accepted"):
        raise WorkflowError(str(_l("This referral is already %(status)s.", status=referral.status)))
    was = referral.status
    referral.status = "withdrawn"
    referral.withdraw_reason = reason or None
    referral.closed_at = clock.now()
    case = referral.case
    if was == "accepted":
        for link in [a for a in case.team_agencies if a.referral_id == referral.id]:
            case.team_agencies.remove(link)
    db.session.flush()
    send(referral_changed, [referral.id])
    record(
        actor,
        "referral.withdraw",
        referral,
        case=case,
        detail={"reason": referral.withdraw_reason, "was": was},
    )
    notes.notify(
        notes.agency_members(referral.to_agency_id), "referral_withdrawn", referral=referral, skip=actor.id
    )
    return referral


def expire_overdue() -> int:
    """Expire pending referrals whose respond-by date has passed in their MDT's zone; tell the
    referring member and the coordinators. Safe to run twice: only pending rows are touched."""
    overdue: list[Referral] = []
    for mdt in db.session.scalars(select(Mdt)):
        overdue += db.session.scalars(
            select(Referral)
            .where(
                Referral.mdt_id == mdt.id,
                Referral.status == "pending",
                Referral.respond_by < clock.today(mdt),
            )
            .with_for_update(skip_locked=True)
        ).all()
    for referral in overdue:
        referral.status = "expired"
        referral.closed_at = clock.now()
        db.session.flush()
        record(
            None, "referral.expire", referral, case=referral.case, detail={"respond_by": referral.respond_by}
        )
        notes.notify(
            [referral.created_by_id] + notes.coordinators(referral.mdt_id),
            "referral_expired",
            referral=referral,
        )
    send(referral_changed, [r.id for r in overdue])
    return len(overdue)


def add_instalment(actor, referral: Referral, data: dict) -> GrantInstalment:
    if not policy.can(actor, "referral.instalment", referral):
        raise Forbidden("Instalments are recorded on livelihood grant referrals.")
    if referral.status not in ("accepted", "completed"):
        raise WorkflowError(str(_l("Instalments are recorded once the referral is accepted.")))
    mdt = referral.case.mdt
    clean = load(InstalmentSchema, data, today=clock.today(mdt), currency=mdt.currency)
    amount = clean["amount"]
    instalment = GrantInstalment(
        referral_id=referral.id,
        amount=amount,
        currency=clean["currency"],
        paid_on=clean["paid_on"],
        recorded_by_id=actor.id,
    )
    db.session.add(instalment)
    db.session.flush()
    record(
        actor,
        "grant.instalment",
        instalment,
        case=referral.case,
        detail={"amount": amount, "currency": instalment.currency, "paid_on": instalment.paid_on},
    )
    return instalment


@dataclass
class ReferralFilters:
    direction: str = "incoming"
    status: str | None = None
    page: int = 1
    per_page: int = 50


def _box(user, direction: str, status: str | None):
    """The referrals to the user's agency (``incoming``) or from it, of one status or all."""
    column = Referral.to_agency_id if direction == "incoming" else Referral.from_agency_id
    stmt = select(Referral).where(Referral.mdt_id == user.mdt_id, column == user.agency_id)
    return stmt.where(Referral.status == status) if status else stmt


def referral_count(user, direction: str, status: str | None = None) -> int:
    """How many referrals ``referral_list`` would list (no row read, so none audited)."""
    stmt = _box(user, direction, status)
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def referral_list(user, f: ReferralFilters):
    """Incoming (to the user's agency) or outgoing (from it) referrals: a constant number of
    queries whatever their number. The case reference is shown; the person's name only to those
    who may see the case."""
    stmt = _box(user, f.direction, f.status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = (
        db.session.scalars(
            stmt.options(
                joinedload(Referral.case).joinedload(Case.person),
                joinedload(Referral.from_agency),
                joinedload(Referral.to_agency),
                joinedload(Referral.created_by),
            )
            .order_by(Referral.status != "pending", Referral.respond_by, Referral.id.desc())
            .limit(f.per_page)
            .offset((max(f.page, 1) - 1) * f.per_page)
        )
        .unique()
        .all()
    )
    visible = set(
        db.session.scalars(
            select(Case.id).where(Case.id.in_([r.case_id for r in rows]), policy.team_filter(user))
        )
    )
    record_read(user, "referral.list", [r.case_id for r in rows if r.case_id in visible])
    return [(r, r.case_id in visible) for r in rows], total


def case_referrals(case: Case):
    return db.session.scalars(
        select(Referral)
        .where(Referral.case_id == case.id)
        .options(joinedload(Referral.to_agency), joinedload(Referral.from_agency))
        .order_by(Referral.created_at.desc())
    ).all()
