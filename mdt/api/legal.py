"""API: legal matters, hearings, events and deadlines (../shared/API.md, Legal matters)."""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from mdt import policy
from mdt.api.base import api_bp, body, listing, paging
from mdt.errors import NotFound, ValidationError, get_or_404
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import (
    JURISDICTIONS,
    Claimant,
    ClosureDay,
    Deadline,
    DeadlineRule,
    Hearing,
    LegalMatter,
    MatterEvent,
)


def _money(v):
    return None if v is None else f"{v:.2f}"


def claimant_json(cl: Claimant) -> dict:
    return {
        "id": cl.id,
        "case_id": cl.case_id,
        "case_reference": cl.case.reference,
        "name": cl.case.person.full_name,
        "currency": cl.currency,
        "amount_claimed": _money(cl.amount_claimed),
        "amount_awarded": _money(cl.amount_awarded),
        "amount_received": _money(cl.amount_received),
        "status": cl.status,
        "debt_relief": {
            "loan_cancelled": cl.loan_cancelled,
            "collateral_returned": cl.collateral_returned,
            "note": cl.debt_relief_note,
        },
    }


def matter_json(m, user) -> dict:
    visible = [cl for cl in m.claimants if policy.can(user, "case.view", cl.case)]
    return {
        "id": m.id,
        "kind": m.kind,
        "jurisdiction": m.jurisdiction,
        "title": m.title,
        "forum": m.forum,
        "docket_no": m.docket_no,
        "stage": m.stage,
        "lawyer_ids": [link.member_id for link in m.lawyers],
        "supervising_lawyer_id": m.supervising_lawyer_id,
        "respondents": [
            {"id": r.intermediary.id, "name": r.intermediary.name, "kind": r.intermediary.kind}
            for r in m.respondents
        ],
        "claimants": [claimant_json(cl) for cl in visible],
        "claimants_total": len(m.claimants),
        "claimants_hidden": len(m.claimants) - len(visible),
        "claimants_active": sum(1 for cl in m.claimants if cl.status == "active"),
        "totals": legal.totals(m),
        "linked_matter_ids": legal.linked_ids(m),
        "created_at": m.created_at.isoformat(),
        "updated_at": m.updated_at.isoformat(),
    }


def deadline_json(d: Deadline) -> dict:
    return {
        "id": d.id,
        "rule": d.rule.code if d.rule else None,
        "title": d.title,
        "due_on": d.due_on.isoformat(),
        "citation": d.citation,
        "verified": d.verified,
        "trace": d.trace,
        "status": d.status,
        "set_by_hand": d.set_by_hand,
        "event_id": d.event_id,
    }


def event_json(e: MatterEvent, deadlines) -> dict:
    return {
        "id": e.id,
        "kind": e.kind,
        "occurred_on": e.occurred_on.isoformat(),
        "confirmed": e.confirmed_by_id is not None,
        "deadlines": [deadline_json(d) for d in deadlines],
    }


def hearing_json(h: Hearing) -> dict:
    return {
        "id": h.id,
        "matter_id": h.matter_id,
        "starts_at": h.starts_at.isoformat(),
        "purpose": h.purpose,
        "location": h.location,
        "status": h.status,
        "outcome_notes": h.outcome_notes,
        "next_hearing_id": h.next_hearing_id,
        "support": [{"kind": s.kind, "owner_id": s.owner_id, "done": s.done} for s in h.support],
    }


def rule_json(r: DeadlineRule) -> dict:
    return {
        "id": r.id,
        "code": r.code,
        "pack": r.pack,
        "version": r.version,
        "jurisdiction": r.jurisdiction,
        "matter_kinds": r.matter_kinds,
        "trigger": r.trigger,
        "title": r.title,
        "amount": r.amount,
        "unit": r.unit,
        "offset_days": r.offset_days,
        "roll": r.roll,
        "citation": r.citation,
        "confidence": r.confidence,
        "verified": r.verified,
        "active": r.active,
        "notes": r.notes,
    }


@api_bp.get("/legal-matters")
def list_matters():
    page, per_page = paging()
    from sqlalchemy import func

    stmt = select(LegalMatter).where(policy.matter_filter(current_user))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.order_by(LegalMatter.updated_at.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return listing(
        [
            {"id": m.id, "kind": m.kind, "jurisdiction": m.jurisdiction, "title": m.title, "stage": m.stage}
            for m in rows
        ],
        page,
        per_page,
        total,
    )


@api_bp.post("/legal-matters")
def create_matter():
    matter = legal.create_matter(current_user, body())
    return jsonify(matter_json(legal.get_matter(current_user, matter.id), current_user)), 201


@api_bp.get("/legal-matters/<int:matter_id>")
def get_matter(matter_id: int):
    return jsonify(matter_json(legal.read_matter(current_user, matter_id), current_user))


@api_bp.patch("/legal-matters/<int:matter_id>")
def patch_matter(matter_id: int):
    matter = legal.get_matter(current_user, matter_id, edit=True)
    legal.update_matter(current_user, matter, body())
    return jsonify(matter_json(matter, current_user))


@api_bp.post("/legal-matters/<int:matter_id>/claimants")
def add_claimant(matter_id: int):
    matter = legal.get_matter(current_user, matter_id, edit=True)
    claimant = legal.add_claimant(current_user, matter, body())
    return jsonify(claimant_json(claimant)), 201


@api_bp.patch("/legal-matters/<int:matter_id>/claimants/<int:claimant_id>")
def patch_claimant(matter_id: int, claimant_id: int):
    matter = legal.get_matter(current_user, matter_id, edit=True)
    claimant = next((cl for cl in matter.claimants if cl.id == claimant_id), None)
    if claimant is None or not policy.can(current_user, "case.view", claimant.case):
        raise NotFound("No such claimant.")
    legal.update_claimant(current_user, matter, claimant, body())
    return jsonify(claimant_json(claimant))


@api_bp.post("/legal-matters/<int:matter_id>/hearings")
def schedule_hearing(matter_id: int):
    matter = legal.get_matter(current_user, matter_id, edit=True)
    hearing = legal.schedule_hearing(current_user, matter, body())
    return jsonify(hearing_json(hearing)), 201


@api_bp.patch("/hearings/<int:hearing_id>")
def patch_hearing(hearing_id: int):
    hearing = get_or_404(Hearing, hearing_id)
    legal.get_matter(current_user, hearing.matter_id, edit=True)
    legal.update_hearing(current_user, hearing, body())
    return jsonify(hearing_json(hearing))


@api_bp.post("/legal-matters/<int:matter_id>/events")
def record_event(matter_id: int):
    matter = legal.get_matter(current_user, matter_id, edit=True)
    event, deadlines = legal.record_event(current_user, matter, body())
    return jsonify(event_json(event, deadlines)), 201


@api_bp.patch("/events/<int:event_id>")
def patch_event(event_id: int):
    event = get_or_404(MatterEvent, event_id)
    legal.get_matter(current_user, event.matter_id, edit=True)
    data = body()
    legal.change_event_date(current_user, event, data.get("occurred_on"))
    deadlines = db.session.scalars(select(Deadline).where(Deadline.event_id == event.id)).all()
    return jsonify(event_json(event, deadlines))


@api_bp.post("/events/<int:event_id>/confirm")
def confirm_event(event_id: int):
    event = get_or_404(MatterEvent, event_id)
    legal.get_matter(current_user, event.matter_id)
    legal.confirm_event(current_user, event)
    return jsonify(event_json(event, []))


@api_bp.get("/legal-matters/<int:matter_id>/deadlines")
def list_deadlines(matter_id: int):
    matter = legal.get_matter(current_user, matter_id)
    return jsonify({"items": [deadline_json(d) for d in legal.matter_deadlines(matter)]})


@api_bp.post("/deadlines/<int:deadline_id>/done")
def deadline_done(deadline_id: int):
    deadline = get_or_404(Deadline, deadline_id)
    legal.get_matter(current_user, deadline.matter_id)
    legal.mark_done(current_user, deadline)
    return jsonify(deadline_json(deadline))


@api_bp.get("/deadline-rules")
def list_rules():
    jurisdiction = request.args.get("jurisdiction")
    if jurisdiction and jurisdiction not in JURISDICTIONS:
        raise ValidationError("Bad filter.", {"jurisdiction": ["Use TH or PH."]})
    stmt = select(DeadlineRule).order_by(DeadlineRule.jurisdiction, DeadlineRule.code)
    if jurisdiction:
        stmt = stmt.where(DeadlineRule.jurisdiction == jurisdiction)
    return jsonify({"items": [rule_json(r) for r in db.session.scalars(stmt)]})


@api_bp.post("/deadline-rules")
def create_rule():
    rule, _moved = legal.save_rule(current_user, body())
    return jsonify(rule_json(rule)), 201


@api_bp.patch("/deadline-rules/<int:rule_id>")
def patch_rule(rule_id: int):
    rule = get_or_404(DeadlineRule, rule_id)
    _rule, moved = legal.save_rule(current_user, body(), rule)
    return jsonify({**rule_json(rule), "recomputed": moved})


@api_bp.post("/closure-days")
def add_closure():
    closure, moved = legal.save_closure(current_user, body())
    return jsonify(
        {
            "id": closure.id,
            "jurisdiction": closure.jurisdiction,
            "court": closure.court,
            "day": closure.day.isoformat(),
            "action": closure.action,
            "reason": closure.reason,
            "recomputed": moved,
        }
    ), 201


@api_bp.delete("/closure-days/<int:closure_id>")
def delete_closure(closure_id: int):
    closure = get_or_404(ClosureDay, closure_id)
    moved = legal.remove_closure(current_user, closure)
    return jsonify({"recomputed": moved})
