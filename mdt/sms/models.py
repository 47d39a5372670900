"""What was sent by SMS and what came back. No message text is kept here: a reminder's text is
made again from its source when needed, and a reply's text is the note it became."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

PROVIDERS = ("log", "http", "twilio")
STATUSES = ("queued", "sent", "delivered", "failed")
INBOUND_KINDS = ("reply", "stop")


class SmsMessage(Model):
    """One SMS sent: to whom (a member, or the person of a case), through which provider, under
    which of its ids, and its delivery status as the provider's receipts report it."""

    __tablename__ = "sms_message"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("provider", PROVIDERS), name="provider"),
        # A message about a case goes to its person: a reply to it is matched to that case only.
        CheckConstraint("case_id IS NULL OR person_id IS NOT NULL", name="case_has_person"),
        UniqueConstraint("provider", "provider_id", name="uq_sms_message_provider_id"),
        # A reply is matched to the latest message sent to its number.
        Index("ix_sms_message_number", "number", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminder.id", ondelete="SET NULL"))
    number: Mapped[str] = mapped_column(String(20))  # E.164 (mdt.sms.numbers)
    provider: Mapped[str] = mapped_column(String(10))
    provider_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    error: Mapped[str | None] = mapped_column(String(200))  # the provider's code, never the text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SmsInbound(Model):
    """A reply matched to a case (once: a provider that posts it again finds it here), the note
    it became and whether it was a STOP. Replies matched to no case are not kept."""

    __tablename__ = "sms_inbound"
    __table_args__ = (
        CheckConstraint(_in("kind", INBOUND_KINDS), name="kind"),
        CheckConstraint(_in("provider", PROVIDERS), name="provider"),
        UniqueConstraint("provider", "provider_id", name="uq_sms_inbound_provider_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(10))
    provider_id: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("sms_message.id", ondelete="SET NULL"))
    note_id: Mapped[int | None] = mapped_column(ForeignKey("note.id", ondelete="SET NULL"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(5), default="reply")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
