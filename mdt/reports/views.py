"""The dashboard: the figures of a period, for coordinators and viewers."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import clock, formats, policy, schema, transaction
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.monitoring import services as monitoring
from mdt.reports import charts, export, quarterly
from mdt.reports import services as reports
from mdt.reports.schemas import OPEN_DAY_CHOICES, ReportArgsSchema
from mdt.web import act, form_dict

bp = Blueprint("reports", __name__)

# The case list's filter behind each breakdown of the people reached (``mdt.cases.views``).
CASE_FILTERS = {
    "sex": "sex",
    "minor": "minor",
    "destination": "destination",
    "sector": "sector",
    "district": "district",
    "source": "source",
}


def quarter_of(day: date) -> tuple[date, date]:
    start = reports.quarter_so_far(day).start
    return start, start + relativedelta(months=3, days=-1)


def presets(today: date) -> list[tuple[str, date, date]]:
    """Quick periods: this quarter so far, the last quarter, this year so far, the last year."""
    this_start, this_end = quarter_of(today)
    last_start, last_end = quarter_of(this_start - relativedelta(days=1))
    return [
        (_("This quarter"), this_start, this_end),
        (_("Last quarter"), last_start, last_end),
        (_("This year"), date(today.year, 1, 1), date(today.year, 12, 31)),
        (_("Last year"), date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    ]


@bp.route("/reports")
@login_required
def dashboard():
    if not policy.can(current_user, "report.view"):
        abort(403)
    today = clock.today(current_user.mdt)
    start, _end = quarter_of(today)
    args = {"from": start.isoformat(), "to": today.isoformat()}
    args.update({k: v for k, v in request.args.items() if v.strip()})
    errors: dict[str, list[str]] = {}
    data, status, mdts, open_cutoff, period = None, 200, [], None, None
    try:
        loaded = schema.load(ReportArgsSchema, args)
        mdts = reports.scope(current_user, loaded.get("mdt_id"))
        period = reports.Period(loaded["from_"], loaded["to"])
        args.update(period.as_dict())  # whole months: the form shows the period counted
        data = reports.summary(current_user, mdts, period, open_days=loaded["open_days"])
        open_cutoff = (today - timedelta(days=loaded["open_days"])).isoformat()
    except ValidationError as exc:
        errors, status = exc.errors, 422
    except NotFound:
        errors, status = {"mdt_id": [_("No such MDT.")]}, 404
    except Forbidden:
        errors, status = {"mdt_id": [_("You may see only your own MDT's figures.")]}, 403
    national = policy.can(current_user, "report.national")
    # Whom to pursue: the registry's entries named in most cases (all time, the user's MDT).
    agencies = (
        monitoring.registry(current_user, sort="cases")[:10]
        if data is not None and [m.id for m in mdts] == [current_user.mdt_id]
        else []
    )
    links = (
        data is not None
        and not policy.read_only(current_user)
        and [m.id for m in mdts] == [current_user.mdt_id]
    )
    return (
        render_template(
            "reports/dashboard.html",
            data=data,
            args=args,
            errors=errors,
            presets=presets(today),
            open_day_choices=OPEN_DAY_CHOICES,
            national=national,
            all_mdts=reports.all_mdts() if national else [],
            links=links,
            agencies=[(item, numbers) for item, numbers in agencies if numbers["cases_n"]],
            open_cutoff=open_cutoff,
            shown_period=period,
            filters=CASE_FILTERS,
            bars=lambda rows: charts.bars(rows, formats.count),
            columns=lambda rows: charts.columns(rows, formats.count),
        ),
        status,
    )


# ---------------------------------------------------------------- de-identified exports


@bp.route("/reports/exports", methods=["GET", "POST"])
@login_required
def exports():
    if not export.may_export(current_user):
        abort(403)
    today = clock.today(current_user.mdt)
    start, _end = quarter_of(today)
    national = policy.can(current_user, "report.national")

    def page(values, errors, status):
        return (
            render_template(
                "reports/exports.html",
                values=values,
                errors=errors,
                mine=export.mine(current_user),
                national=national,
                all_mdts=reports.all_mdts() if national else [],
                default_k=export.default_k(),
            ),
            status,
        )

    if request.method != "POST":
        return page({"from": start.isoformat(), "to": today.isoformat(), "format": "csv"}, {}, 200)
    data = {k: v for k, v in form_dict(request.form).items() if v.strip()}
    data["kind"] = "deidentified"

    def work():
        try:
            made = export.request_export(current_user, data)
        except NotFound:
            raise ValidationError("No such MDT.", {"mdt_id": [_("No such MDT.")]}) from None
        transaction.after_commit(lambda: export.queue(made.id))
        return made

    return act(
        work,
        success=_("Export asked for: it is being made."),
        done_url=lambda made: url_for("reports.export_status", export_id=made.id),
        page=lambda status, errors: page(request.form, errors, status),
    )


def _mine(export_id: int):
    try:
        return export.get_export(current_user, export_id)
    except NotFound:
        abort(404)


@bp.route("/reports/exports/<int:export_id>")
@login_required
def export_status(export_id: int):
    return render_template("reports/export.html", export=_mine(export_id))


@bp.route("/reports/exports/<int:export_id>/file")
@login_required
def export_file(export_id: int):
    _mine(export_id)
    try:
        made, content = export.take(current_user, export_id)
    except WorkflowError:
        return render_template("reports/export.html", export=_mine(export_id)), 410
    return Response(
        content,
        mimetype=export.MIMETYPES[made.format],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(made)}"'},
    )


@bp.route("/reports/quarterly", methods=["POST"])
@login_required
def quarterly_report():
    """The dashboard's period as the quarterly report's PDF, made in the background."""
    if not policy.can(current_user, "report.view"):
        abort(403)
    data = {k: v for k, v in form_dict(request.form).items() if v.strip()}
    back = {k: data[k] for k in ("from", "to", "mdt_id") if k in data}
    try:
        made = quarterly.request_report(current_user, data)
    except ValidationError as exc:
        transaction.rollback()
        flash(" ".join(m for messages in exc.errors.values() for m in messages), "error")
        return redirect(url_for("reports.dashboard", **back))
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    transaction.after_commit(lambda: export.queue(made.id))
    flash(_("The report is being made."), "success")
    return redirect(url_for("reports.export_status", export_id=made.id))
