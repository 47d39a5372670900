from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case
from mdt.directory.services import agencies, members
from mdt.errors import NotFound, get_or_404
from mdt.extensions import db
from mdt.meetings import services
from mdt.meetings.ics import meeting_ics
from mdt.meetings.models import ActionItem, AgendaItem, Meeting, MeetingSeries
from mdt.pdf import render_pdf
from mdt.web import act, arg_id, form_dict, form_view

bp = Blueprint("meetings", __name__)


def _is_coordinator() -> bool:
    return policy.can(current_user, "meeting.prepare")


@bp.route("/meetings")
@login_required
def index():
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.mdt_id == current_user.mdt_id)
        .order_by(Meeting.starts_at.desc())
        .limit(100)
    ).all()
    return render_template(
        "meetings/index.html", meetings=rows, now=clock.now(), can_create=_is_coordinator()
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@login_required
def new():
    def render(values, errors, status):
        return render_template(
            "meetings/new.html",
            values=values,
            errors=errors,
            invited=[str(a) for a in request.form.getlist("invited_agency_ids")],
            agencies=agencies(current_user.mdt_id),
        ), status

    return form_view(
        initial=lambda: {"kind": "case_conference", "host_agency_id": current_user.agency_id},
        render=render,
        work=lambda: services.create_meeting(current_user, form_dict(request.form, ("invited_agency_ids",))),
        success=_("Meeting created; the agenda below was proposed from the cases."),
        done_url=lambda meeting: url_for("meetings.show", meeting_id=meeting.id),
    )


def _series_page(status: int = 200, errors=None):
    rows = db.session.scalars(
        select(MeetingSeries).where(MeetingSeries.mdt_id == current_user.mdt_id).order_by(MeetingSeries.title)
    ).all()
    zone = current_user.mdt.timezone
    now = clock.now()
    upcoming = {s.id: services.occurrences(s, zone, now, 3) for s in rows if s.dtstart and s.rrule}
    values = (
        request.form
        if request.method == "POST"
        else {"kind": "case_conference", "repeats": "monthly_weekday", "duration_minutes": "120"}
    )
    return render_template(
        "meetings/series.html",
        series=rows,
        upcoming=upcoming,
        describe=lambda s: services.describe_rule(s, zone),
        agencies=agencies(current_user.mdt_id),
        values=values,
        errors=errors or {},
        coordinator=_is_coordinator(),
        rotation=request.form.getlist("rotation"),
        invited=request.form.getlist("invited_agency_ids"),
    ), status


@bp.route("/meetings/series", methods=["GET", "POST"])
@login_required
def series():
    if request.method == "GET":
        return _series_page()
    data = form_dict(request.form, ("rotation", "invited_agency_ids"))
    # The rotation comes as one "order" number per agency: 1 hosts first, blank is not in it.
    order = {}
    for agency in agencies(current_user.mdt_id):
        raw = (request.form.get(f"order_{agency.id}") or "").strip()
        if raw:
            order[agency.id] = int(raw) if raw.isdigit() else 10**6
    if order:
        data["rotation"] = sorted(order, key=lambda a: (order[a], a))
    return act(
        lambda: services.create_series(current_user, data),
        success=_("Series saved. Schedule its next meetings below."),
        done_url=url_for("meetings.series"),
        page=lambda status, errors: _series_page(status, errors),
    )


@bp.route("/meetings/series/<int:series_id>/schedule", methods=["POST"])
@login_required
def schedule(series_id: int):
    item = get_or_404(MeetingSeries, series_id, mdt_id=current_user.mdt_id)
    count = request.form.get("count", "3")
    return act(
        lambda: services.schedule_series(current_user, item, int(count) if count.isdigit() else 3),
        success=_("The next meetings of the series are scheduled, each with its host and a proposed agenda."),
        done_url=url_for("meetings.index"),
        page=lambda status, errors: _series_page(status, errors),
    )


def _page(meeting_id: int, status: int = 200, errors=None, form_name=None):
    meeting = services.get_meeting(current_user, meeting_id)
    agenda = services.read_agenda(current_user, meeting)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        agenda=agenda,
        groups=services.group_agenda(agenda),
        stalled_limit=services.STALLED_LIMIT,
        proposal_cap=services.PROPOSAL_CAP,
        actions=services.meeting_actions(current_user, meeting),
        coordinator=_is_coordinator(),
        agencies=agencies(current_user.mdt_id),
        members=members(current_user.mdt_id),
        errors=errors or {},
        form_name=form_name,
        attendance=services.attendance_sheet(meeting),
        values=request.form,
    ), status


@bp.route("/meetings/<int:meeting_id>")
@login_required
def show(meeting_id: int):
    return _page(meeting_id)


def _act(meeting_id: int, work, success: str, form_name: str):
    meeting = services.get_meeting(current_user, meeting_id)
    return act(
        lambda: work(meeting),
        success=success,
        done_url=url_for("meetings.show", meeting_id=meeting_id, _anchor=form_name),
        page=lambda status, errors: _page(meeting_id, status, errors, form_name),
    )


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        raise NotFound("No such agenda item.")
    return item


def _stalled_cap(form) -> int:
    """The coordinator's cap on the cases with no change for 30 days (0 to 100; the default when
    blank or not a number)."""
    raw = (form.get("stalled") or "").strip()
    return min(int(raw), 100) if raw.isdigit() else services.STALLED_LIMIT


@bp.route("/meetings/<int:meeting_id>/propose", methods=["POST"])
@login_required
def propose(meeting_id: int):
    return _act(
        meeting_id,
        lambda m: services.propose_agenda(current_user, m, stalled=_stalled_cap(request.form)),
        _("Agenda proposed again from the cases."),
        "agenda",
    )


@bp.route("/meetings/<int:meeting_id>/items", methods=["POST"])
@login_required
def add_item(meeting_id: int):
    return _act(
        meeting_id,
        lambda m: services.add_item(current_user, m, _with_case(form_dict(request.form))),
        _("Item added."),
        "agenda",
    )


def _with_case(data: dict) -> dict:

    reference = (data.pop("reference", "") or "").strip()
    if reference:
        case = db.session.scalars(
            select(Case).where(Case.mdt_id == current_user.mdt_id, Case.reference == reference)
        ).first()
        data["case_id"] = case.id if case else -1
    return data


@bp.route("/meetings/<int:meeting_id>/items/<int:item_id>/<action>", methods=["POST"])
@login_required
def item_action(meeting_id: int, item_id: int, action: str):
    def work(meeting):
        item = _item(meeting, item_id)
        if action == "remove":
            services.remove_item(current_user, meeting, item)
        elif action in ("up", "down"):
            services.move_item(current_user, meeting, item, -1 if action == "up" else 1)
        elif action in ("minutes", "action"):
            # The item's one form carries its minutes and a new action item: both are saved
            # together, so neither button loses what was typed in the other part.
            data = form_dict(request.form)
            minutes = {k: data[k] for k in ("presenter_id", "discussion", "decisions") if k in data}
            minutes["finished"] = "finished" in request.form
            services.save_minutes(current_user, meeting, item, minutes)
            if action == "action" or any((data.get(k) or "").strip() for k in ("title", "due_on")):
                action_data = {k: data.get(k) for k in ("title", "owner_agency_id", "due_on")}
                action_data["case_id"] = item.case_id
                action_data["agenda_item_id"] = item.id
                services.create_action_item(current_user, meeting, action_data)
        else:
            raise NotFound("No such action.")

    return _act(meeting_id, work, _("Saved."), f"item-{item_id}")


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def attendance(meeting_id: int):
    return _act(
        meeting_id,
        lambda m: services.record_attendance(
            current_user, m, request.form.getlist("present"), request.form.getlist("listed")
        ),
        _("Attendance recorded."),
        "attendance",
    )


@bp.route("/meetings/<int:meeting_id>/publish", methods=["POST"])
@login_required
def publish(meeting_id: int):
    return _act(
        meeting_id,
        lambda m: services.publish(current_user, m),
        _("Agenda published; the attendees were told."),
        "agenda",
    )


@bp.route("/meetings/<int:meeting_id>/approve", methods=["POST"])
@login_required
def approve(meeting_id: int):
    return _act(
        meeting_id,
        lambda m: services.approve_minutes(current_user, m),
        _("Minutes approved; each case discussed has an entry in its notes."),
        "agenda",
    )


@bp.route("/meetings/<int:meeting_id>/reschedule", methods=["POST"])
@login_required
def reschedule(meeting_id: int):
    return _act(
        meeting_id,
        lambda m: services.reschedule(current_user, m, form_dict(request.form)),
        _("Meeting moved; calendars that subscribed will update."),
        "when",
    )


def _printable(meeting_id: int, pdf: bool = False) -> str:
    meeting = services.get_meeting(current_user, meeting_id)
    present = [
        f"{r['member'].name} ({r['member'].agency.name})"
        for r in services.attendance_sheet(meeting)
        if r["present"]
    ]
    return render_template(
        "meetings/print.html",
        meeting=meeting,
        pdf=pdf,
        present=present,
        agenda=services.read_agenda(current_user, meeting),
        actions=services.meeting_actions(current_user, meeting),
    )


@bp.route("/meetings/<int:meeting_id>/print")
@login_required
def printable(meeting_id: int):
    """Agenda and minutes for printing, redacted for the reader exactly as on screen."""
    return _printable(meeting_id)


@bp.route("/meetings/<int:meeting_id>/agenda.pdf")
@login_required
def pdf(meeting_id: int):
    """The same page as a PDF made on the server (Thai set in the shipped Sarabun font)."""

    body = render_pdf(_printable(meeting_id, pdf=True))
    record(current_user, "meeting.pdf", db.session.get(Meeting, meeting_id))
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename=meeting-{meeting_id}.pdf"},
    )


@bp.route("/meetings/<int:meeting_id>/invitation.ics")
@login_required
def invitation(meeting_id: int):
    meeting = services.get_meeting(current_user, meeting_id)
    return Response(
        meeting_ics(meeting, request.host_url.rstrip("/")),
        mimetype="text/calendar",
        headers={"Content-Disposition": f"attachment; filename=meeting-{meeting.id}.ics"},
    )


@bp.route("/actions")
@login_required
def actions():
    return _actions_page()


def _actions_page(status: int = 200, errors=None, item_id: int | None = None):
    today = clock.today(current_user.mdt)
    agency_id = arg_id("agency")
    if agency_id is not None and not services.may_list_agency(current_user, agency_id):
        agency_id = None
    overdue = request.args.get("overdue") == "1"
    items = services.action_items_for(
        current_user,
        include_done=request.args.get("done") == "1",
        agency_id=agency_id,
        overdue_on=today if overdue else None,
    )
    return render_template(
        "meetings/actions.html",
        items=items,
        agency=next((a for a in agencies(current_user.mdt_id) if a.id == agency_id), None),
        overdue=overdue,
        today=today,
        errors=errors or {},
        form_item=item_id,
        values=request.form,
    ), status


@bp.route("/actions/<int:item_id>/done", methods=["POST"])
@login_required
def action_done(item_id: int):
    item = get_or_404(ActionItem, item_id, mdt_id=current_user.mdt_id)
    return act(
        lambda: services.close_action(current_user, item, request.form.get("note")),
        success=_("Action item done."),
        done_url=url_for("meetings.actions"),
        page=lambda status, errors: _actions_page(status, errors, item_id),
        refusal_field="note",
    )
