"""An item waiting for a coordinator: a complaint from the public form, an intake or a visit
report from a village volunteer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

KINDS = ("complaint", "intake", "visit")
STATUSES = ("received", "reviewing", "accepted", "merged", "declined")
CLOSED = ("accepted", "merged", "declined")
# What the person who complained may learn: one word, no details.
PUBLIC_STATUS = {"received": "received", "reviewing": "being_looked_at"} | {s: "closed" for s in CLOSED}
CONTACT_WAYS = ("phone", "line", "email", "none")


class TriageItem(Model):
    __tablename__ = "triage_item"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_triage_mdt_status", "mdt_id", "status", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="received")
    # What was submitted, as the schema of its kind loaded it (dates as ISO strings).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    # A visit report about an intake the same volunteer sent earlier.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("triage_item.id"))
    # A public complaint: its tracking code, and the hash of the phrase that goes with it.
    tracking_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    phrase_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(10))
    # The registered agency complained about, when picked from the public list.
    intermediary_id: Mapped[int | None] = mapped_column(ForeignKey("intermediary.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    submitted_by = relationship("Member", foreign_keys=[submitted_by_id])
    decided_by = relationship("Member", foreign_keys=[decided_by_id])
    intermediary = relationship("Intermediary")
    parent = relationship("TriageItem", remote_side=[id])
    case = relationship("Case")

    @property
    def public_status(self) -> str:
        return PUBLIC_STATUS[self.status]

    @property
    def closed(self) -> bool:
        return self.status in CLOSED
