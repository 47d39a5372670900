"""The coordinators' triage queue, and the pages where a village volunteer sends an intake or a
visit report and follows what became of it."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mdt import formats, labels, policy
from mdt.cases.models import SOURCES
from mdt.cases.views import _flat_errors, _intake_data
from mdt.errors import NotFound
from mdt.triage import services as triage
from mdt.triage.models import STATUSES
from mdt.visits.views import LISTS, choices
from mdt.web import act, form_dict, form_view, require

bp = Blueprint("triage", __name__)


@bp.route("/triage")
@require("triage.view")
def queue():
    status = request.args.get("status", "open")
    if status not in ("open",) + STATUSES:
        status = "open"
    return render_template("triage/queue.html", items=triage.queue(current_user, status), status=status)


def _item_page(item, status: int = 200, form_name: str = "", errors: dict | None = None):
    return render_template(
        "triage/item.html",
        item=item,
        fn=form_name,
        values=request.form if form_name else {},
        errors=errors or {},
        sexes=labels.SEX.items(),
    ), status


@bp.route("/triage/<int:triage_id>")
@require("triage.view")
def item(triage_id: int):
    found = triage.get(current_user, triage_id)
    triage.look_at(current_user, found)
    return _item_page(found)


def _decide(triage_id: int, form_name: str, work, success):
    found = triage.get(current_user, triage_id)
    return act(
        lambda: work(found),
        success=success,
        done_url=lambda result: url_for("triage.queue"),
        page=lambda status, errors: _item_page(found, status, form_name, _flat_errors(errors)),
        refusal_field="_",
    )


@bp.route("/triage/<int:triage_id>/accept", methods=["POST"])
@require("triage.view")
def accept(triage_id: int):
    return _decide(
        triage_id,
        "accept",
        lambda it: triage.accept(current_user, it, form_dict(request.form)),
        _("Accepted."),
    )


@bp.route("/triage/<int:triage_id>/merge", methods=["POST"])
@require("triage.view")
def merge(triage_id: int):
    return _decide(
        triage_id,
        "merge",
        lambda it: triage.merge(current_user, it, form_dict(request.form)),
        _("Added to the case."),
    )


@bp.route("/triage/<int:triage_id>/decline", methods=["POST"])
@require("triage.view")
def decline(triage_id: int):
    return _decide(
        triage_id,
        "decline",
        lambda it: triage.decline(current_user, it, form_dict(request.form)),
        _("Declined."),
    )


# ---------------------------------------------------------------- a volunteer's side


@bp.route("/submissions")
@require("triage.submit")
def mine():
    return render_template("triage/mine.html", items=triage.mine(current_user))


@bp.route("/submissions/intake", methods=["GET", "POST"])
@require("triage.submit")
def new_intake():
    def render(values, errors, status):
        return render_template(
            "triage/new_intake.html", values=values, errors=_flat_errors(errors), sources=SOURCES
        ), status

    return form_view(
        initial=lambda: {"source": "watchdog"},
        render=render,
        work=lambda: triage.submit(current_user, "intake", _intake_data(request.form)),
        success=_("Sent to the coordinators. You can follow it under 'What I sent'."),
        done_url=url_for("triage.mine"),
    )


@bp.route("/submissions/visit", methods=["GET", "POST"])
@require("triage.submit")
def new_visit():
    intakes = [i for i in triage.mine(current_user) if i.kind == "intake" and i.status != "declined"]
    if not intakes:
        raise NotFound("Send the person's intake first.")

    def render(values, errors, status):
        return render_template(
            "triage/new_visit.html", values=values, errors=errors, intakes=intakes, **choices()
        ), status

    def work():
        data = form_dict(request.form, LISTS)
        raw = data.pop("intake_id", "")
        data["intake_id"] = int(raw) if str(raw).isdigit() else None
        return triage.submit(current_user, "visit", data)

    return form_view(
        initial=lambda: {"intake_id": request.args.get("intake", "")},
        render=render,
        work=work,
        success=_("Visit report sent to the coordinators."),
        done_url=url_for("triage.mine"),
    )


def who(item) -> str:
    """How a submission names the person, for the volunteer's own list (while it waits)."""
    person = (item.data or {}).get("person") or {}
    return " ".join(v for v in (person.get("given_name"), person.get("family_name")) if v)


@bp.app_template_global()
def triage_name(item) -> str:
    """The person's name as the submission gives it: to coordinators, and to the volunteer who
    sent it only while it waits (once accepted, the volunteer sees its status, not its content)."""
    target = item.parent if item.kind == "visit" else item
    if item.kind == "complaint" or target is None:
        return ""
    if policy.can(current_user, "triage.content", target) or policy.can(
        current_user, "triage.own.content", target
    ):
        return who(target)
    return ""


@bp.app_template_filter("intake_choice")
def intake_choice(item) -> tuple[int, str]:
    name = triage_name(item)
    return item.id, f"#{item.id} · {name}" if name else f"#{item.id} · {label_day(item)}"


def label_day(item) -> str:
    return formats.date(item.created_at)
