"""JSON shapes of the API."""

from __future__ import annotations

from mdt import policy
from mdt.cases.models import Assessment
from mdt.extensions import db


def agency_json(a) -> dict:
    return {
        "id": a.id,
        "name": a.name,
        "kind": a.kind,
        "level": a.level,
        "area": a.area,
        "parent_id": a.parent_id,
        "contact": a.contact,
        "focal_person_id": a.focal_person_id,
    }


def member_json(m) -> dict:
    return {
        "id": m.id,
        "email": m.email,
        "name": m.name,
        "agency_id": m.agency_id,
        "roles": list(m.roles or []),
        "active": bool(m.active),
        "phone": m.phone,
        "languages": m.languages,
        "expertise": m.expertise,
    }


def _money(v):
    return None if v is None else f"{v:.2f}"


def episode_json(e) -> dict:
    return {
        "id": e.id,
        "destination_country": e.destination_country,
        "sector": e.sector,
        "job": e.job,
        "departed_on": e.departed_on.isoformat() if e.departed_on else None,
        "returned_on": e.returned_on.isoformat() if e.returned_on else None,
        "channel": e.channel,
        "currency": e.currency,
        "recruitment_fee": _money(e.recruitment_fee),
        "debt_amount": _money(e.debt_amount),
        "debt_lender": e.debt_lender,
        "debt_collateral": e.debt_collateral,
        "wages_owed": _money(e.wages_owed),
        "documents_withheld": e.documents_withheld,
        "intermediaries": [
            {"id": link.intermediary.id, "name": link.intermediary.name, "kind": link.intermediary.kind}
            for link in e.links
        ],
    }


def person_json(p) -> dict:
    return {
        "id": p.id,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "sex": p.sex,
        "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
        "age": p.age,
        "is_minor": p.is_minor,
        "phone": p.phone,
        "languages": p.languages,
        "home_area": p.home_area or None,
        "home_province": p.home_province,
        "home_district": p.home_district,
        "home_subdistrict": p.home_subdistrict,
        "home_village": p.home_village,
        "safe_contact_note": p.safe_contact_note,
        "email": p.email,
        "contact_safe": bool(p.contact_safe),
    }


def case_summary_json(c) -> dict:
    """What a coordinator not on the team may see: reference, stage, lead agency, dates."""
    return {
        "id": c.id,
        "reference": c.reference,
        "stage": c.stage,
        "lead_agency": {"id": c.lead_agency.id, "name": c.lead_agency.name} if c.lead_agency else None,
        "opened_on": c.opened_on.isoformat(),
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
        "closed_at": c.closed_at.isoformat() if c.closed_at else None,
        "full": False,
    }


def case_json(c, user, *, list_row: bool = False) -> dict:
    data = case_summary_json(c)
    full_team = policy.can(user, "case.edit", c)
    data.update(
        {
            "full": True,
            "source": c.source,
            "summary": c.summary,
            "district": c.district,
            "close_reason": c.close_reason,
            "allowed_moves": list(c.allowed_moves) if full_team else [],
            "shared_parts": sorted(policy.shared_parts(user, c)),
        }
    )
    if policy.can(user, "case.part.person", c):
        data["person"] = person_json(c.person)
    if not list_row and policy.can(user, "case.part.episodes", c):
        data["episodes"] = [episode_json(e) for e in c.episodes]
    if not list_row:
        data["team"] = {
            "agency_ids": [a.agency_id for a in c.team_agencies],
            "member_ids": [a.member_id for a in c.assignments],
        }
        if policy.can(user, "case.sensitive", c):
            a = db.session.get(Assessment, c.id)
            data["sensitive"] = (
                None
                if a is None
                else {
                    "risks": a.risks,
                    "counter_charge_risk": a.counter_charge_risk,
                    "deportation_risk": a.deportation_risk,
                    "health": a.health,
                    "immigration_status": a.immigration_status,
                    "counter_charges": a.counter_charges,
                    "whereabouts": a.whereabouts,
                }
            )
    return data
