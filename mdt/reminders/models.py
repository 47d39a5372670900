"""The reminder outbox: one row per message to send, derived from its source (a meeting, hearing,
deadline, action item or referral), with a unique key so the same reminder never exists twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

STATUSES = ("pending", "sending", "sent", "failed", "cancelled")
CHANNELS = ("app", "email", "sms")
SOURCES = ("meeting", "hearing", "deadline", "action", "referral", "visit")
PURPOSES = ("reminder", "court_support", "escalation", "overdue", "claimant")


class Reminder(Model):
    __tablename__ = "reminder"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("source_type", SOURCES), name="source_type"),
        CheckConstraint(_in("purpose", PURPOSES), name="purpose"),
        # A member of the MDT, or (with consent, for their court dates) the person themself.
        CheckConstraint("(member_id IS NULL) <> (person_id IS NULL)", name="one_recipient"),
        # What the sweep reads: the due rows, and the ones whose sender went quiet.
        Index(
            "ix_reminder_due",
            "scheduled_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
            sqlite_where=text("status IN ('pending', 'sending')"),
        ),
        Index("ix_reminder_source", "source_type", "source_id"),
        Index("ix_reminder_member", "member_id", "scheduled_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    source_type: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int]
    purpose: Mapped[str] = mapped_column(String(15), default="reminder")
    lead: Mapped[str] = mapped_column(String(30))  # "7d", "midpoint", "overdue:2026-11-23", ...
    channel: Mapped[str] = mapped_column(String(5))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claim_token: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    member = relationship("Member")
    person = relationship("Person")


class ReminderPreference(Model):
    """A member's own lead times (days before, per kind), channels, quiet hours and digest."""

    __tablename__ = "reminder_preference"
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), primary_key=True)
    channels: Mapped[list] = mapped_column(JSON, default=list)
    lead_days: Mapped[dict] = mapped_column(JSON, default=dict)
    quiet_start: Mapped[str | None] = mapped_column(String(5))  # "21:00", local time
    quiet_end: Mapped[str | None] = mapped_column(String(5))  # "07:00"
    # One email each morning with the day's reminders instead of one email each.
    digest: Mapped[bool] = mapped_column(default=False, server_default=false())
