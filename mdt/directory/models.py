"""The directory: MDTs, agencies, members and the MDT action plan."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

AGENCY_KINDS = (
    "police",
    "prosecutor",
    "court",
    "labour",
    "employment",
    "social_welfare",
    "health",
    "education",
    "agriculture",
    "legal_aid",
    "ngo",
    "local_government",
    "embassy",
    "other",
)
AGENCY_LEVELS = ("national", "province", "district", "subdistrict", "village")
ROLES = ("member", "coordinator", "lawyer", "admin", "viewer", "volunteer")
ENFORCEMENT_KINDS = ("police", "prosecutor")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Mdt(Model):
    """A provincial multidisciplinary team: the boundary nobody's data crosses."""

    __tablename__ = "mdt"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(10), unique=True)
    country: Mapped[str] = mapped_column(String(2), default="TH")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Bangkok")
    currency: Mapped[str] = mapped_column(String(3), default="THB")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Who must sign in with a second step (mdt.auth.mfa): roles, and "agency:<kind>" for every
    # member of such agencies. None: the default (mdt.auth.mfa.DEFAULT_REQUIRED).
    mfa_required: Mapped[list | None] = mapped_column(JSON)
    # Closed cases are de-identified this many years after closing (mdt.privacy.retention).
    retention_years: Mapped[int] = mapped_column(default=5, server_default="5")


class Agency(Model):
    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint(_in("kind", AGENCY_KINDS), name="kind"),
        CheckConstraint(_in("level", AGENCY_LEVELS), name="level"),
        UniqueConstraint("mdt_id", "name", name="uq_agency_mdt_name"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(20), default="province")
    area: Mapped[str | None] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    focal_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("member.id", use_alter=True, name="fk_agency_focal_person_id_member")
    )
    contact: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    mdt: Mapped[Mdt] = relationship()
    parent: Mapped[Agency | None] = relationship(remote_side=[id])
    focal_person: Mapped[Member | None] = relationship(foreign_keys=[focal_person_id])

    @property
    def is_enforcement(self) -> bool:
        return self.kind in ENFORCEMENT_KINDS


class Member(UserMixin, Model):
    __tablename__ = "member"
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[str | None] = mapped_column(String(200))
    expertise: Mapped[str | None] = mapped_column(String(300))
    ui_language: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    mdt: Mapped[Mdt] = relationship()
    agency: Mapped[Agency] = relationship(foreign_keys=[agency_id])

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive members cannot log in
        return bool(self.active)


class ActionPlanEntry(Model):
    """One line of the MDT action plan: which agency does what, and when."""

    __tablename__ = "action_plan_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    responsibility: Mapped[str] = mapped_column(String(300))
    timing: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    agency: Mapped[Agency] = relationship()
