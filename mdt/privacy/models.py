"""Records of the life of personal data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
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
