from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case
from mdt.extensions import db
from mdt.privacy import audit_export
from mdt.privacy.models import ReadAlert
from mdt.web import arg_day, require

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


@bp.route("/alerts")
@require("privacy.alerts")
def read_alerts():
    alerts = db.session.scalars(
        select(ReadAlert)
        .where(ReadAlert.mdt_id == current_user.mdt_id)
        .order_by(ReadAlert.created_at.desc())
        .limit(200)
    ).all()
    return render_template("privacy/alerts.html", alerts=alerts)


@bp.route("/alerts/<int:alert_id>")
@require("privacy.alerts")
def read_alert(alert_id: int):
    alert = db.session.get(ReadAlert, alert_id)
    if alert is None or not policy.can(current_user, "privacy.alerts", alert):
        abort(404)
    ids = alert.case_ids or [0]
    cases = db.session.scalars(
        select(Case).where(Case.id.in_(ids), policy.listable_filter(current_user)).order_by(Case.reference)
    ).all()
    record(current_user, "privacy.read_alert_read", alert)
    return render_template(
        "privacy/alert.html", alert=alert, cases=cases, hidden=len(alert.case_ids) - len(cases)
    )


def _period():
    today = clock.today(current_user.mdt)
    start, ok_start = arg_day("from", today - timedelta(days=30))
    end, ok_end = arg_day("to", today)
    return start, end, ok_start and ok_end and start <= end


@bp.route("/audit-export")
@require("audit.export")
def audit_export_page():
    start, end, ok = _period()
    return render_template("privacy/audit_export.html", start=start, end=end, ok=ok or not request.args)


@bp.route("/audit-export.csv")
@require("audit.export")
def audit_export_csv():
    start, end, ok = _period()
    if not ok:
        return render_template("privacy/audit_export.html", start=start, end=end, ok=False), 422
    body = audit_export.export(current_user, current_user.mdt, start, end)
    name = f"audit-{current_user.mdt.code}-{start}-{end}.csv"
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
