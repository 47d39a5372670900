"""The dashboard: the figures of a period, for coordinators and viewers."""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import clock, formats, policy, schema
from mdt.errors import Forbidden, NotFound, ValidationError
from mdt.reports import charts
from mdt.reports import services as reports
from mdt.reports.schemas import ReportArgsSchema

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
    this_start, _end = quarter_of(today)
    last_start, last_end = quarter_of(this_start - relativedelta(days=1))
    return [
        (_("This quarter"), this_start, today),
        (_("Last quarter"), last_start, last_end),
        (_("This year"), date(today.year, 1, 1), today),
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
        data = reports.summary(current_user, mdts, period, open_days=loaded["open_days"])
        open_cutoff = (today - timedelta(days=loaded["open_days"])).isoformat()
    except ValidationError as exc:
        errors, status = exc.errors, 422
    except NotFound:
        errors, status = {"mdt_id": [_("No such MDT.")]}, 404
    except Forbidden:
        errors, status = {"mdt_id": [_("You may see only your own MDT's figures.")]}, 403
    national = policy.can(current_user, "report.national")
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
            national=national,
            all_mdts=reports.all_mdts() if national else [],
            links=links,
            open_cutoff=open_cutoff,
            shown_period=period,
            filters=CASE_FILTERS,
            bars=lambda rows: charts.bars(rows, formats.count),
            columns=lambda rows: charts.columns(rows, formats.count),
        ),
        status,
    )
