"""Returnees, their cases, migration episodes, intermediaries, assessment, plan and notes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

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
    false,
    func,
)
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime, age_on

if TYPE_CHECKING:  # a relationship only: the consent model imports this module
    from mdt.referrals.models import Consent

SEXES = ("female", "male", "other", "unknown")
SOURCES = (
    "outreach",
    "hotline",
    "self",
    "peer_group",
    "watchdog",
    "police",
    "embassy",
    "ngo",
    "employer",
    "other",
)
STAGES = ("intake", "assessment", "planning", "active", "follow_up", "closed")
# Allowed stage moves. Closing is possible from anywhere (with a reason); closed -> active reopens.
STAGE_MOVES = {
    "intake": ("assessment", "closed"),
    "assessment": ("intake", "planning", "closed"),
    "planning": ("assessment", "active", "closed"),
    "active": ("planning", "follow_up", "closed"),
    "follow_up": ("active", "closed"),
    "closed": ("active",),
}
INTERMEDIARY_KINDS = ("recruitment_agency", "sub_agent", "broker", "employer", "other")
LICENCE_STATUSES = ("licensed", "suspended", "revoked", "blacklisted")
WARNED_STATUSES = ("suspended", "revoked", "blacklisted")
CHANNELS = ("formal", "informal", "unknown")
SECTORS = (
    "agriculture",
    "domestic_work",
    "manufacturing",
    "garment",
    "construction",
    "fishing",
    "hospitality",
    "entertainment",
    "care",
    "other",
)
PLAN_SERVICES = (
    "medical",
    "psychosocial",
    "legal_aid",
    "shelter",
    "skills_training",
    "livelihood_grant",
    "job_placement",
    "family_counselling",
    "documents",
    "education",
    "transport",
    "interpretation",
    "other",
)
MINOR_AGE = 18


class Person(Model):
    """A returnee (client). One person may have several cases over the years."""

    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(_in("sex", SEXES), name="sex"),
        Index("ix_person_names", "mdt_id", "family_name", "given_name"),
        Index("ix_person_phone", "mdt_id", "phone"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120), default="")
    sex: Mapped[str] = mapped_column(String(10))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(40))
    languages: Mapped[str | None] = mapped_column(String(200))
    home_province: Mapped[str | None] = mapped_column(String(120))
    home_district: Mapped[str | None] = mapped_column(String(120))
    home_subdistrict: Mapped[str | None] = mapped_column(String(120))
    home_village: Mapped[str | None] = mapped_column(String(120))
    safe_contact_note: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    # Confirmed with the person: the phone and email above reach only them (not an employer,
    # broker or relative), so reminders of their court dates may go there, with their consent.
    contact_safe: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    mdt = relationship("Mdt")

    @property
    def age(self) -> int | None:
        """Age today in the MDT's zone."""
        return age_on(self.date_of_birth, clock.today(self.mdt))

    @property
    def is_minor(self) -> bool:
        age = self.age
        return age is not None and age < MINOR_AGE

    @property
    def home_area(self) -> str:
        parts = [self.home_village, self.home_subdistrict, self.home_district, self.home_province]
        return ", ".join(p for p in parts if p)


class CaseCounter(Model):
    """The last reference number given per MDT and year."""

    __tablename__ = "case_counter"
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class Case(Model):
    __tablename__ = "case_file"
    __table_args__ = (
        CheckConstraint(_in("stage", STAGES), name="stage"),
        CheckConstraint(_in("source", SOURCES), name="source"),
        CheckConstraint("stage <> 'closed' OR close_reason IS NOT NULL", name="closed_reason"),
        UniqueConstraint("mdt_id", "reference", name="uq_case_mdt_reference"),
        Index("ix_case_mdt_updated", "mdt_id", "updated_at"),
        Index("ix_case_lead_agency", "lead_agency_id", "updated_at"),
        Index("ix_case_mdt_stage", "mdt_id", "stage"),
        # The agenda's new intakes: the MDT's cases in intake created since the last meeting.
        Index("ix_case_mdt_stage_created", "mdt_id", "stage", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    reference: Mapped[str] = mapped_column(String(30))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default="intake")
    source: Mapped[str] = mapped_column(String(20))
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    summary: Mapped[str | None] = mapped_column(Text)
    # Denormalised for filtering without joins: the district of the person's home.
    district: Mapped[str | None] = mapped_column(String(120))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # A legal hold set by a coordinator (mdt.privacy.retention): retention and erasure never touch
    # the case while it is set (an open legal matter holds it too, without being set here).
    hold_reason: Mapped[str | None] = mapped_column(Text)
    hold_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hold_set_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    # When names, contacts, exact dates of birth, free text and addresses were removed (retention
    # or an erasure request); the counts, outcomes and amounts stay for the figures.
    deidentified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Goes up by one with every change to the fields a device may edit offline (the person, the
    # source, the lead agency, the summary); ``CaseRevision`` says which fields each step changed,
    # so that a change made from an older version clashes only on the fields changed since.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    person: Mapped[Person] = relationship()
    mdt = relationship("Mdt")
    lead_agency = relationship("Agency")
    created_by = relationship("Member", foreign_keys=[created_by_id])
    episodes: Mapped[list[Episode]] = relationship(
        back_populates="case", order_by="Episode.id", cascade="all, delete-orphan"
    )
    team_agencies: Mapped[list[CaseAgency]] = relationship(cascade="all, delete-orphan")
    assignments: Mapped[list[CaseAssignment]] = relationship(cascade="all, delete-orphan")
    notes: WriteOnlyMapped[Note] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    # Every consent decision recorded on the case, loaded once per session: the one consent
    # decision (``mdt.consent``) reads them.
    consents: Mapped[list[Consent]] = relationship(
        back_populates="case", order_by="Consent.id", passive_deletes=True
    )

    @property
    def allowed_moves(self) -> tuple[str, ...]:
        return STAGE_MOVES[self.stage]


# Districts are filtered case-insensitively.
Index("ix_case_mdt_district", Case.mdt_id, func.lower(Case.district), Case.stage)

# Name search at national size (issue 17): on PostgreSQL, trigram indexes (pg_trgm) answer
# substring and misspelt searches on the full name, in Thai as in Latin script; SQLite searches
# substrings without an index. ``full_name`` is the expression the searches use, and the one the
# migration 0028 indexes (ix_person_full_name_trgm; ix_case_summary_trgm on lower(summary)).
# Those two indexes live in the migrations only (``TRIGRAM_INDEXES``): SQLAlchemy cannot declare
# an operator class on an expression in a way Alembic compares.
full_name = func.lower(Person.given_name + " " + func.coalesce(Person.family_name, ""))
TRIGRAM_INDEXES = ("ix_person_full_name_trgm", "ix_case_summary_trgm")
# A reference typed in the search box, in any case.
Index("ix_case_reference_lower", func.lower(Case.reference))
# The duplicate check at intake looks people up by their date of birth first.
Index("ix_person_birth", Person.mdt_id, Person.date_of_birth)


class CaseAgency(Model):
    """An agency on a case's team (besides the lead agency)."""

    __tablename__ = "case_agency"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # The consent under which the agency joined (None: joined before consent was tracked, or an
    # agency added by the lead agency itself). Its scope limits what the agency's members see.
    consent_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent.id", use_alter=True, name="fk_case_agency_consent_id_consent")
    )
    referral_id: Mapped[int | None] = mapped_column(
        ForeignKey("referral.id", use_alter=True, name="fk_case_agency_referral_id_referral")
    )

    agency = relationship("Agency")
    consent = relationship("Consent")


class CaseAssignment(Model):
    """A member assigned to a case by name."""

    __tablename__ = "case_assignment"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    member = relationship("Member")


class Intermediary(Model):
    """The shared registry of recruitment agencies, sub-agents, brokers and employers."""

    __tablename__ = "intermediary"
    __table_args__ = (
        CheckConstraint(_in("kind", INTERMEDIARY_KINDS), name="kind"),
        CheckConstraint(
            "licence_status IS NULL OR " + _in("licence_status", LICENCE_STATUSES), name="licence_status"
        ),
        UniqueConstraint("mdt_id", "kind", "name", name="uq_intermediary_mdt_kind_name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    country: Mapped[str | None] = mapped_column(String(2))
    licence_no: Mapped[str | None] = mapped_column(String(60))
    notes: Mapped[str | None] = mapped_column(Text)
    # The monitoring record (mdt.monitoring): the licence's status as a ministry notice gave it.
    licence_status: Mapped[str | None] = mapped_column(String(12))
    licence_status_on: Mapped[date | None] = mapped_column(Date)
    licence_source: Mapped[str | None] = mapped_column(String(300))
    aliases: Mapped[list | None] = mapped_column(JSON)
    addresses: Mapped[str | None] = mapped_column(Text)
    # Merged into another entry found to be the same (mdt.monitoring.merge): hidden from lists,
    # its links moved; the merge can be undone.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("intermediary.id"))

    @property
    def warned_against(self) -> bool:
        return self.licence_status in WARNED_STATUSES


class Episode(Model):
    """One migration episode: where the person went, how, and what it cost them."""

    __tablename__ = "episode"
    __table_args__ = (
        CheckConstraint("recruitment_fee IS NULL OR recruitment_fee >= 0", name="fee_positive"),
        CheckConstraint("debt_amount IS NULL OR debt_amount >= 0", name="debt_positive"),
        CheckConstraint("wages_owed IS NULL OR wages_owed >= 0", name="wages_positive"),
        Index("ix_episode_destination", "destination_country"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    destination_country: Mapped[str | None] = mapped_column(String(2))
    sector: Mapped[str | None] = mapped_column(String(30))
    job: Mapped[str | None] = mapped_column(String(200))
    departed_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(10), default="unknown")
    currency: Mapped[str] = mapped_column(String(3), default="THB")
    recruitment_fee: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    debt_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    debt_lender: Mapped[str | None] = mapped_column(String(200))
    debt_collateral: Mapped[str | None] = mapped_column(String(200))
    wages_owed: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    documents_withheld: Mapped[str | None] = mapped_column(String(300))

    case: Mapped[Case] = relationship(back_populates="episodes")
    links: Mapped[list[EpisodeIntermediary]] = relationship(
        cascade="all, delete-orphan", order_by="EpisodeIntermediary.position"
    )

    @property
    def intermediaries(self) -> list[Intermediary]:
        """The chain of intermediaries, in order."""
        return [link.intermediary for link in self.links]


class EpisodeIntermediary(Model):
    """One link in the chain of intermediaries of an episode."""

    __tablename__ = "episode_intermediary"
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"), primary_key=True)
    intermediary_id: Mapped[int] = mapped_column(ForeignKey("intermediary.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    intermediary: Mapped[Intermediary] = relationship()


class Assessment(Model):
    """Intake assessment. ``needs`` and ``goals`` are ordinary; the rest is sensitive."""

    __tablename__ = "assessment"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    needs: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    eligible: Mapped[bool | None]
    # Sensitive fields: shown only to the lead agency's team (see mdt.policy).
    risks: Mapped[str | None] = mapped_column(Text)
    counter_charge_risk: Mapped[bool] = mapped_column(default=False)
    deportation_risk: Mapped[bool] = mapped_column(default=False)
    health: Mapped[str | None] = mapped_column(Text)
    immigration_status: Mapped[str | None] = mapped_column(String(200))
    counter_charges: Mapped[str | None] = mapped_column(Text)
    whereabouts: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


SENSITIVE_ASSESSMENT_FIELDS = (
    "risks",
    "counter_charge_risk",
    "deportation_risk",
    "health",
    "immigration_status",
    "counter_charges",
    "whereabouts",
)


class PlanItem(Model):
    """A line of the individual assistance plan: a goal of the person's or a planned service."""

    __tablename__ = "plan_item"
    __table_args__ = (CheckConstraint("kind IN ('goal', 'service')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    service: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="planned")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


NOTE_SOURCES = ("member", "sms")


class Note(Model):
    """A note on a case: written by a member of the team, or a reply the person sent by SMS
    (``source`` ``sms``, no author; ``mdt.sms``)."""

    __tablename__ = "note"
    __table_args__ = (
        Index("ix_note_case_created", "case_id", "created_at"),
        CheckConstraint(_in("source", NOTE_SOURCES), name="source"),
        CheckConstraint("source <> 'member' OR author_id IS NOT NULL", name="member_author"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    body: Mapped[str] = mapped_column(Text)
    restricted: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(10), default="member", server_default="member")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    author = relationship("Member")


class CaseRevision(Model):
    """Which of a case's editable fields (``summary``, ``person.phone``...) one version changed."""

    __tablename__ = "case_revision"
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class IntakeDraft(Model):
    """One intake form saved as the worker types, so a dropped connection loses nothing. A draft
    belongs to one member and one intake: a new intake starts empty, and the member's unfinished
    ones are listed until registered or discarded."""

    __tablename__ = "intake_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    @property
    def label(self) -> str:
        name = " ".join(v for v in (self.data.get("given_name"), self.data.get("family_name")) if v)
        return name.strip()


class RiskProfile(Model):
    """The structured vulnerability profile of a case's person (``mdt.cases.risk``): a score from
    1 to 3 per indicator of ``risk_indicators.json``, and the weighted index (0 to 100) and level
    computed from them. Part of the assessment (consent and need-to-know apply to it)."""

    __tablename__ = "risk_profile"
    __table_args__ = (CheckConstraint("level IN ('low', 'medium', 'high')", name="level"),)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), primary_key=True)
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    score_index: Mapped[int] = mapped_column(default=0)
    level: Mapped[str] = mapped_column(String(6))
    assessed_on: Mapped[date] = mapped_column(Date, index=True)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
