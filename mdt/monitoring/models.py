"""The monitoring record's own tables: the people behind an intermediary, dated evidence with its
scores, and merges (kept so they can be undone)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

RELATION_ROLES = ("owner", "director", "agent", "parent_company", "other")
EVIDENCE_KINDS = ("licence_review", "complaint", "job_ad", "ngo_report", "visit", "consular_check")


class IntermediaryRelation(Model):
    """Someone behind an intermediary, themself in the registry (an agency's owner as a broker)."""

    __tablename__ = "intermediary_relation"
    __table_args__ = (
        CheckConstraint(_in("role", RELATION_ROLES), name="role"),
        CheckConstraint("intermediary_id <> related_id", name="not_itself"),
        UniqueConstraint("intermediary_id", "related_id", "role", name="uq_intermediary_relation"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    intermediary_id: Mapped[int] = mapped_column(
        ForeignKey("intermediary.id", ondelete="CASCADE"), index=True
    )
    related_id: Mapped[int] = mapped_column(ForeignKey("intermediary.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    related = relationship("Intermediary", foreign_keys=[related_id])
    intermediary = relationship("Intermediary", foreign_keys=[intermediary_id])


class MonitoringEvidence(Model):
    """One dated piece of evidence about an intermediary (a licence document reviewed, a complaint,
    an advertisement screened, an NGO report, an unannounced visit, a consular check), with the
    score it gives against one criterion of ``criteria.json`` when it gives one."""

    __tablename__ = "monitoring_evidence"
    __table_args__ = (
        CheckConstraint(_in("kind", EVIDENCE_KINDS), name="kind"),
        CheckConstraint("score IS NULL OR (score >= 1 AND score <= 3)", name="score"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    intermediary_id: Mapped[int] = mapped_column(ForeignKey("intermediary.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    observed_on: Mapped[date] = mapped_column(Date)
    criterion: Mapped[str | None] = mapped_column(String(30))
    score: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(300))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    recorded_by = relationship("Member")


class IntermediaryMerge(Model):
    """Two registry entries found to be the same: ``merged`` was folded into ``kept``. ``moved``
    lists every link moved (and every duplicate link dropped), so that the merge can be undone."""

    __tablename__ = "intermediary_merge"
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    kept_id: Mapped[int] = mapped_column(ForeignKey("intermediary.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("intermediary.id"), index=True)
    moved: Mapped[dict] = mapped_column(JSON, default=dict)
    merged_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    note: Mapped[str | None] = mapped_column(Text)

    kept = relationship("Intermediary", foreign_keys=[kept_id])
    merged = relationship("Intermediary", foreign_keys=[merged_id])
