"""API: meetings and case conferences, action items, and the caller's reminders
(../shared/API.md, Meetings and Reminders)."""

from __future__ import annotations

from flask import Response, request
from flask_login import current_user
from marshmallow import EXCLUDE, fields, validate

from mdt import policy
from mdt.api.base import PageArgs, accepts, api_bp, body, page_of, paginate, problems
from mdt.errors import get_or_404
from mdt.meetings import services as meetings
from mdt.meetings.ics import meeting_ics
from mdt.meetings.models import ActionItem
from mdt.meetings.schemas import (
    ActionDoneSchema,
    ActionItemSchema,
    AgendaItemSchema,
    AgendaSchema,
    MeetingSchema,
)
from mdt.reminders import services as reminder_services
from mdt.reminders.models import STATUSES
from mdt.reminders.schemas import ReminderSchema

CALENDAR = {"type": "string", "description": "an iCalendar file (RFC 5545) with one event"}


@api_bp.post("/meetings")
@accepts(MeetingSchema)
@api_bp.response(201, MeetingSchema)
@problems(400, 401, 403, 422)
def create_meeting():
    """Create a meeting (coordinators); its agenda is proposed from the cases."""
    return meetings.create_meeting(current_user, body())


@api_bp.get("/meetings/<int:meeting_id>")
@api_bp.response(200, MeetingSchema)
@problems(401, 404)
def get_meeting(meeting_id: int):
    """One meeting of the caller's MDT."""
    return meetings.get_meeting(current_user, meeting_id)


@api_bp.get("/meetings/<int:meeting_id>/agenda")
@api_bp.response(200, AgendaSchema)
@problems(401, 404)
def agenda(meeting_id: int):
    """The agenda as the caller may read it: items on cases they may not see are ``restricted``
    (the case's reference for the title, no detail). The read is audited."""
    meeting = meetings.get_meeting(current_user, meeting_id)
    return {"items": meetings.read_agenda(current_user, meeting), "status": meeting.status}


@api_bp.post("/meetings/<int:meeting_id>/agenda/items")
@accepts(AgendaItemSchema)
@api_bp.response(201, AgendaItemSchema)
@problems(400, 401, 403, 404, 422)
def add_agenda_item(meeting_id: int):
    """Add an item to the agenda by hand (coordinators)."""
    meeting = meetings.get_meeting(current_user, meeting_id)
    item = meetings.add_item(current_user, meeting, body())
    return meetings.agenda_row(current_user, meeting, item)


@api_bp.post("/meetings/<int:meeting_id>/publish")
@api_bp.response(200, MeetingSchema)
@problems(401, 403, 404, 409)
def publish(meeting_id: int):
    """Publish the agenda (coordinators): the invited agencies' members are told; 409 when it is
    empty or already published."""
    meeting = meetings.get_meeting(current_user, meeting_id)
    return meetings.publish(current_user, meeting)


@api_bp.post("/meetings/<int:meeting_id>/action-items")
@accepts(ActionItemSchema)
@api_bp.response(201, ActionItemSchema)
@problems(400, 401, 403, 404, 422)
def create_action_item(meeting_id: int):
    """Record an action item decided at the meeting (coordinators); its owner is told."""
    meeting = meetings.get_meeting(current_user, meeting_id)
    item = meetings.create_action_item(current_user, meeting, body())
    return meetings.action_view(current_user, item)


@api_bp.post("/action-items/<int:item_id>/done")
@accepts(ActionDoneSchema, required=False)
@api_bp.response(200, ActionItemSchema)
@problems(400, 401, 403, 404, 409, 422)
def action_done(item_id: int):
    """Close an action item (its owner agency, or a coordinator); 409 when it is already done."""
    item = get_or_404(ActionItem, item_id, mdt_id=current_user.mdt_id)
    meetings.close_action(current_user, item, data=body(optional=True))
    return meetings.action_view(current_user, item)


@api_bp.get("/meetings/<int:meeting_id>/calendar.ics")
@api_bp.response(200, CALENDAR, content_type="text/calendar", description="The invitation")
@problems(401, 404)
def meeting_calendar(meeting_id: int):
    """The meeting as an iCalendar invitation: neutral wording, no case and no names; its
    SEQUENCE grows each time the meeting moves."""
    meeting = meetings.get_meeting(current_user, meeting_id)
    return Response(meeting_ics(meeting, request.host_url.rstrip("/")), mimetype="text/calendar")


class ReminderQuery(PageArgs):
    """Which reminders: by status; a coordinator's are the MDT's unless ``scope=mine``."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(STATUSES))
    scope = fields.String(
        validate=validate.OneOf(("mine", "mdt")),
        metadata={"description": "mdt (the default for coordinators): the MDT's; mine: the caller's own"},
    )


@api_bp.get("/reminders")
@api_bp.arguments(ReminderQuery, location="query")
@api_bp.response(200, page_of(ReminderSchema))
@problems(401, 422)
def reminders(args: dict):
    """The caller's own reminders; a coordinator's MDT's, unless ``scope=mine``. Latest first."""
    everyone = args.get("scope") != "mine" and policy.can(current_user, "reminders.outbox")
    stmt = reminder_services.reminders_query(current_user, args.get("status"), everyone=everyone)
    return paginate(stmt, args["page"], args["per_page"])
