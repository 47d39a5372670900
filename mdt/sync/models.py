"""What the server keeps of offline changes: each change's idempotency key with the answer it got
(so a second delivery changes nothing), and the fields that clashed, held until someone decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

ENTITIES = ("case", "visit", "note", "intake")
RESOLUTIONS = ("server", "yours")


class SyncChange(Model):
    """One change from a device, applied: its key is unique per member, its answer kept."""

    __tablename__ = "sync_change"
    __table_args__ = (
        UniqueConstraint("member_id", "idempotency_key", name="uq_sync_change_key"),
        CheckConstraint(_in("entity", ENTITIES), name="entity"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    idempotency_key: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int | None]
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class SyncConflict(Model):
    """A field a device changed that someone else changed meanwhile: both values are kept, the
    case keeps the server's until the member or a coordinator picks one."""

    __tablename__ = "sync_conflict"
    __table_args__ = (
        Index("ix_sync_conflict_case_open", "case_id", "resolved_at"),
        CheckConstraint("resolution IS NULL OR " + _in("resolution", RESOLUTIONS), name="resolution"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("sync_change.id", ondelete="SET NULL"))
    field: Mapped[str] = mapped_column(String(60))
    server: Mapped[dict] = mapped_column(JSON)  # {"value": ...} as it was when the change came
    yours: Mapped[dict] = mapped_column(JSON)  # {"value": ...} as the device sent it
    base_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    resolution: Mapped[str | None] = mapped_column(String(10))

    case = relationship("Case")
    member = relationship("Member", foreign_keys=[member_id])
    resolved_by = relationship("Member", foreign_keys=[resolved_by_id])
