"""The devices members set up for offline work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime


class FieldDevice(Model):
    """A phone or browser a member set up for offline work, when they chose its PIN. The device
    holds a random id; only its SHA-256 digest is kept here. A request that carries the id of a
    deactivated member's device is told to wipe the device's copy."""

    __tablename__ = "field_device"
    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    member = relationship("Member")
