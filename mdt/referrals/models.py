"""Services offered by agencies, the person's consent, referrals, and grant instalments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.cases.models import PLAN_SERVICES
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

CONSENT_PURPOSES = ("share_with_agency", "legal_action", "contact_sms", "contact_email")
# How a consent record came other than from a member: the person's STOP by SMS.
CONSENT_VIA = ("sms",)
# The parts of a case that can travel to another agency. Sensitive assessment fields and
# restricted notes never travel: they stay with the lead agency.
SHARE_PARTS = ("person", "episodes", "assessment", "plan", "notes")
REFERRAL_STATUSES = ("pending", "accepted", "declined", "completed", "withdrawn", "expired")
URGENCIES = ("normal", "urgent")
OUTCOMES = ("received", "not_received")
NOT_RECEIVED_REASONS = (
    "refused_at_service",
    "discrimination",
    "not_eligible",
    "no_capacity",
    "person_declined",
    "could_not_reach",
    "other",
)


class Service(Model):
    """A service an agency offers: the directory answers "who can help with X in district Y"."""

    __tablename__ = "service"
    __table_args__ = (
        CheckConstraint(_in("category", PLAN_SERVICES), name="category"),
        CheckConstraint("response_days > 0 AND response_days <= 365", name="response_days"),
        Index("ix_service_mdt_category", "mdt_id", "category"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    areas: Mapped[str | None] = mapped_column(String(500))
    languages: Mapped[str | None] = mapped_column(String(200))
    eligibility: Mapped[str | None] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(300))
    response_days: Mapped[int] = mapped_column(default=7)
    active: Mapped[bool] = mapped_column(default=True)

    agency = relationship("Agency")

    def covers(self, district: str | None) -> bool:
        if not self.areas or not district:
            return True
        wanted = district.strip().lower()
        return any(a.strip().lower() in (wanted, "all", "province") for a in self.areas.split(","))


class Consent(Model):
    """The person's consent (or refusal) for one purpose, and for sharing, one agency."""

    __tablename__ = "consent"
    __table_args__ = (
        CheckConstraint(_in("purpose", CONSENT_PURPOSES), name="purpose"),
        CheckConstraint("purpose <> 'share_with_agency' OR agency_id IS NOT NULL", name="share_names_agency"),
        # Recorded by a member, or by the person themself (STOP by SMS: mdt.sms).
        CheckConstraint(
            "recorded_by_id IS NOT NULL OR " + _in("recorded_via", CONSENT_VIA), name="recorded_by_someone"
        ),
        Index("ix_consent_case", "case_id", "purpose"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(30))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    given: Mapped[bool]
    recorded_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    recorded_via: Mapped[str | None] = mapped_column(String(10))  # "sms": the person's own STOP
    language: Mapped[str | None] = mapped_column(String(60))
    interpreter: Mapped[str | None] = mapped_column(String(200))
    expires_on: Mapped[date | None] = mapped_column(Date)
    scope: Mapped[list | None] = mapped_column(JSON)
    risks_acknowledged: Mapped[bool] = mapped_column(default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    case = relationship("Case", back_populates="consents")
    agency = relationship("Agency")
    recorded_by = relationship("Member", foreign_keys=[recorded_by_id])

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts this record names. Explicit: none named means none (whether consent is live,
        and what it opens, is decided by ``mdt.consent``, never by one record alone)."""
        return tuple(p for p in (self.scope or ()) if p in SHARE_PARTS)


class Referral(Model):
    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(_in("status", REFERRAL_STATUSES), name="status"),
        CheckConstraint(_in("service", PLAN_SERVICES), name="service"),
        CheckConstraint(_in("urgency", URGENCIES), name="urgency"),
        CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("status <> 'declined' OR decline_reason IS NOT NULL", name="declined_reason"),
        CheckConstraint("status <> 'completed' OR outcome IS NOT NULL", name="completed_outcome"),
        Index("ix_referral_to", "to_agency_id", "status", "created_at"),
        Index("ix_referral_from", "from_agency_id", "status", "created_at"),
        Index("ix_referral_case", "case_id"),
        # The expiry sweep reads only pending referrals, by their respond-by date.
        Index(
            "ix_referral_pending_respond_by",
            "respond_by",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    offered_service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"))
    plan_item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_item.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consent.id"))
    service: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    respond_by: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(String(30))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    accompanied: Mapped[bool | None]
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case = relationship("Case")
    from_agency = relationship("Agency", foreign_keys=[from_agency_id])
    to_agency = relationship("Agency", foreign_keys=[to_agency_id])
    created_by = relationship("Member", foreign_keys=[created_by_id])
    consent = relationship("Consent")
    offered_service = relationship("Service")
    instalments: Mapped[list[GrantInstalment]] = relationship(
        order_by="GrantInstalment.paid_on", cascade="all, delete-orphan"
    )


class GrantInstalment(Model):
    """A livelihood grant paid in instalments: each payment recorded on its referral."""

    __tablename__ = "grant_instalment"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
