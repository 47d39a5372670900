"""Records of the life of personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime


class ReadAlert(Model):
    """A member read unusually many case files in an hour, or files their agency has no part in:
    the coordinators are told (the member is not blocked)."""

    __tablename__ = "read_alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    cases: Mapped[int] = mapped_column(default=0)
    outside: Mapped[int] = mapped_column(default=0)
    case_ids: Mapped[list] = mapped_column(JSON, default=list)

    member = relationship("Member")


ERASURE_STATUSES = ("pending", "refused", "done", "withdrawn")


class ErasureRequest(Model):
    """A person asked that what is held about them be erased. Recorded by their lead agency,
    checked against legal holds, approved by a coordinator and carried out in one transaction;
    refused with the reason while a hold stands, and looked at again when it ends. Holds no
    personal data itself (the case it came from, and who did what when)."""

    __tablename__ = "erasure_request"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'refused', 'done', 'withdrawn')", name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Why it is refused: "legal_matter" (an open legal matter), "hold" (a coordinator's hold).
    refused_because: Mapped[str | None] = mapped_column(String(20))
    refusal_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case = relationship("Case")
    requested_by = relationship("Member", foreign_keys=[requested_by_id])
    decided_by = relationship("Member", foreign_keys=[decided_by_id])


COPY_STATUSES = ("queued", "running", "ready", "downloaded", "expired", "failed")


class DataCopy(Model):
    """A person's request for a copy of their data: a PDF made in the background (``progress`` in
    percent), kept under the instance folder until it is downloaded once, then deleted."""

    __tablename__ = "data_copy"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'running', 'ready', 'downloaded', 'expired', 'failed')", name="status"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    language: Mapped[str] = mapped_column(String(5), default="th")
    status: Mapped[str] = mapped_column(String(12), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case = relationship("Case")
    requested_by = relationship("Member")
