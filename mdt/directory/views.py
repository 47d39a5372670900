from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from mdt import formats, policy
from mdt.auth import mfa
from mdt.auth.models import WorkerHeartbeat
from mdt.cases import services as case_services
from mdt.cases.models import INTERMEDIARY_KINDS, Intermediary
from mdt.directory import services
from mdt.errors import get_or_404
from mdt.extensions import db
from mdt.legal.services import matters_naming
from mdt.monitoring import services as monitoring
from mdt.monitoring.models import IntermediaryMerge
from mdt.reports.small import Cell, shown
from mdt.schema import record_id, refuse
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
    sort = request.args.get("sort", "name")
    kind = request.args.get("kind") if request.args.get("kind") in INTERMEDIARY_KINDS else None
    warned = request.args.get("warned") == "1"
    rows = monitoring.registry(
        current_user, sort=sort if sort in monitoring.SORTS else "name", kind=kind, warned=warned
    )
    return render_template(
        "directory/intermediaries.html",
        rows=rows,
        sort=sort,
        kind=kind,
        warned=warned,
        sorts=monitoring.SORTS,
    )


@bp.route("/intermediaries/outreach.csv")
@login_required
def outreach():
    """Agencies to warn villages about: names, status, since when and the notice (never anyone who
    complained), for outreach leaflets and radio."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "other_names", "kind", "licence_no", "status", "since", "source"])
    for item in monitoring.outreach_list(current_user.mdt_id):
        writer.writerow(
            formats.spreadsheet_row(
                [
                    item.name,
                    "; ".join(item.aliases or []),
                    item.kind,
                    item.licence_no or "",
                    item.licence_status,
                    item.licence_status_on.isoformat() if item.licence_status_on else "",
                    item.licence_source or "",
                ]
            )
        )
    return Response(
        out.getvalue().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="agencies-to-warn-about.csv"'},
    )


def _intermediary_page(item, status=200, errors=None, which=None):
    cases, total, named = case_services.cases_naming(current_user, item)
    matters = matters_naming(current_user, item.id)
    behind, fronts = monitoring.relations(item)
    evidence = monitoring.evidence_of(item)
    others = db.session.scalars(
        select(Intermediary)
        .where(
            Intermediary.mdt_id == item.mdt_id,
            Intermediary.id != item.id,
            Intermediary.merged_into_id.is_(None),
        )
        .order_by(Intermediary.name)
    ).all()
    return (
        render_template(
            "directory/intermediary.html",
            item=item,
            cases=cases,
            named=named,
            total=shown(Cell(total, len(cases))),
            matters=matters,
            numbers=monitoring.figures(current_user, [item.id])[item.id],
            behind=behind,
            fronts=fronts,
            evidence=evidence,
            scores=monitoring.scores(evidence),
            criteria=monitoring.criteria(),
            criterion_choices=[(c["code"], c["title"]) for c in monitoring.criteria()["criteria"]],
            others=others,
            merges=monitoring.merges_of(item),
            merged_into=db.session.get(Intermediary, item.merged_into_id) if item.merged_into_id else None,
            errors=errors or {},
            which=which,
            values=request.form if which else {},
        ),
        status,
    )


def _item(intermediary_id: int) -> Intermediary:
    return get_or_404(Intermediary, intermediary_id, mdt_id=current_user.mdt_id)


@bp.route("/intermediaries/<int:intermediary_id>")
@login_required
def intermediary(intermediary_id: int):
    return _intermediary_page(_item(intermediary_id))


def _monitoring_action(intermediary_id: int, which: str, work, success: str, anchor: str):
    item = _item(intermediary_id)
    if not policy.can(current_user, "intermediary.merge" if which == "merge" else "intermediary.edit", item):
        abort(403)
    return act(
        lambda: work(item),
        success=success,
        done_url=lambda result: url_for("directory.intermediary", intermediary_id=item.id, _anchor=anchor),
        page=lambda status, errors: _intermediary_page(item, status, errors, which),
    )


@bp.route("/intermediaries/<int:intermediary_id>/record", methods=["POST"])
@login_required
def intermediary_record(intermediary_id: int):
    return _monitoring_action(
        intermediary_id,
        "record",
        lambda item: monitoring.update_record(current_user, item, form_dict(request.form)),
        _("Record saved."),
        "record",
    )


@bp.route("/intermediaries/<int:intermediary_id>/relations", methods=["POST"])
@login_required
def intermediary_relation(intermediary_id: int):
    return _monitoring_action(
        intermediary_id,
        "relation",
        lambda item: monitoring.add_relation(current_user, item, form_dict(request.form)),
        _("Link saved."),
        "people",
    )


@bp.route("/intermediaries/<int:intermediary_id>/relations/<int:relation_id>/remove", methods=["POST"])
@login_required
def intermediary_relation_remove(intermediary_id: int, relation_id: int):
    return _monitoring_action(
        intermediary_id,
        "relation",
        lambda item: monitoring.remove_relation(current_user, item, relation_id),
        _("Link removed."),
        "people",
    )


@bp.route("/intermediaries/<int:intermediary_id>/evidence", methods=["POST"])
@login_required
def intermediary_evidence(intermediary_id: int):
    return _monitoring_action(
        intermediary_id,
        "evidence",
        lambda item: monitoring.add_evidence(current_user, item, form_dict(request.form)),
        _("Evidence recorded."),
        "monitoring",
    )


@bp.route("/intermediaries/<int:intermediary_id>/merge", methods=["POST"])
@login_required
def intermediary_merge(intermediary_id: int):
    def work(item):
        other = db.session.get(Intermediary, record_id(request.form.get("merged_id")) or 0)
        if other is None or other.mdt_id != item.mdt_id:
            refuse("merged_id", _("Choose from the list."))
        return monitoring.merge(current_user, item, other, request.form.get("note") or None)

    return _monitoring_action(
        intermediary_id, "merge", work, _("Merged: every link now names this entry."), "merge"
    )


@bp.route("/intermediary-merges/<int:merge_id>/undo", methods=["POST"])
@login_required
def intermediary_merge_undo(merge_id: int):
    done = db.session.get(IntermediaryMerge, merge_id)
    if done is None or done.mdt_id != current_user.mdt_id:
        abort(404)
    return _monitoring_action(
        done.kept_id,
        "merge",
        lambda item: monitoring.undo(current_user, merge_id),
        _("Merge undone: both entries are back as they were."),
        "merge",
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
