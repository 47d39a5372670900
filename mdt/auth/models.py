from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime


class ApiToken(Model):
    """A bearer token for the JSON API. Only a SHA-256 digest is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="token")
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member = relationship("Member")


class WorkerHeartbeat(Model):
    """Written by the Celery beat task so operators can see that worker and beat are alive."""

    __tablename__ = "worker_heartbeat"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    beats: Mapped[int] = mapped_column(default=0)


class CalendarFeed(Model):
    """A member's personal iCalendar feed: a secret URL (only its SHA-256 digest is stored) that
    the member can revoke and replace."""

    __tablename__ = "calendar_feed"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member = relationship("Member")


class ServerState(Model):
    """Short-lived server state on the embedded default (Redis holds it in production): web
    sessions and sign-in counters. ``mdt.auth.state`` reads and writes it; an entry past
    ``expires_at`` is gone (the sweep deletes it later)."""

    __tablename__ = "server_state"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(default=0)
    tag: Mapped[str | None] = mapped_column(String(60), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PasswordReset(Model):
    """A password-reset link sent by email: single use, valid 30 minutes; only its SHA-256 digest
    is stored. Asking again replaces the links not yet used."""

    __tablename__ = "password_reset"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    member = relationship("Member")


class KnownDevice(Model):
    """A browser a member has signed in from (a long-lived random cookie; its digest here). A
    sign-in from a browser not known yet tells the member by email."""

    __tablename__ = "known_device"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120), default="")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class MfaEnrolment(Model):
    """A member's authenticator app (TOTP, RFC 6238). ``last_step`` is the time step of the last
    code accepted: a code is never accepted twice."""

    __tablename__ = "mfa_enrolment"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    enabled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(Model):
    """One of a member's ten single-use recovery codes; only a hash is stored."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    digest: Mapped[str] = mapped_column(String(300))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
