"""Directory rules: agencies, members and the action plan."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mdt import policy
from mdt.audit.services import changes, record
from mdt.auth.services import end_access, hash_password
from mdt.directory.models import ActionPlanEntry, Agency, Member
from mdt.directory.schemas import ActionPlanEntrySchema, AgencySchema, MemberSchema
from mdt.errors import Forbidden, NotFound, ValidationError
from mdt.extensions import db
from mdt.schema import load


def _require(actor, action: str) -> None:
    if not policy.can(actor, action):
        raise Forbidden("You do not have this right.")


def agencies(mdt_id: int):
    return db.session.scalars(
        select(Agency)
        .where(Agency.mdt_id == mdt_id)
        .options(joinedload(Agency.parent), joinedload(Agency.focal_person))
        .order_by(Agency.level, Agency.name)
    ).all()


def members(mdt_id: int):
    return db.session.scalars(
        select(Member).where(Member.mdt_id == mdt_id).options(joinedload(Member.agency)).order_by(Member.name)
    ).all()


def get_agency(actor, agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None or agency.mdt_id != actor.mdt_id:
        raise NotFound("No such agency.")
    return agency


def get_member(actor, member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None or member.mdt_id != actor.mdt_id:
        raise NotFound("No such member.")
    return member


def _given(actor) -> dict:
    return {"mdt_id": actor.mdt_id}


def _check_agency(actor, data: dict, partial: bool = False, agency_id: int | None = None) -> dict:
    clean = load(AgencySchema, data, partial=partial, **_given(actor))
    if "name" in clean:
        clash = db.session.scalars(
            select(Agency).where(
                Agency.mdt_id == actor.mdt_id, func.lower(Agency.name) == clean["name"].lower()
            )
        ).first()
        if clash is not None and clash.id != agency_id:
            raise ValidationError("Duplicate name.", {"name": [str(_l("An agency with this name exists."))]})
    return clean


def create_agency(actor, data: dict) -> Agency:
    _require(actor, "directory.manage")
    clean = _check_agency(actor, data)
    agency = Agency(mdt_id=actor.mdt_id, **clean)
    db.session.add(agency)
    db.session.flush()
    record(actor, "agency.create", agency, detail=clean)
    return agency


def update_agency(actor, agency: Agency, data: dict) -> dict:
    _require(actor, "directory.manage")
    clean = _check_agency(actor, data, partial=True, agency_id=agency.id)
    if clean.get("parent_id") == agency.id:
        raise ValidationError("Bad parent.", {"parent_id": [str(_l("An agency cannot be its own parent."))]})
    changed = changes(agency, clean)
    if changed:
        db.session.flush()
        record(actor, "agency.update", agency, detail={"changes": changed})
    return changed


def _check_member(actor, data: dict, partial: bool = False, member_id: int | None = None) -> dict:
    clean = load(MemberSchema, data, partial=partial, **_given(actor))
    if not partial and not clean.get("password"):
        raise ValidationError("Password needed.", {"password": [str(_l("This field is required."))]})
    if "email" in clean:
        clash = db.session.scalars(select(Member).where(Member.email == clean["email"])).first()
        if clash is not None and clash.id != member_id:
            raise ValidationError("Duplicate email.", {"email": [str(_l("This email is already used."))]})
    return clean


def create_member(actor, data: dict) -> Member:

    _require(actor, "directory.manage")
    clean = _check_member(actor, data)
    password = clean.pop("password")
    member = Member(mdt_id=actor.mdt_id, password_hash=hash_password(password), **clean)
    db.session.add(member)
    db.session.flush()
    record(actor, "member.create", member, detail=clean)
    return member


def update_member(actor, member: Member, data: dict) -> dict:

    _require(actor, "directory.manage")
    clean = _check_member(actor, data, partial=True, member_id=member.id)
    if member.id == actor.id and (
        clean.get("active") is False or ("roles" in clean and "admin" not in clean["roles"])
    ):
        raise ValidationError(
            "Cannot lock yourself out.", {"roles": [str(_l("You cannot remove your own admin access."))]}
        )
    password = clean.pop("password", None)
    changed = changes(member, clean)
    if password:
        member.password_hash = hash_password(password)
        changed["password"] = ["(changed)", "(changed)"]
    if changed:
        db.session.flush()
        record(actor, "member.update", member, detail={"changes": changed})
    if "active" in changed and not member.active:
        end_access(actor, member, "deactivated")
    elif password:
        end_access(actor, member, "password_set")
    return changed


def action_plan(mdt_id: int):
    return db.session.scalars(
        select(ActionPlanEntry)
        .where(ActionPlanEntry.mdt_id == mdt_id)
        .order_by(ActionPlanEntry.position, ActionPlanEntry.id)
    ).all()


def add_plan_entry(actor, data: dict) -> ActionPlanEntry:
    _require(actor, "actionplan.edit")
    clean = load(ActionPlanEntrySchema, data, **_given(actor))
    agency = clean.pop("agency_id")
    position = len(action_plan(actor.mdt_id))
    entry = ActionPlanEntry(mdt_id=actor.mdt_id, agency_id=agency.id, position=position, **clean)
    db.session.add(entry)
    db.session.flush()
    record(actor, "actionplan.add", entry, detail={"agency_id": agency.id, **clean})
    return entry


def remove_plan_entry(actor, entry_id: int) -> None:
    _require(actor, "actionplan.edit")
    entry = db.session.get(ActionPlanEntry, entry_id)
    if entry is None or entry.mdt_id != actor.mdt_id:
        raise NotFound("No such entry.")
    record(
        actor,
        "actionplan.remove",
        entry,
        detail={"agency_id": entry.agency_id, "responsibility": entry.responsibility},
    )
    db.session.delete(entry)
    db.session.flush()
