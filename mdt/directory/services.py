"""Directory rules: agencies, members and the action plan."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from mdt import policy
from mdt.audit.services import changes, record
from mdt.auth.services import MIN_PASSWORD_LENGTH, hash_password
from mdt.directory.models import AGENCY_KINDS, AGENCY_LEVELS, ROLES, ActionPlanEntry, Agency, Member
from mdt.errors import Forbidden, NotFound, ValidationError
from mdt.extensions import db
from mdt.validation import Checker


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


def _check_agency(actor, data: dict, partial: bool = False) -> dict:
    c = Checker(data)
    if not partial or "name" in c.data:
        c.text("name", required=True, max_length=200)
    if not partial or "kind" in c.data:
        c.choice("kind", AGENCY_KINDS, required=True)
    if not partial or "level" in c.data:
        c.choice("level", AGENCY_LEVELS, default="province")
    for field, max_length in (("area", 200), ("contact", 300)):
        if not partial or field in c.data:
            c.text(field, max_length=max_length)
    for field in ("parent_id", "focal_person_id"):
        if field in c.data:
            raw = c.data.get(field)
            if raw in (None, ""):
                c.clean[field] = None
                continue
            try:
                ref = int(raw)
            except (TypeError, ValueError):
                c.error(field, _l("Choose from the list."))
                continue
            model = Agency if field == "parent_id" else Member
            obj = db.session.get(model, ref)
            if obj is None or obj.mdt_id != actor.mdt_id:
                c.error(field, _l("Choose from the list."))
            else:
                c.clean[field] = ref
    c.raise_if_errors()
    if "name" in c.clean:
        clash = db.session.scalars(
            select(Agency).where(
                Agency.mdt_id == actor.mdt_id, func.lower(Agency.name) == c.clean["name"].lower()
            )
        ).first()
        if clash is not None and clash.id != data.get("_id"):
            raise ValidationError("Duplicate name.", {"name": [str(_l("An agency with this name exists."))]})
    return c.clean


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
    clean = _check_agency(actor, {**data, "_id": agency.id}, partial=True)
    if clean.get("parent_id") == agency.id:
        raise ValidationError("Bad parent.", {"parent_id": [str(_l("An agency cannot be its own parent."))]})
    changed = changes(agency, clean)
    if changed:
        db.session.flush()
        record(actor, "agency.update", agency, detail={"changes": changed})
    return changed


def _check_member(actor, data: dict, partial: bool = False, member_id: int | None = None) -> dict:

    c = Checker(data)
    if not partial or "email" in c.data:
        email = c.text("email", required=True, max_length=254)
        if email and ("@" not in email or " " in email):
            c.error("email", _l("Enter a valid email address."))
        elif email:
            c.clean["email"] = email.lower()
    if not partial or "name" in c.data:
        c.text("name", required=True, max_length=200)
    for field, max_length in (("phone", 40), ("languages", 200), ("expertise", 300)):
        if not partial or field in c.data:
            c.text(field, max_length=max_length)
    if not partial or "agency_id" in c.data:
        try:
            agency = db.session.get(Agency, int(c.data.get("agency_id")))
        except (TypeError, ValueError):
            agency = None
        if agency is None or agency.mdt_id != actor.mdt_id:
            c.error("agency_id", _l("Choose an agency."))
        else:
            c.clean["agency_id"] = agency.id
    if not partial or "roles" in c.data:
        roles = c.data.get("roles") or ["member"]
        if isinstance(roles, str):
            roles = [roles]
        bad = [r for r in roles if r not in ROLES]
        if bad or not isinstance(roles, list):
            c.error("roles", _l("Roles are member, coordinator, lawyer and admin."))
        else:
            c.clean["roles"] = sorted(set(roles))
    if "active" in c.data:
        c.boolean("active", True)
    password = c.data.get("password")
    if password:
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
            c.error("password", _l("At least %(n)s characters.", n=MIN_PASSWORD_LENGTH))
    elif not partial:
        c.error("password", _l("This field is required."))
    c.raise_if_errors()
    if "email" in c.clean:
        clash = db.session.scalars(select(Member).where(Member.email == c.clean["email"])).first()
        if clash is not None and clash.id != member_id:
            raise ValidationError("Duplicate email.", {"email": [str(_l("This email is already used."))]})
    return c.clean


def create_member(actor, data: dict) -> Member:

    _require(actor, "directory.manage")
    clean = _check_member(actor, data)
    member = Member(mdt_id=actor.mdt_id, password_hash=hash_password(data["password"]), **clean)
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
    changed = changes(member, clean)
    if data.get("password"):
        member.password_hash = hash_password(data["password"])
        changed["password"] = ["(changed)", "(changed)"]
    if changed:
        db.session.flush()
        record(actor, "member.update", member, detail={"changes": changed})
    return changed


def action_plan(mdt_id: int):
    return db.session.scalars(
        select(ActionPlanEntry)
        .where(ActionPlanEntry.mdt_id == mdt_id)
        .order_by(ActionPlanEntry.position, ActionPlanEntry.id)
    ).all()


def add_plan_entry(actor, data: dict) -> ActionPlanEntry:
    _require(actor, "actionplan.edit")
    c = Checker(data)
    c.text("responsibility", required=True, max_length=300)
    c.text("timing", max_length=200)
    c.text("notes", max_length=2000)
    try:
        agency = get_agency(actor, int(data.get("agency_id")))
    except (TypeError, ValueError, NotFound):
        agency = None
        c.error("agency_id", _l("Choose an agency."))
    c.raise_if_errors()
    position = len(action_plan(actor.mdt_id))
    entry = ActionPlanEntry(mdt_id=actor.mdt_id, agency_id=agency.id, position=position, **c.clean)
    db.session.add(entry)
    db.session.flush()
    record(actor, "actionplan.add", entry, detail={"agency_id": agency.id, **c.clean})
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
