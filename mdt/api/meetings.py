"""API: meetings and case conferences (../shared/API.md, Meetings)."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_login import current_user

from mdt import policy
from mdt.api.base import api_bp, body
from mdt.errors import get_or_404
from mdt.meetings import services as meetings
from mdt.meetings.ics import meeting_ics
from mdt.meetings.models import ActionItem
from mdt.reminders import services as reminder_services


def action_json(a: ActionItem, visible: bool) -> dict:
    return {
        "id": a.id,
        "title": a.title if visible else meetings.restricted_title(a),
        "restricted": not visible,
        "case_id": a.case_id,
        "meeting_id": a.meeting_id,
        "owner_agency_id": a.owner_agency_id,
        "owner_id": a.owner_id,
        "due_on": a.due_on.isoformat(),
        "done": a.done_at is not None,
        "done_note": a.done_note if visible else None,
    }


def meeting_json(m) -> dict:
    return {
        "id": m.id,
        "title": m.title,
        "kind": m.kind,
        "starts_at": m.starts_at.isoformat(),
        "ends_at": m.ends_at.isoformat() if m.ends_at else None,
        "host_agency_id": m.host_agency_id,
        "location": m.location,
        "status": m.status,
        "series_id": m.series_id,
    }


@api_bp.post("/meetings")
def create_meeting():
    meeting = meetings.create_meeting(current_user, body())
    return jsonify(meeting_json(meeting)), 201


@api_bp.get("/meetings/<int:meeting_id>")
def get_meeting(meeting_id: int):
    return jsonify(meeting_json(meetings.get_meeting(current_user, meeting_id)))


@api_bp.get("/meetings/<int:meeting_id>/agenda")
def agenda(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    items = [
        {
            "id": row.id,
            "position": row.position,
            "case_id": row.case_id,
            "reason": row.reason,
            "title": row.title,
            "detail": row.detail or None,
            "restricted": not row.visible,
        }
        for row in meetings.read_agenda(current_user, meeting)
    ]
    return jsonify({"items": items, "status": meeting.status})


@api_bp.post("/meetings/<int:meeting_id>/agenda/items")
def add_agenda_item(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    item = meetings.add_item(current_user, meeting, body())
    return jsonify(
        {
            "id": item.id,
            "position": item.position,
            "case_id": item.case_id,
            "reason": item.reason,
            "title": item.title,
            "detail": item.detail,
        }
    ), 201


@api_bp.post("/meetings/<int:meeting_id>/publish")
def publish(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    meetings.publish(current_user, meeting)
    return jsonify(meeting_json(meeting))


@api_bp.post("/meetings/<int:meeting_id>/action-items")
def create_action_item(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    item = meetings.create_action_item(current_user, meeting, body())
    return jsonify(action_json(*meetings.with_visibility(current_user, [item])[0])), 201


@api_bp.post("/action-items/<int:item_id>/done")
def action_done(item_id: int):
    item = get_or_404(ActionItem, item_id, mdt_id=current_user.mdt_id)
    data = request.get_json(silent=True) or {}
    meetings.close_action(current_user, item, data.get("note"))
    return jsonify(action_json(*meetings.with_visibility(current_user, [item])[0]))


@api_bp.get("/meetings/<int:meeting_id>/calendar.ics")
def meeting_calendar(meeting_id: int):
    meeting = meetings.get_meeting(current_user, meeting_id)
    return Response(meeting_ics(meeting, request.host_url.rstrip("/")), mimetype="text/calendar")


@api_bp.get("/reminders")
def reminders():
    """The caller's own reminders; a coordinator's with ?scope=mdt (API.md, Reminders)."""

    everyone = request.args.get("scope") != "mine" and policy.can(current_user, "reminders.outbox")
    rows = reminder_services.list_for(current_user, request.args.get("status"), everyone=everyone)
    return jsonify(
        {
            "items": [
                {
                    "id": r.id,
                    "member_id": r.member_id,
                    "source_type": r.source_type,
                    "source_id": r.source_id,
                    "purpose": r.purpose,
                    "lead": r.lead,
                    "channel": r.channel,
                    "scheduled_at": r.scheduled_at.isoformat(),
                    "status": r.status,
                    "attempts": r.attempts,
                    "last_error": r.last_error,
                    "sent_at": r.sent_at.isoformat() if r.sent_at else None,
                }
                for r in rows
            ]
        }
    )
