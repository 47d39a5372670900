from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from mdt.auth import mfa
from mdt.auth.models import WorkerHeartbeat
from mdt.cases import services as case_services
from mdt.cases.models import Intermediary
from mdt.directory import services
from mdt.errors import get_or_404
from mdt.extensions import db
from mdt.legal.services import matters_naming
from mdt.web import act, form_dict, form_view, require

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
    def initial():
        if agency is None:
            return {"level": "province"}
        return {
            k: getattr(agency, k)
            for k in ("name", "kind", "level", "area", "contact", "parent_id", "focal_person_id")
        }

    def work():
        if agency is None:
            return services.create_agency(current_user, form_dict(request.form))
        return services.update_agency(current_user, agency, form_dict(request.form))

    def render(values, errors, status):
        return render_template(
            "directory/agency_form.html",
            agency=agency,
            values=values,
            errors=errors,
            agencies=services.agencies(current_user.mdt_id),
            members=services.members(current_user.mdt_id),
        ), status

    return form_view(
        initial=initial,
        render=render,
        work=work,
        success=_("Agency saved."),
        done_url=url_for("directory.index"),
    )


@bp.route("/agencies/new", methods=["GET", "POST"])
@require("directory.manage")
def new_agency():
    return _agency_form()


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@require("directory.manage")
def edit_agency(agency_id: int):
    return _agency_form(services.get_agency(current_user, agency_id))


def _member_form(member=None):
    def initial():
        if member is None:
            return {"active": True}
        return {
            k: getattr(member, k)
            for k in ("email", "name", "phone", "agency_id", "languages", "expertise", "active")
        }

    def work():
        data = form_dict(request.form, lists=("roles",))
        data["active"] = "active" in request.form
        if member is None:
            return services.create_member(current_user, data)
        return services.update_member(current_user, member, data)

    def render(values, errors, status):
        roles = (
            request.form.getlist("roles")
            if request.method == "POST"
            else (member.roles if member else ["member"])
        )
        return render_template(
            "directory/member_form.html",
            member=member,
            values=values,
            roles=roles,
            errors=errors,
            agencies=services.agencies(current_user.mdt_id),
        ), status

    return form_view(
        initial=initial,
        render=render,
        work=work,
        success=_("Member saved."),
        done_url=url_for("directory.index"),
    )


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
    return act(
        lambda: services.add_plan_entry(current_user, form_dict(request.form)),
        success=_("Added to the action plan."),
        done_url=url_for("directory.index", _anchor="action-plan"),
        page=lambda status, errors: (
            render_template(
                "directory/index.html",
                agencies=services.agencies(current_user.mdt_id),
                members=services.members(current_user.mdt_id),
                plan=services.action_plan(current_user.mdt_id),
                plan_values=request.form,
                plan_errors=errors,
            ),
            status,
        ),
    )


@bp.route("/action-plan/<int:entry_id>/remove", methods=["POST"])
@require("actionplan.edit")
def remove_plan_entry(entry_id: int):
    services.remove_plan_entry(current_user, entry_id)
    flash(_("Removed from the action plan."), "success")
    return redirect(url_for("directory.index", _anchor="action-plan"))


@bp.route("/intermediaries")
@login_required
def intermediaries():
    rows = db.session.scalars(
        select(Intermediary)
        .where(Intermediary.mdt_id == current_user.mdt_id)
        .order_by(Intermediary.kind, Intermediary.name)
    ).all()
    return render_template("directory/intermediaries.html", intermediaries=rows)


@bp.route("/intermediaries/<int:intermediary_id>")
@login_required
def intermediary(intermediary_id: int):
    item = get_or_404(Intermediary, intermediary_id, mdt_id=current_user.mdt_id)

    cases, total = case_services.cases_naming(current_user, item)
    matters, matters_total = matters_naming(current_user, item.id)
    return render_template(
        "directory/intermediary.html",
        item=item,
        cases=cases,
        total=total,
        matters=matters,
        matters_total=matters_total,
    )


@bp.route("/status")
@require("directory.manage")
def status():
    beats = db.session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.name)).all()
    return render_template("directory/status.html", beats=beats)


@bp.route("/security", methods=["GET", "POST"])
@require("directory.manage")
def security():
    """Who in this MDT must sign in with a second step."""
    mdt = current_user.mdt

    def page(status=200, errors=None):
        chosen = request.form.getlist("required") if request.method == "POST" else mfa.required_for(mdt)
        return render_template(
            "directory/security.html", required=chosen, choices=mfa.CHOICES, errors=errors or {}
        ), status

    if request.method == "POST":
        return act(
            lambda: mfa.set_required(current_user, mdt, request.form.getlist("required")),
            success=_("Saved."),
            done_url=url_for("directory.security"),
            page=page,
            refusal_field="roles",
        )
    return page()


@bp.route("/members/<int:member_id>/mfa-reset", methods=["POST"])
@require("directory.manage")
def reset_member_mfa(member_id: int):
    member = services.get_member(current_user, member_id)
    mfa.reset(current_user, member)
    flash(
        _(
            "Two-step sign-in removed: %(name)s sets it up again at the next sign-in if the team "
            "requires it.",
            name=member.name,
        ),
        "success",
    )
    return redirect(url_for("directory.edit_member", member_id=member.id))
