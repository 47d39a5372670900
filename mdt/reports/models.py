"""Exports of the figures' data: a de-identified file made in the background."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

EXPORT_KINDS = ("deidentified", "quarterly")
EXPORT_FORMATS = ("csv", "xlsx", "pdf")
EXPORT_STATUSES = ("queued", "running", "ready", "failed", "expired")


class Export(Model):
    """A file of the figures made in the background for the member who asked for it, its progress
    shown, kept under the instance folder for 24 hours: a de-identified export
    (``mdt.reports.export``: one row per person-episode, k-anonymous on its quasi-identifiers), or
    the quarterly report as a PDF (``mdt.reports.quarterly``, in ``language``)."""

    __tablename__ = "data_export"
    __table_args__ = (
        CheckConstraint(_in("kind", EXPORT_KINDS), name="kind"),
        CheckConstraint(_in("format", EXPORT_FORMATS), name="format"),
        CheckConstraint(_in("status", EXPORT_STATUSES), name="status"),
        CheckConstraint("k >= 2", name="k"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)  # the requester's MDT
    # The MDT whose data is exported; None: every MDT (a national viewer's export).
    scope_mdt_id: Mapped[int | None] = mapped_column(ForeignKey("mdt.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="deidentified")
    format: Mapped[str] = mapped_column(String(5))
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    k: Mapped[int] = mapped_column(default=5)
    language: Mapped[str | None] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int | None]
    # What k-anonymity cost: rows whose quasi-identifiers were generalised, rows left out.
    generalised: Mapped[int | None]
    suppressed: Mapped[int | None]
    details: Mapped[dict | None] = mapped_column(JSON)
    filename: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    requested_by = relationship("Member")
    scope_mdt = relationship("Mdt", foreign_keys=[scope_mdt_id])
