"""In-app notifications: written by services in the same transaction as the change."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from mdt import clock
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.notifications.models import Notification


def notify(
    member_ids, kind: str, *, referral=None, case_id: int | None = None, skip: int | None = None
) -> int:
    ids = sorted({m for m in member_ids if m is not None and m != skip})
    for member_id in ids:
        db.session.add(
            Notification(
                member_id=member_id,
                kind=kind,
                referral_id=getattr(referral, "id", None),
                case_id=case_id or getattr(referral, "case_id", None),
            )
        )
    db.session.flush()
    return len(ids)


def agency_members(agency_id: int) -> list[int]:
    return list(
        db.session.scalars(select(Member.id).where(Member.agency_id == agency_id, Member.active.is_(True)))
    )


def coordinators(mdt_id: int) -> list[int]:
    members = db.session.scalars(select(Member).where(Member.mdt_id == mdt_id, Member.active.is_(True))).all()
    return [m.id for m in members if m.has_role("coordinator")]


def unread_count(user) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.member_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def recent(user, limit: int = 50):
    return db.session.scalars(
        select(Notification)
        .where(Notification.member_id == user.id)
        .options(joinedload(Notification.referral))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    ).all()


def mark_all_read(user) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.member_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
