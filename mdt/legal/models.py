"""Legal matters (labour and criminal tracks), claimants, hearings, events and deadlines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.legal.calendar import ROLLS, UNITS
from mdt.timeutil import UTCDateTime

MATTER_KINDS = ("labour", "criminal", "civil", "administrative")
JURISDICTIONS = ("TH", "PH")
MATTER_STAGES = ("fact_finding", "complaint_filed", "hearings", "judgment", "appeal", "enforcement", "closed")
CLAIMANT_STATUSES = ("active", "settled", "withdrawn", "won", "lost")
HEARING_STATUSES = ("scheduled", "held", "adjourned", "cancelled")
SUPPORT_KINDS = ("transport", "lodging", "interpreter", "witness_preparation", "other")
DEADLINE_STATUSES = ("open", "done", "missed")
CONFIDENCE = ("H", "M", "U")
EVENT_KINDS = (
    "judgment_read",
    "appeal_judgment_read",
    "appeal_received",
    "first_evidence_hearing",
    "indictment",
    "offence_known",
    "offence_committed",
    "knowledge_of_act",
    "wrongful_act",
    "returned_home",
    "decision_received",
    "rd_decision_received",
    "nlrc_decision_received",
    "reconsideration_denied",
    "cause_of_action",
    "dismissal",
    "promulgation",
    "new_trial_denied",
    "illegal_recruitment_committed",
    "trafficking_release",
)


class LegalMatter(Model):
    __tablename__ = "legal_matter"
    __table_args__ = (
        CheckConstraint(_in("kind", MATTER_KINDS), name="kind"),
        CheckConstraint(_in("jurisdiction", JURISDICTIONS), name="jurisdiction"),
        CheckConstraint(_in("stage", MATTER_STAGES), name="stage"),
        Index("ix_legal_matter_mdt", "mdt_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    kind: Mapped[str] = mapped_column(String(20))
    jurisdiction: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    forum: Mapped[str | None] = mapped_column(String(200))
    docket_no: Mapped[str | None] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(20), default="fact_finding")
    # Told, with the coordinators, when a time limit is not done a working day before it ends.
    supervising_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    lawyers: Mapped[list[MatterLawyer]] = relationship(cascade="all, delete-orphan")
    supervising_lawyer = relationship("Member", foreign_keys=[supervising_lawyer_id])
    respondents: Mapped[list[MatterRespondent]] = relationship(cascade="all, delete-orphan")
    claimants: Mapped[list[Claimant]] = relationship(cascade="all, delete-orphan", order_by="Claimant.id")


class MatterLawyer(Model):
    __tablename__ = "matter_lawyer"
    matter_id: Mapped[int] = mapped_column(
        ForeignKey("legal_matter.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True, index=True)
    member = relationship("Member")


class MatterLink(Model):
    """Two tracks of one dispute (labour and criminal), timed together. Stored once, low id
    first."""

    __tablename__ = "matter_link"
    __table_args__ = (CheckConstraint("low_id < high_id", name="ordered"),)
    low_id: Mapped[int] = mapped_column(ForeignKey("legal_matter.id", ondelete="CASCADE"), primary_key=True)
    high_id: Mapped[int] = mapped_column(
        ForeignKey("legal_matter.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MatterRespondent(Model):
    __tablename__ = "matter_respondent"
    matter_id: Mapped[int] = mapped_column(
        ForeignKey("legal_matter.id", ondelete="CASCADE"), primary_key=True
    )
    intermediary_id: Mapped[int] = mapped_column(ForeignKey("intermediary.id"), primary_key=True, index=True)
    intermediary = relationship("Intermediary")


class Claimant(Model):
    __tablename__ = "claimant"
    __table_args__ = (
        CheckConstraint(_in("status", CLAIMANT_STATUSES), name="status"),
        CheckConstraint("amount_claimed IS NULL OR amount_claimed >= 0", name="claimed_positive"),
        CheckConstraint("amount_awarded IS NULL OR amount_awarded >= 0", name="awarded_positive"),
        CheckConstraint("amount_received IS NULL OR amount_received >= 0", name="received_positive"),
        UniqueConstraint("matter_id", "case_id", name="uq_claimant_matter_case"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("legal_matter.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount_claimed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_awarded: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_received: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(String(12), default="active")
    loan_cancelled: Mapped[bool] = mapped_column(default=False)
    collateral_returned: Mapped[bool] = mapped_column(default=False)
    debt_relief_note: Mapped[str | None] = mapped_column(Text)

    case = relationship("Case")


class Hearing(Model):
    __tablename__ = "hearing"
    __table_args__ = (
        CheckConstraint(_in("status", HEARING_STATUSES), name="status"),
        Index("ix_hearing_matter_starts", "matter_id", "starts_at"),
        Index("ix_hearing_starts", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("legal_matter.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    purpose: Mapped[str] = mapped_column(String(300))
    location: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    outcome_notes: Mapped[str | None] = mapped_column(Text)
    next_hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearing.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))

    matter = relationship("LegalMatter")
    support: Mapped[list[HearingSupport]] = relationship(
        cascade="all, delete-orphan", order_by="HearingSupport.id"
    )


class HearingSupport(Model):
    """A line of the court-support checklist, or a claimant attending."""

    __tablename__ = "hearing_support"
    __table_args__ = (CheckConstraint(_in("kind", SUPPORT_KINDS), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    done: Mapped[bool] = mapped_column(default=False)

    owner = relationship("Member")


class HearingAttendance(Model):
    __tablename__ = "hearing_attendance"
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), primary_key=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("claimant.id", ondelete="CASCADE"), primary_key=True)


class MatterEvent(Model):
    """Something that happened in the proceedings and starts time limits running."""

    __tablename__ = "matter_event"
    __table_args__ = (
        CheckConstraint(_in("kind", EVENT_KINDS), name="kind"),
        Index("ix_matter_event_matter", "matter_id", "occurred_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("legal_matter.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    matter = relationship("LegalMatter")
    recorded_by = relationship("Member", foreign_keys=[recorded_by_id])
    confirmed_by = relationship("Member", foreign_keys=[confirmed_by_id])


class DeadlineRule(Model):
    """A time limit as data: admins correct, disable or add rules without a code change."""

    __tablename__ = "deadline_rule"
    __table_args__ = (
        CheckConstraint(_in("jurisdiction", JURISDICTIONS), name="jurisdiction"),
        CheckConstraint(_in("unit", UNITS), name="unit"),
        CheckConstraint(_in("roll", ROLLS), name="roll"),
        CheckConstraint(_in("confidence", CONFIDENCE), name="confidence"),
        CheckConstraint("amount >= 0 AND amount <= 36500", name="amount_range"),
        CheckConstraint(_in("trigger", EVENT_KINDS), name="trigger"),
        UniqueConstraint("code", name="uq_deadline_rule_code"),
        Index("ix_deadline_rule_trigger", "jurisdiction", "trigger"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    pack: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(default=1)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    matter_kinds: Mapped[list] = mapped_column(JSON)
    trigger: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    amount: Mapped[int]
    unit: Mapped[str] = mapped_column(String(20))
    offset_days: Mapped[int] = mapped_column(default=0)
    roll: Mapped[str] = mapped_column(String(10), default="forward")
    citation: Mapped[str] = mapped_column(String(300))
    confidence: Mapped[str] = mapped_column(String(1))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    @property
    def verified(self) -> bool:
        return self.confidence == "H"


class ClosureDay(Model):
    """An admin's correction to the court calendar: a day closed (decreed holiday, local holiday,
    court closure) or a package holiday on which the court was open."""

    __tablename__ = "closure_day"
    __table_args__ = (
        CheckConstraint(_in("jurisdiction", JURISDICTIONS), name="jurisdiction"),
        CheckConstraint("action IN ('closed', 'open')", name="action"),
        UniqueConstraint("jurisdiction", "court", "day", name="uq_closure_day"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(2))
    court: Mapped[str] = mapped_column(String(200), default="")  # "" = every court
    day: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(6), default="closed")
    reason: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Deadline(Model):
    __tablename__ = "deadline"
    __table_args__ = (
        CheckConstraint(_in("status", DEADLINE_STATUSES), name="status"),
        Index("ix_deadline_matter", "matter_id", "due_on"),
        Index(
            "ix_deadline_open_due",
            "due_on",
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("legal_matter.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("matter_event.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_rule.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    citation: Mapped[str | None] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=False)
    trace: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(8), default="open")
    set_by_hand: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    rule = relationship("DeadlineRule")
    event = relationship("MatterEvent")
    matter = relationship("LegalMatter")


class DeadlineChange(Model):
    """The history of a deadline's date: every recomputation keeps the previous one."""

    __tablename__ = "deadline_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadline.id", ondelete="CASCADE"), index=True)
    old_due_on: Mapped[date] = mapped_column(Date)
    new_due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
