"""API: the caller's calendar (../shared/API.md, "Added in the second wave")."""

from __future__ import annotations

from flask_login import current_user

from mdt.api.base import api_bp, problems
from mdt.calendar import services as calendar
from mdt.calendar.schemas import CalendarSchema, PeriodSchema


@api_bp.get("/calendar")
@api_bp.arguments(PeriodSchema, location="query")
@api_bp.response(200, CalendarSchema)
@problems(401, 422)
def get_calendar(period: dict):
    """The hearings, deadlines, meetings and action items the caller may see between ``from``
    and ``to``, each on the day it falls in the caller's MDT's zone (the web calendar shows the
    same entries)."""
    return {"items": calendar.entries(current_user, period["from_"], period["to"])}
