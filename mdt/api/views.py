from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import func, select

from mdt.api.base import api_bp
from mdt.api.openapi import document
from mdt.api.serializers import agency_json, case_json, case_summary_json, member_json
from mdt.audit.services import case_trail, record
from mdt.cases import services as cases
from mdt.directory import services as directory
from mdt.directory.models import Agency, Member
from mdt.errors import ServiceError, ValidationError
from mdt.extensions import db


class BadJson(ServiceError):
    status = 400
    title = "Bad JSON"


def body() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        raise BadJson("The request body must be a JSON object.")
    if not isinstance(data, dict):
        raise BadJson("The request body must be a JSON object.")
    return data


def paging() -> tuple[int, int]:
    try:
        page = max(int(request.args.get("page", 1)), 1)
        per_page = min(max(int(request.args.get("per_page", 50)), 1), 200)
    except ValueError:
        raise ValidationError("Bad paging.", {"page": ["page and per_page must be integers."]}) from None
    return page, per_page


def listing(items, page, per_page, total):
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


def paged(stmt, order_by, serialize):
    """One page of ``stmt`` in the list shape of the contract."""
    page, per_page = paging()
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(order_by).limit(per_page).offset((page - 1) * per_page)).all()
    return listing([serialize(row) for row in rows], page, per_page, total)


@api_bp.get("/health")
def health():
    return jsonify({"status": "ok"})


@api_bp.get("/openapi.json")
def openapi():

    return jsonify(document())


@api_bp.get("/me")
def me():
    u = current_user
    return jsonify(
        {
            "id": u.id,
            "email": u.email,
            "name": u.name,
            "agency": {"id": u.agency.id, "name": u.agency.name, "kind": u.agency.kind},
            "roles": list(u.roles or []),
            "mdt": {"id": u.mdt.id, "name": u.mdt.name},
            "language": u.ui_language,
        }
    )


@api_bp.get("/agencies")
def list_agencies():
    return paged(select(Agency).where(Agency.mdt_id == current_user.mdt_id), Agency.name, agency_json)


@api_bp.post("/agencies")
def create_agency():
    agency = directory.create_agency(current_user, body())
    return jsonify(agency_json(agency)), 201


@api_bp.get("/members")
def list_members():
    return paged(select(Member).where(Member.mdt_id == current_user.mdt_id), Member.name, member_json)


@api_bp.post("/members")
def create_member():
    member = directory.create_member(current_user, body())
    return jsonify(member_json(member)), 201


@api_bp.post("/cases")
def create_case():
    case = cases.create_case(current_user, body())
    return jsonify(case_json(case, current_user)), 201


@api_bp.get("/cases")
def list_cases():
    page, per_page = paging()
    args = request.args
    try:
        agency_id = int(args["agency_id"]) if args.get("agency_id") else None
    except ValueError:
        raise ValidationError("Bad filter.", {"agency_id": ["Must be an integer."]}) from None
    minor = args.get("minor")
    f = cases.CaseFilters(
        q=args.get("q") or None,
        stage=args.get("stage") or None,
        agency_id=agency_id,
        district=args.get("district") or None,
        destination=args.get("destination") or None,
        sector=args.get("sector") or None,
        minor=True if minor in ("true", "1", "yes") else (False if minor in ("false", "0", "no") else None),
        mine=args.get("mine") in ("true", "1"),
        page=page,
        per_page=per_page,
    )
    rows, total = cases.list_cases(current_user, f)
    items = [case_json(c, current_user, list_row=True) if full else case_summary_json(c) for c, full in rows]
    return listing(items, page, per_page, total)


@api_bp.get("/cases/<int:case_id>")
def get_case(case_id: int):
    case, full = cases.read_case(current_user, case_id)
    data = case_json(case, current_user) if full else case_summary_json(case)
    return jsonify(data)


@api_bp.patch("/cases/<int:case_id>")
def patch_case(case_id: int):
    case = cases.get_case(current_user, case_id, "case.edit")
    data = body()
    cases.update_case(current_user, case, data)
    return jsonify(case_json(case, current_user))


@api_bp.post("/cases/<int:case_id>/stage")
def change_stage(case_id: int):
    case = cases.get_case(current_user, case_id, "case.stage")
    data = body()
    to = data.get("to")
    if not isinstance(to, str):
        raise ValidationError("Missing stage.", {"to": ["This field is required."]})
    cases.change_stage(current_user, case, to, data.get("reason"))
    return jsonify(case_json(case, current_user))


@api_bp.post("/cases/<int:case_id>/notes")
def add_note(case_id: int):
    case = cases.get_case(current_user, case_id, "case.note")
    data = body()
    text = data.get("body")
    if not isinstance(text, str):
        raise ValidationError("Missing body.", {"body": ["This field is required."]})
    note = cases.add_note(current_user, case, text, bool(data.get("restricted", False)))
    return jsonify(
        {
            "id": note.id,
            "case_id": case.id,
            "body": note.body,
            "restricted": note.restricted,
            "created_at": note.created_at.isoformat(),
            "author": {"id": current_user.id, "name": current_user.name},
        }
    ), 201


@api_bp.get("/cases/<int:case_id>/notes")
def list_notes(case_id: int):
    case = cases.get_case(current_user, case_id, "case.part.notes")
    notes = cases.case_notes(current_user, case)
    record(current_user, "case.read_notes", case, case=case)
    return jsonify(
        {
            "items": [
                {
                    "id": n.id,
                    "body": n.body,
                    "restricted": n.restricted,
                    "created_at": n.created_at.isoformat(),
                    "author": {"id": n.author.id, "name": n.author.name},
                }
                for n in notes
            ]
        }
    )


@api_bp.post("/cases/<int:case_id>/episodes")
def add_episode(case_id: int):
    case = cases.get_case(current_user, case_id, "case.edit")
    cases.add_episode(current_user, case, body())
    return jsonify(case_json(case, current_user)), 201


@api_bp.get("/cases/<int:case_id>/audit")
def case_audit(case_id: int):
    case = cases.get_case(current_user, case_id, "case.audit")
    events = case_trail(case.id)
    record(current_user, "case.read_audit", case, case=case)
    return jsonify(
        {
            "items": [
                {
                    "at": e.at.isoformat(),
                    "actor": {"id": e.actor.id, "name": e.actor.name} if e.actor else None,
                    "action": e.action,
                    "detail": e.detail,
                    "via": e.via,
                }
                for e in events
            ]
        }
    )
