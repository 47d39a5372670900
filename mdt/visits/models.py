"""A follow-up visit (who was seen, how they are, what they need) and the visits due."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

SEEN = ("person", "family", "employer", "community_leader", "nobody")
WELLBEING = ("well", "coping", "struggling", "at_risk")
NEEDS = ("health", "income", "debt", "safety", "documents", "legal", "housing", "psychosocial")
# Months after the return at which a visit is due, unless the team picks others.
DEFAULT_MONTHS = (1, 3, 6, 12)


class Visit(Model):
    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint(_in("wellbeing", WELLBEING), name="wellbeing"),
        Index("ix_visit_case_on", "case_id", "visited_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    visited_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(200))
    seen: Mapped[list] = mapped_column(JSON, default=list)
    wellbeing: Mapped[str] = mapped_column(String(12))
    needs: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    next_visit_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    created_by = relationship("Member")


class VisitDue(Model):
    """A visit the schedule asks for (``months`` after the return), or the next visit a visit set;
    done once a visit is recorded for it."""

    __tablename__ = "visit_due"
    __table_args__ = (Index("ix_visit_due_case", "case_id", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    months: Mapped[int | None]
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    case = relationship("Case")
