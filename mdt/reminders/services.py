"""Reminders as members see them: their own list and settings, the coordinator's view of the
MDT, the admin's outbox, and the daily scheduling of overdue reminders."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
from mdt.reminders.models import CHANNELS, STATUSES, Reminder, ReminderPreference
from mdt.validation import Checker


def schedule_overdue() -> int:
    """Derive again every deadline and action item past its date (in its MDT's zone) and not
    closed, which schedules tomorrow morning's overdue reminder."""

    deadlines, actions = [], []
    for mdt in db.session.scalars(select(Mdt)):
        today = clock.today(mdt)
        deadlines += db.session.scalars(
            select(Deadline.id)
            .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
            .where(LegalMatter.mdt_id == mdt.id, Deadline.status != "done", Deadline.due_on < today)
        )
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
    ):
        out[kind] = sync(kind, db.session.scalars(select(model.id)).all())
    return out


def list_for(user, status: str | None = None, everyone: bool = False, limit: int = 200):
    stmt = select(Reminder)
    if everyone:
        if not policy.can(user, "reminders.outbox"):
            raise Forbidden("Coordinators see the MDT's reminders.")
        stmt = stmt.where(Reminder.mdt_id == user.mdt_id)
    else:
        stmt = stmt.where(Reminder.member_id == user.id)
    if status in STATUSES:
        stmt = stmt.where(Reminder.status == status)
    return db.session.scalars(
        stmt.order_by(Reminder.scheduled_at.desc(), Reminder.id.desc()).limit(limit)
    ).all()


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


def _days(c: Checker, field: str) -> list[int] | None:
    raw = c.data.get(field)
    if raw in (None, ""):
        return None
    parts = raw if isinstance(raw, list) else str(raw).replace(" ", "").split(",")
    try:
        days = sorted({int(p) for p in parts if str(p) != ""}, reverse=True)
    except ValueError:
        c.error(field, _l("Write whole days separated by commas, like 7, 1."))
        return None
    if not days or any(d < 0 or d > 60 for d in days) or len(days) > 5:
        c.error(field, _l("Up to five numbers of days between 0 and 60."))
        return None
    return days


def _clock(c: Checker, field: str) -> str | None:
    raw = (c.data.get(field) or "").strip() if isinstance(c.data.get(field), str) else c.data.get(field)
    if not raw:
        return None
    try:
        hh, mm = str(raw).split(":")[:2]
        if not (0 <= int(hh) < 24 and 0 <= int(mm) < 60):
            raise ValueError
        return f"{int(hh):02d}:{int(mm):02d}"
    except ValueError:
        c.error(field, _l("Use a time like 21:00."))
        return None


def save_preferences(user, data: dict) -> ReminderPreference:
    c = Checker(data)
    raw_channels = data.get("channels") or []
    channels = [ch for ch in CHANNELS if ch in raw_channels]
    if len(channels) != len(set(raw_channels)):
        c.error("channels", _l("Choose from the list."))
    if "sms" in channels and not user.phone:
        c.error("channels", _l("Add a phone number to your profile to get SMS."))
    leads = {kind: _days(c, f"lead_{kind}") for kind in DEFAULT_LEADS}
    quiet_start, quiet_end = _clock(c, "quiet_start"), _clock(c, "quiet_end")
    if bool(quiet_start) != bool(quiet_end):
        c.error("quiet_end", _l("Give both the start and the end of the quiet hours."))
    c.raise_if_errors()
    p = db.session.get(ReminderPreference, user.id) or ReminderPreference(member_id=user.id)
    p.channels = channels
    p.lead_days = {k: v for k, v in leads.items() if v is not None}
    p.quiet_start, p.quiet_end = quiet_start, quiet_end
    p.digest = c.boolean("digest")
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
