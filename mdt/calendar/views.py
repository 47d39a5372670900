"""The calendar page (month, week, list) and the personal iCalendar feed."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import clock
from mdt.calendar import services
from mdt.web import arg_day

bp = Blueprint("calendar", __name__)


def _period(view: str, anchor: date) -> tuple[date, date, date, date]:
    """The first and last day shown, and the anchors of the previous and next pages."""
    if view == "month":
        first = anchor.replace(day=1)
        last = anchor.replace(day=month_calendar.monthrange(anchor.year, anchor.month)[1])
        return (
            first - timedelta(days=first.weekday()),
            last + timedelta(days=6 - last.weekday()),
            (first - timedelta(days=1)).replace(day=1),
            last + timedelta(days=1),
        )
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6), start - timedelta(days=7), start + timedelta(days=7)
    return anchor, anchor + timedelta(days=59), anchor - timedelta(days=60), anchor + timedelta(days=60)


@bp.route("/calendar")
@login_required
def index():
    view = request.args.get("view", "month")
    if view not in ("month", "week", "list"):
        view = "month"
    today = clock.today(current_user.mdt)
    anchor, _usable = arg_day("date", today)
    start, end, prev_anchor, next_anchor = _period(view, anchor)
    items = services.entries(current_user, start, end)
    by_day: dict = {}
    for item in items:
        by_day.setdefault(item.day, []).append(item)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return render_template(
        "calendar/index.html",
        view=view,
        anchor=anchor,
        days=days,
        by_day=by_day,
        items=items,
        prev_anchor=prev_anchor,
        next_anchor=next_anchor,
        today=today,
    )


@bp.route("/calendar/feed/<token>.ics")
def feed(token: str):
    member, feed_row = services.member_for_feed(token)
    if member is None:
        abort(404)
    feed_row.last_used_at = clock.now()
    body = services.ical(member, request.host_url.rstrip("/"))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})


@bp.route("/profile/calendar-feed", methods=["POST"])
@login_required
def feed_address():
    if request.form.get("action") == "revoke":
        services.revoke_feeds(current_user)
        flash(_("Calendar feed turned off. Calendars using the old address stop updating."), "success")
        return redirect(url_for("auth.profile", _anchor="calendar-feed"))
    _feed, raw = services.create_feed(current_user)
    url = url_for("calendar.feed", token=raw, _external=True)
    # Shown once on the profile, in a field to copy (kept in the server-side session meanwhile).
    session["new_feed_url"] = url
    flash(_("Your new calendar address is below; it replaces any earlier one."), "success")
    return redirect(url_for("auth.profile", _anchor="calendar-feed"))
