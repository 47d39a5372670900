"""Hearings: scheduling, outcomes, adjournments, and the court support (transport, lodging,
interpreter, witness preparation) and attendance around each. Services flush; the caller commits."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from mdt import clock, policy
from mdt.audit.services import changes, record
from mdt.errors import Forbidden
from mdt.extensions import db
from mdt.legal.models import (
    Hearing,
    HearingAttendance,
    HearingSupport,
    LegalMatter,
)
from mdt.legal.schemas import HearingChangeSchema, HearingSchema, SupportSchema
from mdt.legal.signals import hearing_changed
from mdt.schema import check, load
from mdt.signals import send


def _zone(matter: LegalMatter) -> str:
    """Times given without an offset are the court's local times."""
    return clock.COURT_ZONES[matter.jurisdiction]


def _new_support(hearing: Hearing) -> None:
    for kind in ("transport", "lodging", "interpreter", "witness_preparation"):
        hearing.support.append(HearingSupport(kind=kind))


def schedule_hearing(actor, matter: LegalMatter, data: dict) -> Hearing:
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    clean = load(HearingSchema, data, zone=_zone(matter))
    hearing = Hearing(
        matter_id=matter.id,
        starts_at=clean["starts_at"],
        purpose=clean["purpose"],
        location=clean.get("location"),
        created_by_id=actor.id,
    )
    db.session.add(hearing)
    _new_support(hearing)
    matter.updated_at = clock.now()
    db.session.flush()
    record(
        actor,
        "hearing.schedule",
        hearing,
        detail={"matter_id": matter.id, "starts_at": hearing.starts_at, "purpose": hearing.purpose},
    )
    send(hearing_changed, [hearing.id])
    return hearing


def update_hearing(actor, hearing: Hearing, data: dict) -> dict:
    matter = hearing.matter
    if not policy.can(actor, "matter.edit", matter):
        raise Forbidden("Only the matter's lawyers can change it.")
    clean = load(HearingChangeSchema, data, partial=True, zone=_zone(matter))
    next_at = clean.pop("next_starts_at", None)  # the follow-up hearing, when adjourned
    if clean.get("status") != "adjourned":
        next_at = None
    changed = changes(hearing, clean)
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
        _new_support(follow)
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
    clean = load(SupportSchema, data, mdt_id=matter.mdt_id)
    lines = {s.id: s for s in hearing.support}
    if any(item["id"] not in lines for item in clean["support"]):
        check({"support": [_l("Choose from the list.")]})
    changed = {}
    for item in clean["support"]:
        line = lines[item["id"]]
        owner, done = item.get("owner_id"), item["done"]
        if (line.owner_id, line.done) != (owner, done):
            changed[f"{line.kind}"] = [[line.owner_id, line.done], [owner, done]]
            line.owner_id, line.done = owner, done
    attending = clean.get("attending")
    if attending is not None:
        wanted = set(attending) & {cl.id for cl in matter.claimants}
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
