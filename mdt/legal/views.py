from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select

from mdt import clock, policy
from mdt.cases.models import Case
from mdt.directory.services import members
from mdt.documents import bundle, checklist
from mdt.documents import services as document_services
from mdt.errors import NotFound, ValidationError, get_or_404
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import ClosureDay, Deadline, DeadlineChange, DeadlineRule, Hearing, MatterEvent
from mdt.web import act, arg_ids, form_dict, form_view

bp = Blueprint("legal", __name__)


@bp.route("/matters")
@login_required
def index():
    return render_template(
        "legal/index.html",
        matters=legal.visible_matters(current_user),
        can_create=policy.can(current_user, "matter.create"),
    )


@bp.route("/matters/new", methods=["GET", "POST"])
@login_required
def new():
    if not policy.can(current_user, "matter.create"):
        abort(403)

    def work():
        data = form_dict(request.form)
        names = request.form.getlist("respondent_name")
        kinds = request.form.getlist("respondent_kind")
        data["respondents"] = [
            {"name": n, "kind": k} for n, k in zip(names, kinds, strict=False) if n.strip()
        ]
        return legal.create_matter(current_user, data)

    return form_view(
        initial=lambda: {"jurisdiction": current_user.mdt.country},
        work=work,
        render=lambda values, errors, status: (
            render_template("legal/new.html", values=values, errors=errors),
            status,
        ),
        success=_("Legal matter opened."),
        done_url=lambda matter: url_for("legal.show", matter_id=matter.id),
    )


def _matter_page(matter_id: int, status: int = 200, errors=None, form_name=None):
    matter = legal.read_matter(current_user, matter_id)
    deadlines = legal.matter_deadlines(matter)
    history: dict[int, list[DeadlineChange]] = {}
    if deadlines:
        for change in db.session.scalars(
            select(DeadlineChange)
            .where(DeadlineChange.deadline_id.in_([d.id for d in deadlines]))
            .order_by(DeadlineChange.at)
        ):
            history.setdefault(change.deadline_id, []).append(change)
    events = db.session.scalars(
        select(MatterEvent).where(MatterEvent.matter_id == matter.id).order_by(MatterEvent.occurred_on.desc())
    ).all()
    hearings = db.session.scalars(
        select(Hearing).where(Hearing.matter_id == matter.id).order_by(Hearing.starts_at)
    ).all()
    visible = [cl for cl in matter.claimants if policy.can(current_user, "case.view", cl.case)]
    linked = legal.linked_ids(matter)
    everyone = members(current_user.mdt_id)
    timeline = sorted(
        [(e.occurred_on, 0, "event", e) for e in events]
        + [(clock.local_date(h.starts_at, current_user.mdt), 1, "hearing", h) for h in hearings]
        + [(d.due_on, 2, "deadline", d) for d in deadlines],
        key=lambda t: (t[0], t[1]),
    )
    return render_template(
        "legal/show.html",
        matter=matter,
        deadlines=deadlines,
        history=history,
        events=events,
        hearings=hearings,
        claimants=visible,
        hidden=len(matter.claimants) - len(visible),
        totals=legal.totals(matter),
        shown_totals=legal.totals(matter, visible),
        linked=linked,
        timeline=timeline,
        attending=legal.attendance([h.id for h in hearings]),
        documents=document_services.of_matter(current_user, matter),
        checklist=checklist.check(current_user, matter, visible),
        bundles=bundle.of_matter(matter),
        members=everyone if policy.can(current_user, "matter.edit", matter) else [],
        can_edit=policy.can(current_user, "matter.edit", matter),
        lawyer_choices=[(m.id, m.name) for m in everyone if m.has_role("lawyer")],
        errors=errors or {},
        form_name=form_name,
        values=request.form,
        today=clock.court_today(matter.jurisdiction),
        zone=legal.COURT_ZONES[matter.jurisdiction],
    ), status


@bp.route("/matters/<int:matter_id>")
@login_required
def show(matter_id: int):
    return _matter_page(matter_id)


def _matter_action(matter_id: int, work, success, form_name: str):
    matter = legal.get_matter(current_user, matter_id)
    return act(
        lambda: work(matter),
        success=success,
        done_url=url_for("legal.show", matter_id=matter_id, _anchor=form_name),
        page=lambda status, errors: _matter_page(matter_id, status, errors, form_name),
    )


@bp.route("/matters/<int:matter_id>/events", methods=["POST"])
@login_required
def record_event(matter_id: int):
    return _matter_action(
        matter_id,
        lambda m: legal.record_event(current_user, m, form_dict(request.form)),
        _("Event recorded; its deadlines are below."),
        "events",
    )


@bp.route("/matters/<int:matter_id>/events/<int:event_id>/confirm", methods=["POST"])
@login_required
def confirm_event(matter_id: int, event_id: int):
    def work(matter):
        event = get_or_404(MatterEvent, event_id, matter_id=matter.id)
        legal.confirm_event(current_user, event)

    return _matter_action(matter_id, work, _("Trigger date confirmed."), "events")


@bp.route("/matters/<int:matter_id>/events/<int:event_id>/date", methods=["POST"])
@login_required
def change_event_date(matter_id: int, event_id: int):
    def work(matter):
        event = get_or_404(MatterEvent, event_id, matter_id=matter.id)
        legal.change_event_date(current_user, event, request.form.get("occurred_on"))

    return _matter_action(matter_id, work, _("Date corrected; open deadlines recomputed."), "events")


@bp.route("/matters/<int:matter_id>/deadlines/<int:deadline_id>/done", methods=["POST"])
@login_required
def deadline_done(matter_id: int, deadline_id: int):
    def work(matter):
        deadline = get_or_404(Deadline, deadline_id, matter_id=matter.id)
        legal.mark_done(current_user, deadline)

    return _matter_action(matter_id, work, _("Deadline marked done."), "deadlines")


@bp.route("/matters/<int:matter_id>/claimants", methods=["POST"])
@login_required
def add_claimant(matter_id: int):
    def work(matter):
        reference = (request.form.get("reference") or "").strip()
        case = db.session.scalars(
            select(Case).where(Case.mdt_id == current_user.mdt_id, Case.reference == reference)
        ).first()
        data = form_dict(request.form)
        data["case_id"] = case.id if case else None
        legal.add_claimant(current_user, matter, data)

    return _matter_action(matter_id, work, _("Claimant added."), "claimants")


@bp.route("/matters/<int:matter_id>/claimants/<int:claimant_id>", methods=["POST"])
@login_required
def update_claimant(matter_id: int, claimant_id: int):
    def work(matter):
        claimant = next((c for c in matter.claimants if c.id == claimant_id), None)
        if claimant is None or not policy.can(current_user, "case.view", claimant.case):
            raise NotFound("No such claimant.")
        data: dict[str, object] = {
            k: request.form.get(k) for k in ("status", "amount_awarded", "amount_received")
        }
        data["debt_relief"] = {
            "loan_cancelled": "loan_cancelled" in request.form,
            "collateral_returned": "collateral_returned" in request.form,
        }
        legal.update_claimant(current_user, matter, claimant, data)

    return _matter_action(matter_id, work, _("Claimant updated."), "claimants")


PASTE_INTO = {"awarded": "amount_awarded", "received": "amount_received"}


def _changed_fields(form, cid: int) -> dict:
    """A row's fields that differ from what the page showed (``was-*``): a row left as it was
    does not overwrite a colleague's change saved meanwhile."""
    now = {
        "status": form.get(f"status-{cid}") or "",
        "amount_awarded": form.get(f"awarded-{cid}") or "",
        "amount_received": form.get(f"received-{cid}") or "",
        "loan_cancelled": "on" if f"loan-{cid}" in form else "",
        "collateral_returned": "on" if f"collateral-{cid}" in form else "",
    }
    shown = {key: form.get(f"was-{key}-{cid}") for key in now}
    changed = {key: value for key, value in now.items() if shown[key] is None or value != shown[key]}
    data: dict = {k: v for k, v in changed.items() if k in ("status", "amount_awarded", "amount_received")}
    relief = {k: v == "on" for k, v in changed.items() if k in ("loan_cancelled", "collateral_returned")}
    if relief:
        data["debt_relief"] = relief
    return data


def _claimant_rows(form) -> dict[int, dict]:
    """The claimants table as sent: each row's fields, then the values "for the selected rows"
    and a pasted spreadsheet column laid over them (when the page's script has not done it
    already). Blank pasted lines leave their row as it is; more lines than rows is refused."""
    ids = arg_ids("row", form)
    chosen = set(arg_ids("selected", form))
    rows: dict[int, dict] = {cid: _changed_fields(form, cid) for cid in ids}
    targets = [cid for cid in ids if cid in chosen]
    for name, field in (
        ("bulk_status", "status"),
        ("bulk_awarded", "amount_awarded"),
        ("bulk_received", "amount_received"),
    ):
        value = (form.get(name) or "").strip()
        if value and not targets:
            raise ValidationError("No row selected.", {name: [_("Select the rows this applies to.")]})
        for cid in targets if value else ():
            rows[cid][field] = value
    lines = (form.get("paste") or "").strip("\r\n").splitlines()
    if any(line.strip() for line in lines):
        into = targets or ids
        if len(lines) > len(into):
            raise ValidationError(
                "Too many lines pasted.",
                {
                    "paste": [
                        _(
                            "%(n)s lines pasted for %(m)s rows: paste one amount per row.",
                            n=len(lines),
                            m=len(into),
                        )
                    ]
                },
            )
        field = PASTE_INTO.get(form.get("paste_into") or "", "amount_awarded")
        for cid, line in zip(into, lines, strict=False):
            cell = line.split("\t")[0].strip()
            if cell:
                rows[cid][field] = cell
    return rows


@bp.route("/matters/<int:matter_id>/claimants/table", methods=["POST"])
@login_required
def update_claimants(matter_id: int):
    """The claimants table in one save (issue 13: forty claimants, one form each)."""
    return _matter_action(
        matter_id,
        lambda matter: legal.update_claimants(current_user, matter, _claimant_rows(request.form)),
        lambda n: ngettext("%(num)s claimant updated.", "%(num)s claimants updated.", n),
        "claimants",
    )


@bp.route("/matters/<int:matter_id>/hearings", methods=["POST"])
@login_required
def schedule_hearing(matter_id: int):
    return _matter_action(
        matter_id,
        lambda m: legal.schedule_hearing(current_user, m, form_dict(request.form)),
        _("Hearing scheduled."),
        "hearings",
    )


@bp.route("/matters/<int:matter_id>/hearings/<int:hearing_id>", methods=["POST"])
@login_required
def update_hearing(matter_id: int, hearing_id: int):
    def work(matter):
        hearing = get_or_404(Hearing, hearing_id, matter_id=matter.id)
        data = {k: v for k, v in form_dict(request.form).items() if v != ""}
        legal.update_hearing(current_user, hearing, data)

    return _matter_action(matter_id, work, _("Hearing updated."), "hearings")


@bp.route("/matters/<int:matter_id>/supervisor", methods=["POST"])
@login_required
def supervisor(matter_id: int):
    return _matter_action(
        matter_id,
        lambda m: legal.update_matter(
            current_user, m, {"supervising_lawyer_id": request.form.get("supervising_lawyer_id") or None}
        ),
        _("Supervising lawyer saved."),
        "supervisor",
    )


@bp.route("/matters/<int:matter_id>/hearings/<int:hearing_id>/support", methods=["POST"])
@login_required
def hearing_support(matter_id: int, hearing_id: int):
    def work(matter):
        hearing = get_or_404(Hearing, hearing_id, matter_id=matter.id)
        support = [
            {
                "id": line.id,
                "owner_id": request.form.get(f"owner_{line.id}"),
                "done": f"done_{line.id}" in request.form,
            }
            for line in hearing.support
        ]
        legal.update_support(
            current_user, hearing, {"support": support, "attending": request.form.getlist("attending")}
        )

    return _matter_action(matter_id, work, _("Court support saved."), "hearings")


@bp.route("/my-legal")
@login_required
def agenda():
    deadlines, hearings = legal.my_agenda(current_user)
    return render_template(
        "legal/agenda.html", deadlines=deadlines, hearings=hearings, court_today=clock.court_today
    )


# ---------------------------------------------------------------- admin: rules and calendars


@bp.route("/admin/rules")
@login_required
def rules():
    jurisdiction = request.args.get("jurisdiction")
    stmt = select(DeadlineRule).order_by(DeadlineRule.jurisdiction, DeadlineRule.code)
    if jurisdiction in ("TH", "PH"):
        stmt = stmt.where(DeadlineRule.jurisdiction == jurisdiction)
    closures = db.session.scalars(select(ClosureDay).order_by(ClosureDay.day.desc())).all()
    return render_template(
        "legal/rules.html",
        rules=db.session.scalars(stmt).all(),
        closures=closures,
        jurisdiction=jurisdiction,
        is_admin=policy.can(current_user, "legal.rules"),
        values=request.form,
        errors={},
    )


@bp.route("/admin/rules/new", methods=["GET", "POST"])
@login_required
def new_rule():
    return edit_rule(None)


@bp.route("/admin/rules/<int:rule_id>", methods=["GET", "POST"])
@login_required
def edit_rule(rule_id: int | None):
    if not policy.can(current_user, "legal.rules"):
        abort(403)
    rule = db.session.get(DeadlineRule, rule_id) if rule_id is not None else None
    if rule_id is not None and rule is None:
        raise NotFound("No such rule.")

    def initial():
        if rule is None:
            return {"unit": "days", "roll": "forward", "confidence": "U", "active": True, "offset_days": 0}
        return {
            k: getattr(rule, k)
            for k in (
                "title",
                "citation",
                "amount",
                "unit",
                "offset_days",
                "roll",
                "confidence",
                "notes",
                "active",
            )
        }

    def work():
        data = form_dict(request.form, lists=("matter_kinds",))
        data["active"] = "active" in request.form
        return legal.save_rule(current_user, data, rule)[1]

    def render(values, errors, status):
        kinds = (
            request.form.getlist("matter_kinds")
            if request.method == "POST"
            else (rule.matter_kinds if rule else [])
        )
        return render_template(
            "legal/rule_form.html", rule=rule, values=values, kinds=kinds, errors=errors
        ), status

    return form_view(
        initial=initial,
        render=render,
        work=work,
        done_url=url_for("legal.rules"),
        success=lambda moved: _("Rule saved; %(n)s open deadline(s) recomputed.", n=len(moved)),
    )


def _rules_page(status: int, errors: dict):
    closures = db.session.scalars(select(ClosureDay).order_by(ClosureDay.day.desc())).all()
    rules_ = db.session.scalars(select(DeadlineRule).order_by(DeadlineRule.code)).all()
    return render_template(
        "legal/rules.html",
        rules=rules_,
        closures=closures,
        jurisdiction=None,
        is_admin=True,
        values=request.form,
        errors=errors,
    ), status


@bp.route("/admin/closures", methods=["POST"])
@login_required
def add_closure():
    if not policy.can(current_user, "legal.rules"):
        abort(403)

    return act(
        lambda: legal.save_closure(current_user, form_dict(request.form))[1],
        success=lambda moved: _("Court calendar corrected; %(n)s open deadline(s) moved.", n=len(moved)),
        page=_rules_page,
        done_url=url_for("legal.rules", _anchor="closures"),
    )


@bp.route("/admin/closures/<int:closure_id>/remove", methods=["POST"])
@login_required
def remove_closure(closure_id: int):
    if not policy.can(current_user, "legal.rules"):
        abort(403)
    closure = get_or_404(ClosureDay, closure_id)
    moved = legal.remove_closure(current_user, closure)
    flash(_("Correction removed; %(n)s open deadline(s) moved.", n=len(moved)), "success")
    return redirect(url_for("legal.rules", _anchor="closures"))
