"""Reminders as members see them: their own list and settings, the coordinator's view of the
MDT, the admin's outbox, and the daily scheduling of overdue reminders."""

from __future__ import annotations

from sqlalchemy import select

from mdt import clock, policy
from mdt.audit.services import record
from mdt.directory.models import Mdt
from mdt.errors import Forbidden
from mdt.extensions import db
from mdt.legal.models import Deadline, Hearing, LegalMatter
from mdt.meetings.models import ActionItem, Meeting
from mdt.referrals.models import Referral
from mdt.reminders.derive import DEFAULT_CHANNELS, DEFAULT_LEADS, sync
from mdt.reminders.models import STATUSES, Reminder, ReminderPreference
from mdt.reminders.schemas import ReminderPreferencesSchema
from mdt.schema import load
from mdt.visits.models import VisitDue


def schedule_overdue() -> int:
    """Derive again every deadline past its last day (in its court's calendar) and every action
    item past its date (in its MDT's zone) and not closed, which schedules tomorrow morning's
    overdue reminder."""

    deadlines: list[int] = []
    actions: list[int] = []
    for jurisdiction in clock.COURT_ZONES:  # a time limit ends with the day in its court's calendar
        deadlines += db.session.scalars(
            select(Deadline.id)
            .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
            .where(
                LegalMatter.jurisdiction == jurisdiction,
                Deadline.status != "done",
                Deadline.due_on < clock.court_today(jurisdiction),
            )
        )
    for mdt in db.session.scalars(select(Mdt)):
        today = clock.today(mdt)
        actions += db.session.scalars(
            select(ActionItem.id).where(
                ActionItem.mdt_id == mdt.id, ActionItem.done_at.is_(None), ActionItem.due_on < today
            )
        )
    added = sync("deadline", deadlines)["added"] if deadlines else 0
    added += sync("action", actions)["added"] if actions else 0
    return added


def sync_all() -> dict:
    """Derive every source again (after an upgrade, or to repair)."""

    out = {}
    for kind, model in (
        ("meeting", Meeting),
        ("hearing", Hearing),
        ("deadline", Deadline),
        ("action", ActionItem),
        ("referral", Referral),
        ("visit", VisitDue),
    ):
        out[kind] = sync(kind, db.session.scalars(select(model.id)).all())
    return out


def reminders_query(user, status: str | None = None, everyone: bool = False):
    """The reminders ``user`` may list, latest first: their own, or (``everyone``, coordinators)
    their MDT's; ``status`` one of ``STATUSES`` (anything else: every status)."""
    stmt = select(Reminder)
    if everyone:
        if not policy.can(user, "reminders.outbox"):
            raise Forbidden("Coordinators see the MDT's reminders.")
        stmt = stmt.where(Reminder.mdt_id == user.mdt_id)
    else:
        stmt = stmt.where(Reminder.member_id == user.id)
    if status in STATUSES:
        stmt = stmt.where(Reminder.status == status)
    return stmt.order_by(Reminder.scheduled_at.desc(), Reminder.id.desc())


def list_for(user, status: str | None = None, everyone: bool = False, limit: int = 200):
    return db.session.scalars(reminders_query(user, status, everyone).limit(limit)).all()


def people_reminded(reminder_ids) -> set[int]:
    """Of these reminders, those sent to a returnee rather than to a member."""
    ids = [i for i in reminder_ids if i is not None]
    if not ids:
        return set()
    return set(
        db.session.scalars(select(Reminder.id).where(Reminder.id.in_(ids), Reminder.person_id.is_not(None)))
    )


def audit_mail_read(user, reminder_id: int | None) -> None:
    """Reading a mail of the outbox sent to a returnee (their address, the message) is a read of
    their data: audited."""
    reminder = db.session.get(Reminder, reminder_id) if reminder_id is not None else None
    if reminder is not None and reminder.person_id is not None:
        record(user, "reminder.read_mail", reminder, detail={"person_id": reminder.person_id})


def preferences(user) -> dict:
    p = db.session.get(ReminderPreference, user.id)
    leads = dict(DEFAULT_LEADS)
    if p and p.lead_days:
        leads.update(p.lead_days)
    return {
        "channels": list(p.channels) if p and p.channels else list(DEFAULT_CHANNELS),
        "lead_days": leads,
        "quiet_start": p.quiet_start if p else None,
        "quiet_end": p.quiet_end if p else None,
        "digest": bool(p and p.digest),
    }


def save_preferences(user, data: dict) -> ReminderPreference:
    clean = load(ReminderPreferencesSchema, data, phone=user.phone)
    channels = clean["channels"]
    leads = {kind: clean.get(f"lead_{kind}") for kind in DEFAULT_LEADS}
    quiet_start, quiet_end = clean.get("quiet_start"), clean.get("quiet_end")
    p = db.session.get(ReminderPreference, user.id) or ReminderPreference(member_id=user.id)
    p.channels = channels
    p.lead_days = {k: v for k, v in leads.items() if v is not None}
    p.quiet_start, p.quiet_end = quiet_start, quiet_end
    p.digest = clean["digest"]
    db.session.add(p)
    db.session.flush()
    record(
        user,
        "reminders.preferences",
        None,
        detail={
            "channels": channels,
            "lead_days": p.lead_days,
            "quiet": [quiet_start, quiet_end],
            "digest": p.digest,
        },
    )
    _resync_member(user.id)
    return p


def _resync_member(member_id: int) -> None:
    """New settings apply to the member's reminders still to come."""
    pending = db.session.execute(
        select(Reminder.source_type, Reminder.source_id)
        .where(Reminder.member_id == member_id, Reminder.status == "pending")
        .distinct()
    ).all()
    by_kind: dict[str, set[int]] = {}
    for kind, source_id in pending:
        by_kind.setdefault(kind, set()).add(source_id)
    for kind, ids in by_kind.items():
        sync(kind, ids)
