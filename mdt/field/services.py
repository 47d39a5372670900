"""Rules of offline work: which cases go to a member's device, and the devices themselves.

The device's copy holds only the member's own cases (assigned to them by name, or registered by
them) that they may still see as a whole, without the lead agency's sensitive assessment fields,
and without closed cases. It is encrypted on the device with a key from the member's PIN; the
server never sees the PIN or the key.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from mdt import policy
from mdt.audit.services import record, record_read
from mdt.cases import services as cases
from mdt.cases.models import Case, CaseAgency, CaseAssignment, Episode, EpisodeIntermediary
from mdt.cases.schemas import CaseSchema
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.field.models import FieldDevice

# What stays on the server: the lead agency's sensitive fields (whereabouts, health, immigration
# status, counter-charges) never go to a phone that can be lost.
LEFT_ON_SERVER = ("sensitive",)


def _digest(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


def register_device(member: Member) -> str:
    """Set up a device for ``member``: its new random id (shown once, to the device)."""
    device_id = secrets.token_urlsafe(32)
    device = FieldDevice(member_id=member.id, digest=_digest(device_id))
    db.session.add(device)
    db.session.flush()
    record(member, "field.device", device)
    return device_id


def device_for(device_id: str | None) -> FieldDevice | None:
    if not device_id or len(device_id) > 100:
        return None
    return db.session.scalar(select(FieldDevice).where(FieldDevice.digest == _digest(device_id)))


def must_wipe(device_id: str | None) -> bool:
    """The device's copy must go: its member is deactivated."""
    device = device_for(device_id)
    if device is None:
        return False
    member = db.session.get(Member, device.member_id)
    return member is None or not member.active


def own_cases(user: Member) -> list[Case]:
    """The open cases ``user`` is assigned to or registered, that they may see as a whole."""
    assigned = select(CaseAssignment.case_id).where(CaseAssignment.member_id == user.id)
    rows = db.session.scalars(
        select(Case)
        .where(
            Case.mdt_id == user.mdt_id,
            Case.stage != "closed",
            Case.deidentified_at.is_(None),
            or_(Case.created_by_id == user.id, Case.id.in_(assigned)),
        )
        .options(
            selectinload(Case.team_agencies).joinedload(CaseAgency.agency),
            selectinload(Case.team_agencies).joinedload(CaseAgency.consent),
            selectinload(Case.assignments).joinedload(CaseAssignment.member),
            selectinload(Case.episodes)
            .selectinload(Episode.links)
            .joinedload(EpisodeIntermediary.intermediary),
            joinedload(Case.person),
            joinedload(Case.lead_agency),
        )
        .order_by(Case.updated_at.desc(), Case.id.desc())
    ).unique()
    return [case for case in rows if policy.can(user, "case.view", case)]


def pack(user: Member) -> list[dict]:
    """Each of the member's own cases as the API gives it, with its version, for the device."""
    schema = CaseSchema()
    out = []
    for case in own_cases(user):
        data = schema.dump({k: v for k, v in cases.visible(user, case).items() if k not in LEFT_ON_SERVER})
        data["version"] = case.version
        out.append(data)
    record_read(user, "field.pack", [c["id"] for c in out])
    return out
