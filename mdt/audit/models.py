"""The append-only audit trail. Database triggers (see the first migration) refuse UPDATE and
DELETE on this table, so not even a bug in the app can rewrite history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime


class AuditEvent(Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_case_at", "case_id", "at"), Index("ix_audit_event_at", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int | None] = mapped_column(ForeignKey("mdt.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    via: Mapped[str] = mapped_column(String(10), default="web")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("Member")
