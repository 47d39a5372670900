"""The sweep: claim the reminders that are due, hand them to send tasks, and record what became
of each.

Claiming is safe against two sweeps at once (two beat processes by mistake): on PostgreSQL the
rows are picked with ``FOR UPDATE SKIP LOCKED``; on SQLite, which has a single writer, the UPDATE
re-checks that each row is still claimable, and a sweep takes only the rows carrying its own
token. A claimed row is ``sending`` with a lease: if its send task never reports (Redis was
flushed, the worker was killed), a later sweep claims it again. A claim, and each message, is a unit
of work of its own (``transaction.commit``), so a crash repeats at most the one in flight."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from mdt import clock, transaction
from mdt.extensions import db
from mdt.notifications.models import Notification
from mdt.notifications.services import coordinators
from mdt.reminders.channels import Undeliverable, open_channels
from mdt.reminders.derive import sync
from mdt.reminders.messages import compose, digest, members_as_recipients, recipient_of, still_wanted
from mdt.reminders.models import Reminder, ReminderPreference

log = logging.getLogger("mdt.reminders")


def _setting(name: str, default):
    return type(default)(current_app.config.get(name, default))


def claim(limit: int, now=None) -> tuple[str, list[int]]:
    """Mark up to ``limit`` due reminders as ``sending`` under a new token and commit."""
    now = now or clock.now()
    lease = timedelta(seconds=_setting("MDT_REMINDER_LEASE_SECONDS", 300))
    token = uuid.uuid4().hex
    claimable = or_(
        and_(Reminder.status == "pending", Reminder.scheduled_at <= now),
        and_(Reminder.status == "sending", Reminder.claimed_at < now - lease),
    )
    pick = select(Reminder.id).where(claimable).order_by(Reminder.scheduled_at, Reminder.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(pick))
    if ids:
        db.session.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), claimable)
            .values(status="sending", claim_token=token, claimed_at=now, attempts=Reminder.attempts + 1),
            execution_options={"synchronize_session": False},
        )
        # The next reminder of each source, recipient and channel joins the outbox now, in the
        # claim's transaction (derive._next_only): none is lost if a sender dies mid-batch.
        claimed = defaultdict(set)
        for kind, source_id in db.session.execute(
            select(Reminder.source_type, Reminder.source_id).where(Reminder.id.in_(ids))
        ):
            claimed[kind].add(source_id)
        for kind, source_ids in claimed.items():
            sync(kind, source_ids, now)
    transaction.commit()
    if not ids:
        return token, []
    return token, list(
        db.session.scalars(
            select(Reminder.id)
            .where(Reminder.claim_token == token, Reminder.status == "sending")
            .order_by(Reminder.id)
        )
    )


def _backoff(attempts: int) -> timedelta:
    base = _setting("MDT_REMINDER_RETRY_SECONDS", 60)
    return timedelta(seconds=base * 2 ** max(0, attempts - 1))


def _fail(reminder: Reminder, reason: str, final: bool) -> None:

    reminder.last_error = reason[:1000]
    reminder.claim_token = None
    if final:
        reminder.status = "failed"
        for member_id in coordinators(reminder.mdt_id):
            db.session.add(Notification(member_id=member_id, kind="reminder_failed", reminder_id=reminder.id))
    else:
        reminder.status = "pending"
        reminder.scheduled_at = clock.now() + _backoff(reminder.attempts)


def _digest_members(ids) -> set[int]:
    """Which recipients of this batch take a daily digest (one query for the batch)."""

    return set(
        db.session.scalars(
            select(ReminderPreference.member_id).where(
                ReminderPreference.digest.is_(True),
                ReminderPreference.member_id.in_(
                    select(Reminder.member_id).where(Reminder.id.in_(list(ids)))
                ),
            )
        )
    )


def _digest_companions(reminder: Reminder, is_pg: bool, digesters: set[int]) -> list[Reminder]:
    """For a member who takes a daily digest: the other email reminders already due for them,
    sent in the same message. Rows another sender holds are left to it."""
    if reminder.channel != "email" or reminder.member_id not in digesters:
        return []
    stmt = select(Reminder).where(
        Reminder.member_id == reminder.member_id,
        Reminder.channel == "email",
        Reminder.id != reminder.id,
        Reminder.scheduled_at <= clock.now(),
        or_(
            Reminder.status == "pending",
            and_(Reminder.status == "sending", Reminder.claim_token == reminder.claim_token),
        ),
    )
    if is_pg:
        stmt = stmt.with_for_update(skip_locked=True)
    out = []
    for other in db.session.scalars(stmt.order_by(Reminder.scheduled_at)):
        if still_wanted(other):
            out.append(other)
        else:
            other.status = "cancelled"
    return out


def deliver(ids, token: str) -> dict:
    """Send the reminders ``ids`` claimed under ``token``, each in its own transaction."""
    max_attempts = _setting("MDT_REMINDER_MAX_ATTEMPTS", 5)
    channels = open_channels()
    counts = {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0, "skipped": 0}
    is_pg = db.session.get_bind().dialect.name == "postgresql"
    digesters = _digest_members(ids) if ids else set()
    members = members_as_recipients(
        db.session.scalars(select(Reminder.member_id).where(Reminder.id.in_(list(ids)))).all() if ids else []
    )
    try:
        for reminder_id in ids:
            stmt = select(Reminder).where(
                Reminder.id == reminder_id, Reminder.claim_token == token, Reminder.status == "sending"
            )
            if is_pg:
                stmt = stmt.with_for_update(skip_locked=True)
            reminder = db.session.scalars(stmt).first()
            if reminder is None:  # claimed again by a later sweep, or already done
                transaction.rollback()
                counts["skipped"] += 1
                continue
            if not still_wanted(reminder):
                reminder.status = "cancelled"
                transaction.commit()
                counts["cancelled"] += 1
                continue
            to = members.get(reminder.member_id) if reminder.member_id else None
            to = to or recipient_of(reminder)
            together = _digest_companions(reminder, is_pg, digesters)
            try:
                message = compose(reminder, to)
                if together:
                    message = digest([message] + [compose(r, to) for r in together], to)
                channels[reminder.channel].send(reminder, to, message)
            except Undeliverable as exc:
                _fail(reminder, str(exc), final=True)
                counts["failed"] += 1
            except Exception as exc:  # noqa: BLE001 - any failure of a channel is retried
                final = reminder.attempts >= max_attempts
                _fail(reminder, f"{type(exc).__name__}: {exc}", final)
                counts["failed" if final else "retry"] += 1
                log.warning("reminder %s (%s) failed: %s", reminder.id, reminder.channel, exc)
            else:
                for r in [reminder, *together]:
                    r.status = "sent"
                    r.sent_at = clock.now()
                    r.claim_token = None
                    r.attempts = max(r.attempts, 1)
                counts["sent"] += 1 + len(together)
            transaction.commit()
    finally:
        for channel in channels.values():
            channel.close()
    return counts


def sweep(dispatch=None, batch: int | None = None, limit: int | None = None) -> int:
    """Claim what is due in batches and hand each batch to ``dispatch(ids, token)`` (the Celery
    send task; ``deliver`` itself when run in-process). Returns the number handed out."""
    batch = batch or _setting("MDT_REMINDER_BATCH", 100)
    limit = limit or _setting("MDT_REMINDER_SWEEP_LIMIT", 20000)
    dispatch = dispatch or deliver
    handed = 0
    while handed < limit:
        token, ids = claim(min(batch, limit - handed))
        if not ids:
            break
        dispatch(ids, token)
        handed += len(ids)
    return handed
