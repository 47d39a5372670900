"""The follow-up visit form, and the visit schedule set from the case page."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import clock, labels
from mdt.cases import services as cases
from mdt.cases.views import case_action
from mdt.visits import services as visits
from mdt.visits.models import NEEDS, SEEN, WELLBEING
from mdt.web import form_dict, form_view

bp = Blueprint("visits", __name__)
LISTS = ("seen", "needs")


def choices() -> dict:
    return {
        "seen": [(k, labels.label("visit_seen", k)) for k in SEEN],
        "needs": [(k, labels.label("visit_need", k)) for k in NEEDS],
        "wellbeing": [(k, labels.label("wellbeing", k)) for k in WELLBEING],
    }


@bp.route("/cases/<int:case_id>/visits/new", methods=["GET", "POST"])
@login_required
def new(case_id: int):
    case = cases.get_case(current_user, case_id, "visit.add")

    def render(values, errors, status):
        return render_template(
            "visits/new.html", case=case, values=values, errors=errors, **choices()
        ), status

    return form_view(
        initial=lambda: {"visited_on": clock.today(case.mdt).isoformat()},
        render=render,
        work=lambda: visits.add_visit(current_user, case, form_dict(request.form, LISTS)),
        success=_("Visit recorded."),
        done_url=url_for("cases.show", case_id=case.id, _anchor="visits"),
    )


@bp.route("/cases/<int:case_id>/visits/schedule", methods=["POST"])
@login_required
def schedule(case_id: int):
    return case_action(
        case_id,
        "visit.schedule",
        lambda case: visits.set_schedule(current_user, case, {"months": request.form.getlist("months")}),
        _("Visit schedule set."),
        anchor="visits",
        form_name="schedule",
        refusal_field="months",
    )
