"""Meetings and case conferences: series with a rotating host, agendas proposed from the cases,
minutes per item, and action items with owners and due dates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.directory.models import _in
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

MEETING_KINDS = ("case_conference", "regular", "subcommittee")
AGENDA_REASONS = (
    "new_intake",
    "hearing_soon",
    "deadline_soon",
    "referral_overdue",
    "action_overdue",
    "stalled",
    "carried_over",
    "manual",
)


class MeetingSeries(Model):
    """Recurring meetings (an RFC 5545 RRULE such as FREQ=MONTHLY;BYDAY=1TH) whose host rotates
    through an ordered list of agencies."""

    __tablename__ = "meeting_series"
    __table_args__ = (CheckConstraint(_in("kind", MEETING_KINDS), name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    rrule: Mapped[str | None] = mapped_column(String(200))
    rotation: Mapped[list] = mapped_column(JSON, default=list)  # agency ids, in order
    dtstart: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the first meeting
    duration_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    location: Mapped[str | None] = mapped_column(String(300))
    invited_agency_ids: Mapped[list | None] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Meeting(Model):
    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint(_in("kind", MEETING_KINDS), name="kind"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        Index("ix_meeting_mdt_starts", "mdt_id", "starts_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    host_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    location: Mapped[str | None] = mapped_column(String(300))
    invited_agency_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: grows when it moves
    # How many proposals the cap left out when the agenda was last proposed (issue 17).
    proposals_left_out: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    mdt = relationship("Mdt")
    host_agency = relationship("Agency")
    series = relationship("MeetingSeries")
    items: Mapped[list[AgendaItem]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaItem.position"
    )


class AgendaItem(Model):
    __tablename__ = "agenda_item"
    __table_args__ = (
        CheckConstraint(_in("reason", AGENDA_REASONS), name="reason"),
        Index("ix_agenda_item_meeting", "meeting_id", "position"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    # A legal matter's hearing or time limit: one item for the matter, whatever its claimants.
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("legal_matter.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text)  # typed by a person
    # What a proposal says, stored without language ({"key": "hearing", "date": ..., "what": ...})
    # and worded in each reader's language when shown.
    detail_args: Mapped[dict | None] = mapped_column(JSON)
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    discussion: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[str | None] = mapped_column(Text)
    finished: Mapped[bool] = mapped_column(default=False)

    case = relationship("Case")
    presenter = relationship("Member")


class ActionItem(Model):
    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_item_owner_agency", "owner_agency_id", "done_at"),
        Index("ix_action_item_due", "due_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    owner_agency = relationship("Agency")
    owner = relationship("Member", foreign_keys=[owner_id])
    case = relationship("Case")
    meeting = relationship("Meeting")


class MinutesRevision(Model):
    """Every saved version of an item's minutes: what was written, by whom, when."""

    __tablename__ = "minutes_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True)
    discussion: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[str | None] = mapped_column(Text)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    saved_by = relationship("Member")


class MeetingAttendance(Model):
    """Who was at the meeting (or sent apologies), as recorded by the coordinator."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "member_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    present: Mapped[bool] = mapped_column(default=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    member = relationship("Member", foreign_keys=[member_id])
