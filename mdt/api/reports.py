"""API: the figures (../shared/API.md, "Added in the second wave")."""

from __future__ import annotations

from flask import Response, url_for
from flask_login import current_user

from mdt import transaction
from mdt.api.base import accepts, api_bp, body, problems
from mdt.reports import export
from mdt.reports import services as reports
from mdt.reports.export import MIMETYPES
from mdt.reports.schemas import ExportSchema, ExportStatusSchema, ReportArgsSchema, SummarySchema


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


def _status(export) -> dict:
    shown = {
        "id": export.id,
        "status": export.status,
        "progress": export.progress,
        "rows": export.rows,
        "generalised": export.generalised,
        "suppressed": export.suppressed,
        "k": export.k,
    }
    if export.status == "ready":
        shown["download_url"] = url_for("api.export_file", export_id=export.id)
    return shown


@api_bp.post("/exports")
@accepts(ExportSchema)
@api_bp.response(202, ExportStatusSchema)
@problems(400, 401, 403, 404, 422)
def create_export():
    """Ask for a de-identified export (``kind: "deidentified"``, ``format: "csv"|"xlsx"``, the
    period of the cases opened, ``k`` from 2 to 100, default 5). Made in the background: follow it
    with ``GET /exports/{id}``. Needs the right of its own (the MDT's coordinators; national
    viewers for every MDT)."""
    made = export.request_export(current_user, body())
    transaction.after_commit(lambda: export.queue(made.id))
    return _status(made)


@api_bp.get("/exports/<int:export_id>")
@api_bp.response(200, ExportStatusSchema)
@problems(401, 404)
def get_export(export_id: int):
    """The caller's export: its status and progress, and when ready the address of the file
    (kept 24 hours)."""
    return _status(export.get_export(current_user, export_id))


@api_bp.get("/exports/<int:export_id>/file")
@problems(401, 404, 409)
def export_file(export_id: int):
    """The export's file (CSV or XLSX), with the same token."""
    made, content = export.take(current_user, export_id)
    return Response(
        content,
        mimetype=MIMETYPES[made.format],
        headers={"Content-Disposition": f'attachment; filename="{export.filename(made)}"'},
    )
