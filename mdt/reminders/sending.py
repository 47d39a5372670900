"""The sweep: claim the reminders that are due, hand them to send tasks, and record what became
of each.

Claiming is safe against two sweeps at once (two beat processes by mistake): on PostgreSQL the
rows are picked with ``FOR UPDATE SKIP LOCKED``; on SQLite, which has a single writer, the UPDATE
re-checks that each row is still claimable, and a sweep takes only the rows carrying its own
token. A claimed row is ``sending`` with a lease: if its send task never reports (Redis was
flushed, the worker was killed), a later sweep claims it again.

A batch is read at once (its reminders, sources and recipients in a constant number of queries).
A claim, the bell messages of a batch (written and marked sent together), and each email or SMS
are units of work of their own (``transaction.commit``): a message that leaves the app is marked
sent by the commit that follows its send, so a crash repeats at most the one in flight."""

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
from mdt.reminders.channels import Outgoing, Undeliverable, open_channels
from mdt.reminders.derive import sync
from mdt.reminders.messages import (
    Message,
    compose,
    digest,
    load_sources,
    members_as_recipients,
    people_as_recipients,
    person_case,
    recipient_of,
    still_wanted,
)
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


class _Batch:
    """What delivering one batch shares: its token, channels, counts and the coordinators of
    each MDT (told of a final failure), read once."""

    def __init__(self, token: str):
        self.token = token
        self.channels = open_channels()
        self.max_attempts = _setting("MDT_REMINDER_MAX_ATTEMPTS", 5)
        self.is_pg = db.session.get_bind().dialect.name == "postgresql"
        self.counts = {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0, "skipped": 0}
        self._coordinators: dict[int, list[int]] = {}

    def coordinators(self, mdt_id: int) -> list[int]:
        if mdt_id not in self._coordinators:
            self._coordinators[mdt_id] = coordinators(mdt_id)
        return self._coordinators[mdt_id]

    def ours(self):
        return and_(Reminder.claim_token == self.token, Reminder.status == "sending")

    def fail(self, out: Outgoing, exc: Exception) -> None:
        """Keep why ``out`` did not go on its reminder: tried again later with a back-off, or,
        when it cannot go or after the last attempt, failed, and the coordinators told."""
        final = isinstance(exc, Undeliverable) or out.attempts >= self.max_attempts
        reason = str(exc) if isinstance(exc, Undeliverable) else f"{type(exc).__name__}: {exc}"
        values: dict = {"last_error": reason[:1000], "claim_token": None, "sent_at": None}
        if final:
            values["status"] = "failed"
            for member_id in self.coordinators(out.mdt_id):
                db.session.add(Notification(member_id=member_id, kind="reminder_failed", reminder_id=out.id))
        else:
            values.update(status="pending", scheduled_at=clock.now() + _backoff(out.attempts))
        if not isinstance(exc, Undeliverable):
            log.warning("reminder %s (%s) failed: %s", out.id, out.channel, exc)
        db.session.execute(
            update(Reminder).where(Reminder.id == out.id).values(**values),
            execution_options={"synchronize_session": False},
        )
        self.counts["failed" if final else "retry"] += 1


def _read(ids, batch: _Batch) -> list[Outgoing]:
    """The batch's reminders still claimed under its token, with their sources, recipients and
    what each says, in a constant number of queries (one per kind of source); a message said the
    same way to several readers (same source, purpose, language and zone) is composed once."""
    reminders = db.session.scalars(
        select(Reminder).where(Reminder.id.in_(list(ids)), batch.ours()).order_by(Reminder.id)
    ).all()
    loaded = load_sources(reminders)  # held while composing: ``_source`` finds them in the session
    members = members_as_recipients(r.member_id for r in reminders)
    people = people_as_recipients(r.person_id for r in reminders)
    digesters = _digest_members({r.member_id for r in reminders if r.channel == "email"})
    composed: dict[tuple, Message] = {}
    out = []
    for r in reminders:
        to = members.get(r.member_id) if r.member_id else people.get(r.person_id or 0)
        item = Outgoing(r.id, r.channel, r.mdt_id, r.attempts, to or recipient_of(r), None)
        try:
            if still_wanted(r):
                key = (r.source_type, r.source_id, r.purpose, item.to.language, item.to.zone.key)
                if key not in composed:
                    composed[key] = compose(r, item.to)
                item.message = composed[key]
                if r.channel == "sms" and item.to.is_person:
                    item.case_id = person_case(r)
        except Exception as exc:  # noqa: BLE001 - kept on the reminder, like a failed send
            item.error = exc
        item.digest = r.channel == "email" and r.member_id in digesters
        out.append(item)
    del loaded
    return out


def _settle_in_app(batch: _Batch, items: list[Outgoing]) -> None:
    """In one unit of work: the reminders no longer wanted are cancelled, those whose wording
    failed kept for later, and the bell messages written and marked sent together (they never
    leave the database, so none can be sent twice)."""
    gone = [o.id for o in items if o.message is None and o.error is None]
    if gone:
        cancelled = len(
            db.session.scalars(
                update(Reminder)
                .where(Reminder.id.in_(gone), batch.ours())
                .values(status="cancelled", claim_token=None)
                .returning(Reminder.id),
                execution_options={"synchronize_session": False},
            ).all()
        )
        batch.counts["cancelled"] += cancelled
        batch.counts["skipped"] += len(gone) - cancelled
    for o in items:
        if o.error is not None:
            batch.fail(o, o.error)
    bell = {o.id: o for o in items if o.message is not None and not batch.channels[o.channel].leaves_the_app}
    if bell:
        mine = db.session.scalars(
            update(Reminder)
            .where(Reminder.id.in_(list(bell)), batch.ours())
            .values(status="sent", sent_at=clock.now(), claim_token=None)
            .returning(Reminder.id),
            execution_options={"synchronize_session": False},
        ).all()
        batch.counts["skipped"] += len(bell) - len(mine)
        for reminder_id in sorted(mine):
            o = bell[reminder_id]
            assert o.message is not None
            try:
                batch.channels[o.channel].send(o, o.message)
            except Undeliverable as exc:
                batch.fail(o, exc)  # in this unit: it replaces the mark above
            else:
                batch.counts["sent"] += 1
        batch.channels["app"].write()
    transaction.commit()


def _send_one(batch: _Batch, out: Outgoing) -> None:
    """One message that leaves the app, in its own unit of work: one UPDATE marks it sent, which
    also checks that the claim is still ours and locks the row while the message goes; the commit
    after the send makes the mark stand. A crash before the commit leaves it ``sending`` (sent
    again after the lease: at most this one message twice); a failed send replaces the mark."""
    mark = (
        update(Reminder)
        .where(Reminder.id == out.id, batch.ours())
        .values(status="sent", sent_at=clock.now(), claim_token=None)
        .returning(Reminder.id)
    )
    if db.session.execute(mark, execution_options={"synchronize_session": False}).first() is None:
        transaction.rollback()  # claimed again by a later sweep, or already sent in a digest
        batch.counts["skipped"] += 1
        return
    assert out.message is not None
    together: list[Reminder] = []
    try:
        message = out.message
        if out.digest:
            together = _digest_companions(out, batch)
            if together:
                message = digest([message] + [compose(r, out.to) for r in together], out.to)
        batch.channels[out.channel].send(out, message)
    except Exception as exc:  # noqa: BLE001 - any failure of a channel is kept and retried
        batch.fail(out, exc)
    else:
        for r in together:
            r.status, r.sent_at, r.claim_token, r.attempts = "sent", clock.now(), None, max(r.attempts, 1)
        batch.counts["sent"] += 1 + len(together)
    transaction.commit()


def _digest_members(member_ids) -> set[int]:
    """Which of these recipients take a daily digest (one query for the batch)."""
    if not member_ids:
        return set()
    return set(
        db.session.scalars(
            select(ReminderPreference.member_id).where(
                ReminderPreference.digest.is_(True), ReminderPreference.member_id.in_(list(member_ids))
            )
        )
    )


def _digest_companions(out: Outgoing, batch: _Batch) -> list[Reminder]:
    """For a member who takes a daily digest: the other email reminders already due for them,
    sent in the same message. Rows another sender holds are left to it."""
    stmt = select(Reminder).where(
        Reminder.member_id == out.to.id,
        Reminder.channel == "email",
        Reminder.id != out.id,
        Reminder.scheduled_at <= clock.now(),
        or_(Reminder.status == "pending", batch.ours()),
    )
    if batch.is_pg:
        stmt = stmt.with_for_update(skip_locked=True)
    companions = []
    for other in db.session.scalars(stmt.order_by(Reminder.scheduled_at)):
        if still_wanted(other):
            companions.append(other)
        else:
            other.status = "cancelled"
    return companions


def deliver(ids, token: str) -> dict:
    """Send the reminders ``ids`` claimed under ``token``. The batch is read at once
    (``_read``); its bell messages and cancellations are settled together; each email and SMS
    then goes in its own unit of work (``_send_one``). One bad address fails its own reminder,
    never the batch."""
    batch = _Batch(token)
    if not ids:
        return batch.counts
    try:
        items = _read(ids, batch)
        batch.counts["skipped"] += len(set(ids)) - len(items)
        _settle_in_app(batch, items)
        for out in items:
            if out.message is not None and batch.channels[out.channel].leaves_the_app:
                _send_one(batch, out)
    finally:
        for channel in batch.channels.values():
            channel.close()
    return batch.counts


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
