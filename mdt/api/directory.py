"""API: the caller, agencies and members (../shared/API.md, Directory)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import fields
from sqlalchemy import select

from mdt.api.base import PageArgs, accepts, api_bp, body, page_of, paginate, problems
from mdt.directory import services as directory
from mdt.directory.models import Agency, Member
from mdt.directory.schemas import AgencySchema, MemberSchema, MeSchema
from mdt.schema import Schema


@api_bp.get("/health")
@api_bp.doc(security=[], summary="Liveness (no token needed)")
@api_bp.response(200, Schema.from_dict({"status": fields.String(required=True)}, name="Health"))
def health():
    return {"status": "ok"}


@api_bp.get("/me")
@api_bp.response(200, MeSchema)
@problems(401)
def me():
    """The caller: their agency, roles and MDT."""
    return current_user


@api_bp.get("/agencies")
@api_bp.arguments(PageArgs, location="query", as_kwargs=True)
@api_bp.response(200, page_of(AgencySchema))
@problems(401, 422)
def list_agencies(page: int, per_page: int):
    """Agencies of the caller's MDT."""
    return paginate(
        select(Agency).where(Agency.mdt_id == current_user.mdt_id).order_by(Agency.name), page, per_page
    )


@api_bp.post("/agencies")
@accepts(AgencySchema)
@api_bp.response(201, AgencySchema)
@problems(400, 401, 403, 422)
def create_agency():
    """Add an agency (admins)."""
    return directory.create_agency(current_user, body())


@api_bp.get("/members")
@api_bp.arguments(PageArgs, location="query", as_kwargs=True)
@api_bp.response(200, page_of(MemberSchema))
@problems(401, 422)
def list_members(page: int, per_page: int):
    """Members of the caller's MDT."""
    return paginate(
        select(Member).where(Member.mdt_id == current_user.mdt_id).order_by(Member.name), page, per_page
    )


@api_bp.post("/members")
@accepts(MemberSchema)
@api_bp.response(201, MemberSchema)
@problems(400, 401, 403, 422)
def create_member():
    """Add a member (admins); ``password`` of at least 12 characters."""
    return directory.create_member(current_user, body())


@api_bp.patch("/members/<int:member_id>")
@accepts(MemberSchema)
@api_bp.response(200, MemberSchema)
@problems(400, 401, 403, 404, 422)
def patch_member(member_id: int):
    """Change a member (admins; only the fields given). ``active: false`` ends the member's
    sessions, API tokens and calendar feeds at once."""
    member = directory.get_member(current_user, member_id)
    directory.update_member(current_user, member, body())
    return member
