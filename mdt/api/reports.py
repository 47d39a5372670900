"""API: the figures (../shared/API.md, "Added in the second wave")."""

from __future__ import annotations

from flask_login import current_user

from mdt.api.base import api_bp, problems
from mdt.reports import services as reports
from mdt.reports.schemas import ReportArgsSchema, SummarySchema


@api_bp.get("/reports/summary")
@api_bp.arguments(ReportArgsSchema, location="query")
@api_bp.response(200, SummarySchema)
@problems(401, 403, 404, 422)
def get_summary(args: dict):
    """The dashboard's figures for a period: people reached and served by sex, age band, minor,
    destination, sector, district and source; referrals; legal matters; conferences; cases open
    too long. Counts under five outside the caller's teams are ``"<5"`` (the same figures as the
    web dashboard)."""
    mdts = reports.scope(current_user, args.get("mdt_id"))
    period = reports.Period(args["from_"], args["to"])
    return reports.summary(current_user, mdts, period, open_days=args["open_days"])
