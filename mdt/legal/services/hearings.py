"""Hearings: scheduling, outcomes, adjournments, and the court support (transport, lodging,
interpreter, witness preparation) and attendance around each. Services flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mdt import clock, policy
from mdt.audit.services import changes, record
from mdt.directory.models import Member
from mdt.errors import Forbidden, ValidationError
from mdt.extensions import db
from mdt.legal.models import (
    HEARING_STATUSES,
    Hearing,
    HearingAttendance,
    HearingSupport,
    LegalMatter,
)
from mdt.legal.signals import hearing_changed
from mdt.signals import send
from mdt.validation import Checker


def _parse_starts_at(raw, zone: str) -> datetime | None:
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw))
        except ValueError:
            return None
    if value.tzinfo is None:  # a local time in the court's zone (the web form's datetime-local)
        value = value.replace(tzinfo=ZoneInfo(zone))
    return value.astimezone(UTC)


def schedule_hearing(actor, matter: LegalMatter, data: dict) -> Hearing:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker(data)
    starts_at = _parse_starts_at(c.data.get("starts_at"), clock.COURT_ZONES[matter.jurisdiction])
    if starts_at is None:
        c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
    elif starts_at < clock.now():
        c.error("starts_at", _l("A new hearing cannot be in the past."))
    c.text("purpose", required=True, max_length=300)
    c.text("location", max_length=300)
    c.raise_if_errors()
    hearing = Hearing(
        matter_id=matter.id,
        starts_at=starts_at,
        purpose=c.clean["purpose"],
        location=c.clean.get("location"),
        created_by_id=actor.id,
    )
    db.session.add(hearing)
    for kind in ("transport", "lodging", "interpreter", "witness_preparation"):
        hearing.support.append(HearingSupport(kind=kind))
    matter.updated_at = clock.now()
    db.session.flush()
    record(
        actor,
        "hearing.schedule",
        hearing,
        detail={"matter_id": matter.id, "starts_at": starts_at, "purpose": hearing.purpose},
    )
    send(hearing_changed, [hearing.id])
    return hearing


def update_hearing(actor, hearing: Hearing, data: dict) -> dict:
    matter = hearing.matter
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    c = Checker(data)
    zone = clock.COURT_ZONES[matter.jurisdiction]
    if "starts_at" in c.data:
        starts_at = _parse_starts_at(c.data.get("starts_at"), zone)
        if starts_at is None:
            c.error("starts_at", _l("Use a date and time like 2026-03-05T09:30."))
        else:
            c.clean["starts_at"] = starts_at
    if "status" in c.data:
        c.choice("status", HEARING_STATUSES, required=True)
    for field, size in (("purpose", 300), ("location", 300), ("outcome_notes", 5000)):
        if field in c.data:
            c.text(field, required=(field == "purpose"), max_length=size)
    next_at = None
    if c.clean.get("status") == "adjourned":
        next_at = (
            _parse_starts_at(c.data.get("next_starts_at"), zone) if c.data.get("next_starts_at") else None
        )
        if next_at is None:
            c.error("next_starts_at", _l("Adjourning needs the new date and time."))
        elif next_at < clock.now():
            c.error("next_starts_at", _l("A new hearing cannot be in the past."))
    c.raise_if_errors()
    changed = changes(hearing, c.clean)
    if next_at is not None:
        follow = Hearing(
            matter_id=matter.id,
            starts_at=next_at,
            purpose=hearing.purpose,
            location=hearing.location,
            created_by_id=actor.id,
        )
        db.session.add(follow)
        db.session.flush()
        hearing.next_hearing_id = follow.id
        for kind in ("transport", "lodging", "interpreter", "witness_preparation"):
            follow.support.append(HearingSupport(kind=kind))
        changed["next_hearing"] = [None, next_at]
    if changed:
        matter.updated_at = clock.now()
        db.session.flush()
        record(actor, "hearing.update", hearing, detail={"matter_id": matter.id, "changes": changed})
        send(hearing_changed, [hearing.id, hearing.next_hearing_id])
    return changed


def update_support(actor, hearing: Hearing, data: dict) -> dict:
    """Court support for a hearing: who handles transport, lodging, interpreter and witness
    preparation, what is done, and which claimants attend."""

    matter = hearing.matter
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    members = {m.id for m in db.session.scalars(select(Member).where(Member.mdt_id == matter.mdt_id))}
    claimant_ids = {cl.id for cl in matter.claimants}
    errors = {}
    lines = {s.id: s for s in hearing.support}
    changed = {}
    for item in data.get("support") or []:
        line = lines.get(item.get("id"))
        if line is None:
            errors.setdefault("support", [str(_l("Choose from the list."))])
            continue
        owner = item.get("owner_id")
        owner = int(owner) if owner not in (None, "") and str(owner).isdigit() else None
        if owner is not None and owner not in members:
            errors.setdefault("support", [str(_l("No such member in this MDT."))])
            continue
        done = bool(item.get("done"))
        if (line.owner_id, line.done) != (owner, done):
            changed[f"{line.kind}"] = [[line.owner_id, line.done], [owner, done]]
            line.owner_id, line.done = owner, done
    attending = data.get("attending")
    if attending is not None:
        wanted = {int(x) for x in attending if str(x).isdigit()} & claimant_ids
        current = set(
            db.session.scalars(
                select(HearingAttendance.claimant_id).where(HearingAttendance.hearing_id == hearing.id)
            )
        )
        for claimant_id in wanted - current:
            db.session.add(HearingAttendance(hearing_id=hearing.id, claimant_id=claimant_id))
        for claimant_id in current - wanted:
            db.session.delete(db.session.get(HearingAttendance, (hearing.id, claimant_id)))
        if wanted != current:
            changed["attending"] = [sorted(current), sorted(wanted)]
    if errors:
        raise ValidationError("Some fields are not valid.", errors)
    if changed:
        db.session.flush()
        record(actor, "hearing.support", hearing, detail={"matter_id": matter.id, "changes": changed})
        send(hearing_changed, [hearing.id])
    return changed


def attendance(hearing_ids) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    if hearing_ids:
        for hid, cid in db.session.execute(
            select(HearingAttendance.hearing_id, HearingAttendance.claimant_id).where(
                HearingAttendance.hearing_id.in_(list(hearing_ids))
            )
        ):
            out[hid].add(cid)
    return out
