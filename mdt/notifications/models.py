"""In-app notifications (the bell). Texts are built when shown, from the kind and the
referral's reference: nothing about the person is stored here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

KINDS = (
    "referral_new",
    "referral_accepted",
    "referral_declined",
    "referral_completed",
    "referral_withdrawn",
    "referral_expired",
    "consent_withdrawn",
    "deadline_moved",
    "deadline_created",
    "meeting_published",
    "action_assigned",
    "reminder",
    "reminder_failed",
    "read_alert",
    "erasure_request",
    "document_tampered",
    "triage_new",
    "sync_conflict",
    "sms_reply",
)


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index(
            "ix_notification_unread",
            "member_id",
            postgresql_where=text("read_at IS NULL"),
            sqlite_where=text("read_at IS NULL"),
        ),
        Index("ix_notification_member_created", "member_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(String(30))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    matter_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "legal_matter.id",
            ondelete="CASCADE",
            use_alter=True,
            name="fk_notification_matter_id_legal_matter",
        )
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "meeting.id", ondelete="CASCADE", use_alter=True, name="fk_notification_meeting_id_meeting"
        )
    )
    deadline_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "deadline.id", ondelete="CASCADE", use_alter=True, name="fk_notification_deadline_id_deadline"
        )
    )
    reminder_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "reminder.id", ondelete="CASCADE", use_alter=True, name="fk_notification_reminder_id_reminder"
        )
    )
    read_alert_id: Mapped[int | None] = mapped_column(
        ForeignKey(
            "read_alert.id",
            ondelete="CASCADE",
            use_alter=True,
            name="fk_notification_read_alert_id_read_alert",
        )
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    referral = relationship("Referral")
    matter = relationship("LegalMatter")
    meeting = relationship("Meeting")
    reminder = relationship("Reminder")
    read_alert = relationship("ReadAlert")
    case = relationship("Case")
