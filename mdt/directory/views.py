from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from mdt.auth.models import WorkerHeartbeat
from mdt.cases import services as case_services
from mdt.cases.models import Intermediary
from mdt.directory import services
from mdt.errors import ValidationError, get_or_404
from mdt.extensions import db
from mdt.web import form_dict, require

bp = Blueprint("directory", __name__, url_prefix="/directory")


@bp.route("/")
@login_required
def index():
    return render_template(
        "directory/index.html",
        agencies=services.agencies(current_user.mdt_id),
        members=services.members(current_user.mdt_id),
        plan=services.action_plan(current_user.mdt_id),
    )


def _agency_form(agency=None):
    values = request.form if request.method == "POST" else (
        {k: getattr(agency, k) for k in ("name", "kind", "level", "area", "contact", "parent_id",
                                          "focal_person_id")} if agency else {"level": "province"})
    errors = {}
    if request.method == "POST":
        try:
            if agency is None:
                agency = services.create_agency(current_user, form_dict(request.form))
            else:
                services.update_agency(current_user, agency, form_dict(request.form))
            db.session.commit()
            flash(_("Agency saved."), "success")
            return redirect(url_for("directory.index"))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
    return render_template("directory/agency_form.html", agency=agency, values=values,
                           errors=errors, agencies=services.agencies(current_user.mdt_id),
                           members=services.members(current_user.mdt_id)), (422 if errors else 200)


@bp.route("/agencies/new", methods=["GET", "POST"])
@require("directory.manage")
def new_agency():
    return _agency_form()


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@require("directory.manage")
def edit_agency(agency_id: int):
    return _agency_form(services.get_agency(current_user, agency_id))


def _member_form(member=None):
    if request.method == "POST":
        values = request.form
    elif member:
        values = {k: getattr(member, k) for k in ("email", "name", "phone", "agency_id", "languages",
                                                   "expertise", "active")}
    else:
        values = {"active": True}
    roles = request.form.getlist("roles") if request.method == "POST" else (
        member.roles if member else ["member"])
    errors = {}
    if request.method == "POST":
        data = form_dict(request.form, lists=("roles",))
        data["active"] = "active" in request.form
        try:
            if member is None:
                member = services.create_member(current_user, data)
            else:
                services.update_member(current_user, member, data)
            db.session.commit()
            flash(_("Member saved."), "success")
            return redirect(url_for("directory.index"))
        except ValidationError as exc:
            db.session.rollback()
            errors = exc.errors
    return render_template("directory/member_form.html", member=member, values=values,
                           roles=roles, errors=errors,
                           agencies=services.agencies(current_user.mdt_id)), (422 if errors else 200)


@bp.route("/members/new", methods=["GET", "POST"])
@require("directory.manage")
def new_member():
    return _member_form()


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@require("directory.manage")
def edit_member(member_id: int):
    return _member_form(services.get_member(current_user, member_id))


@bp.route("/action-plan", methods=["POST"])
@require("actionplan.edit")
def add_plan_entry():
    try:
        services.add_plan_entry(current_user, form_dict(request.form))
        db.session.commit()
        flash(_("Added to the action plan."), "success")
    except ValidationError as exc:
        db.session.rollback()
        return render_template(
            "directory/index.html", agencies=services.agencies(current_user.mdt_id),
            members=services.members(current_user.mdt_id),
            plan=services.action_plan(current_user.mdt_id), plan_values=request.form,
            plan_errors=exc.errors), 422
    return redirect(url_for("directory.index", _anchor="action-plan"))


@bp.route("/action-plan/<int:entry_id>/remove", methods=["POST"])
@require("actionplan.edit")
def remove_plan_entry(entry_id: int):
    services.remove_plan_entry(current_user, entry_id)
    db.session.commit()
    flash(_("Removed from the action plan."), "success")
    return redirect(url_for("directory.index", _anchor="action-plan"))


@bp.route("/intermediaries")
@login_required
def intermediaries():
    rows = db.session.scalars(select(Intermediary).where(Intermediary.mdt_id == current_user.mdt_id)
                              .order_by(Intermediary.kind, Intermediary.name)).all()
    return render_template("directory/intermediaries.html", intermediaries=rows)


@bp.route("/intermediaries/<int:intermediary_id>")
@login_required
def intermediary(intermediary_id: int):
    item = get_or_404(Intermediary, intermediary_id, mdt_id=current_user.mdt_id)
    from mdt.legal.services import matters_naming

    cases, total = case_services.cases_naming(current_user, item)
    matters, matters_total = matters_naming(current_user, item.id)
    return render_template("directory/intermediary.html", item=item, cases=cases, total=total,
                           matters=matters, matters_total=matters_total)


@bp.route("/status")
@require("directory.manage")
def status():
    beats = db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.name)).all()
    return render_template("directory/status.html", beats=beats)
