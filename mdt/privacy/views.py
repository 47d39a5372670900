from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from mdt import clock, policy, transaction
from mdt.audit.models import AuditEvent
from mdt.audit.services import record
from mdt.cases import services as case_services
from mdt.cases.models import Case
from mdt.errors import ValidationError, WorkflowError
from mdt.extensions import db
from mdt.privacy import audit_export, copies, retention
from mdt.privacy.models import DataCopy, ErasureRequest, ReadAlert
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


# ---------------------------------------------------------------- retention, holds, erasure


@bp.route("/")
@require("privacy.requests")
def index(errors=None, status=200):
    mdt = current_user.mdt
    requests = db.session.scalars(
        select(ErasureRequest)
        .where(ErasureRequest.mdt_id == mdt.id)
        .order_by(ErasureRequest.requested_at.desc())
        .limit(200)
    ).all()
    held = db.session.scalars(
        select(Case).where(Case.mdt_id == mdt.id, Case.hold_reason.is_not(None)).order_by(Case.reference)
    ).all()
    runs = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.mdt_id == mdt.id, AuditEvent.action == "privacy.retention")
        .order_by(AuditEvent.at.desc())
        .limit(10)
    ).all()
    return render_template(
        "privacy/index.html",
        mdt=mdt,
        requests=requests,
        held=held,
        runs=runs,
        refusals=retention.REFUSALS,
        errors=errors or {},
        cutoff=retention.retention_cutoff(mdt),
    ), status


@bp.route("/retention", methods=["POST"])
@require("privacy.settings")
def set_retention():
    try:
        retention.set_retention(current_user, current_user.mdt, request.form.get("years", ""))
    except ValidationError as exc:
        transaction.rollback()
        return index(exc.errors, 422)
    flash(_("Saved."), "success")
    return redirect(url_for("privacy.index"))


@bp.route("/cases/<int:case_id>/hold", methods=["POST"])
@require("privacy.requests")
def hold(case_id: int):
    case = case_services.get_case(current_user, case_id, "case.hold")
    try:
        retention.set_hold(current_user, case, request.form.get("reason", ""))
    except ValidationError as exc:
        transaction.rollback()
        flash(exc.errors.get("reason", [_("Check the reason.")])[0], "error")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="data-protection"))
    flash(_("Legal hold set.") if case.hold_reason else _("Legal hold lifted."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="data-protection"))


@bp.route("/cases/<int:case_id>/erasure", methods=["POST"])
@login_required
def request_erasure(case_id: int):
    case = case_services.get_case(current_user, case_id, "case.erasure_request")
    try:
        made = retention.request_erasure(current_user, case)
    except WorkflowError as exc:
        transaction.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="data-protection"))
    if made.status == "refused":
        flash(
            _(
                "Recorded, and refused for now: %(why)s It will be looked at again when that ends.",
                why=retention.REFUSALS[made.refused_because or "hold"],
            ),
            "warning",
        )
    else:
        flash(_("Recorded: a coordinator will decide."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="data-protection"))


@bp.route("/erasure/<int:request_id>", methods=["POST"])
@require("privacy.requests")
def decide_erasure(request_id: int):
    found = db.session.get(ErasureRequest, request_id)
    if found is None or found.mdt_id != current_user.mdt_id:
        abort(404)
    approve = request.form.get("decision") == "approve"
    try:
        retention.decide_erasure(current_user, found, approve, request.form.get("note"))
    except ValidationError as exc:
        transaction.rollback()
        return index({f"note-{request_id}": exc.errors.get("note", [])}, 422)
    except WorkflowError as exc:
        # A hold refused it: the refusal is kept (it is committed), the reason shown.
        flash(exc.detail, "warning")
        return redirect(url_for("privacy.index"))
    flash(_("Done: the person's data is erased.") if approve else _("Refused, with your reason."), "success")
    return redirect(url_for("privacy.index"))


@bp.route("/cases/<int:case_id>/copy", methods=["POST"])
@login_required
def request_copy(case_id: int):
    case = case_services.get_case(current_user, case_id, "case.person_rights")
    try:
        copy = copies.request_copy(current_user, case, request.form.get("language", ""))
    except (ValidationError, WorkflowError) as exc:
        transaction.rollback()
        flash(exc.errors.get("language", [exc.detail])[0] if exc.errors else exc.detail, "error")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="data-protection"))
    transaction.after_commit(lambda: copies.queue(copy.id))  # the worker must find the request
    return redirect(url_for("privacy.copy_status", copy_id=copy.id))


def _own_copy(copy_id: int) -> DataCopy:
    copy = db.session.get(DataCopy, copy_id)
    if copy is None or copy.mdt_id != current_user.mdt_id or copy.requested_by_id != current_user.id:
        abort(404)
    return copy


@bp.route("/copies/<int:copy_id>")
@login_required
def copy_status(copy_id: int):
    return render_template("privacy/copy.html", copy=_own_copy(copy_id))


@bp.route("/copies/<int:copy_id>/download", methods=["POST"])
@login_required
def copy_download(copy_id: int):
    _own_copy(copy_id)
    try:
        copy, body = copies.take(current_user, copy_id)
    except WorkflowError:
        return render_template("privacy/copy.html", copy=_own_copy(copy_id)), 410
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="data-{copy.case.reference}.pdf"'},
    )
