"""API: returnees and their cases (../shared/API.md, Cases)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import EXCLUDE, ValidationError, fields, validate

from mdt.api.base import PageArgs, accepts, api_bp, body, items_of, page_of, problems
from mdt.audit.services import case_trail, record
from mdt.cases import services as cases
from mdt.cases.models import SECTORS, STAGES
from mdt.cases.schemas import (
    CaseCreateSchema,
    CaseSchema,
    CaseUpdateSchema,
    EpisodeSchema,
    NoteSchema,
    StageChangeSchema,
)
from mdt.schema import MAX_ID, Schema, Text


class Cursor(Text):
    """Where the previous page of a list ended (its ``next``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        found = cases.read_cursor(super()._deserialize(value, attr, data, **kwargs))
        if found is None:
            raise ValidationError(str(_l('Not a place in this list: give the "next" of the page before.')))
        return found


class CaseQuery(PageArgs):
    """Filters of the case list; names are searched only on cases the caller may read in full."""

    class Meta:
        unknown = EXCLUDE

    q = Text(
        max_length=200,
        metadata={"description": "a name, a phone number, a reference or words of the summary"},
    )
    stage = fields.String(validate=validate.OneOf(STAGES))
    agency_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "the lead agency"}
    )
    district = Text(max_length=120)
    destination = Text(max_length=2, metadata={"description": "ISO 3166-1 alpha-2"})
    sector = fields.String(validate=validate.OneOf(SECTORS))
    minor = fields.Boolean()
    mine = fields.Boolean(load_default=False)
    after = Cursor(
        max_length=100,
        metadata={
            "description": "the previous page's next: this page starts after it (page then only numbers it)"
        },
    )


class AuditEventSchema(Schema):
    at = fields.DateTime(required=True)
    actor = fields.Nested(
        Schema.from_dict({"id": fields.Integer(), "name": fields.String()}, name="Actor"), allow_none=True
    )
    action = fields.String(required=True)
    detail = fields.Dict()
    via = fields.String(metadata={"enum": ["web", "api", "task"]})


@api_bp.post("/cases")
@accepts(CaseCreateSchema)
@api_bp.response(201, CaseSchema)
@problems(400, 401, 409, 422)
def create_case():
    """Register a returnee and open a case (only the name, sex and source are required)."""
    case = cases.create_case(current_user, body())
    return cases.visible(current_user, case)


@api_bp.get("/cases")
@api_bp.arguments(CaseQuery, location="query")
@api_bp.response(200, page_of(CaseSchema, keyset=True))
@problems(401, 422)
def list_cases(args: dict):
    """The cases the caller may see (a coordinator's summary of the others in their MDT)."""
    f = cases.CaseFilters(
        **{k: args.get(k) for k in ("q", "stage", "agency_id", "district", "destination", "sector", "minor")},
        mine=args["mine"],
        attention=False,
        page=args["page"],
        per_page=args["per_page"],
        after=args.get("after"),
    )
    rows, total = cases.list_cases(current_user, f)
    more = len(rows) == f.per_page and (f.after is not None or f.page * f.per_page < total)
    return {
        "items": [cases.visible(current_user, c, list_row=True) for c, _full in rows],
        "page": f.page,
        "per_page": f.per_page,
        "total": total,
        "next": cases.cursor(rows[-1][0]) if more and cases.keyset(f) else None,
    }


@api_bp.get("/cases/<int:case_id>")
@api_bp.response(200, CaseSchema)
@problems(401, 404)
def get_case(case_id: int):
    """One case, as far as the caller may see it (the read is audited)."""
    case, _full = cases.read_case(current_user, case_id)
    return cases.visible(current_user, case)


@api_bp.patch("/cases/<int:case_id>")
@accepts(CaseUpdateSchema)
@api_bp.response(200, CaseSchema)
@problems(400, 401, 403, 404, 409, 422)
def patch_case(case_id: int):
    """Change the case or the person (only the fields given)."""
    case = cases.get_case(current_user, case_id, "case.edit")
    if not cases.update_case(current_user, case, body()):
        record(current_user, "case.read", case, case=case)  # nothing changed: the answer is a read
    return cases.visible(current_user, case)


@api_bp.post("/cases/<int:case_id>/stage")
@accepts(StageChangeSchema)
@api_bp.response(200, CaseSchema)
@problems(400, 401, 403, 404, 409, 422)
def change_stage(case_id: int):
    """Move the stage; closing needs a reason; ``closed`` -> ``active`` reopens; 409 otherwise."""
    case = cases.get_case(current_user, case_id, "case.stage")
    data = body()
    cases.change_stage(current_user, case, data.get("to") or "", data.get("reason"))
    return cases.visible(current_user, case)


@api_bp.post("/cases/<int:case_id>/notes")
@accepts(NoteSchema)
@api_bp.response(201, NoteSchema)
@problems(400, 401, 403, 404, 422)
def add_note(case_id: int):
    """Add a note; ``restricted`` notes are for the lead agency only."""
    case = cases.get_case(current_user, case_id, "case.note")
    data = body()
    return cases.add_note(current_user, case, data.get("body") or "", data.get("restricted", False))


@api_bp.get("/cases/<int:case_id>/notes")
@api_bp.response(200, items_of(NoteSchema))
@problems(401, 403, 404)
def list_notes(case_id: int):
    """The notes the caller may read (the read is audited)."""
    case = cases.get_case(current_user, case_id, "case.part.notes")
    record(current_user, "case.read_notes", case, case=case)
    return {"items": cases.case_notes(current_user, case)}


@api_bp.post("/cases/<int:case_id>/episodes")
@accepts(EpisodeSchema)
@api_bp.response(201, CaseSchema)
@problems(400, 401, 403, 404, 422)
def add_episode(case_id: int):
    """Add a migration episode."""
    case = cases.get_case(current_user, case_id, "case.edit")
    cases.add_episode(current_user, case, body())
    return cases.visible(current_user, case)


@api_bp.get("/cases/<int:case_id>/audit")
@api_bp.response(200, items_of(AuditEventSchema))
@problems(401, 403, 404)
def case_audit(case_id: int):
    """The case's audit trail (the read is audited too)."""
    case = cases.get_case(current_user, case_id, "case.audit")
    record(current_user, "case.read_audit", case, case=case)
    return {"items": case_trail(case.id)}
