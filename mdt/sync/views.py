"""The installable app's sync (the same service as ``POST /api/v1/sync``, with the session and
its CSRF token), and the page where a clash between two changes is settled side by side."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from mdt import labels
from mdt.cases import services as cases
from mdt.errors import ServiceError
from mdt.sync import services as sync
from mdt.web import act, form_dict, require

bp = Blueprint("sync", __name__)


@bp.route("/field/sync", methods=["POST"])
@require("sync.use")
def web_sync():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ServiceError("The request body must be a JSON object.")
    return jsonify({"results": sync.apply_batch(current_user, data)})


def field_label(field: str) -> str:
    if field.startswith("person."):
        return labels.label("person_field", field.split(".", 1)[1])
    return labels.label("sync_field", field)


@bp.route("/cases/<int:case_id>/conflicts")
@login_required
def conflicts(case_id: int):
    case = cases.get_case(current_user, case_id, "case.edit")
    return render_template(
        "sync/conflicts.html",
        case=case,
        conflicts=sync.open_conflicts(current_user, case),
        field_label=field_label,
    )


@bp.route("/conflicts/<int:conflict_id>", methods=["POST"])
@login_required
def resolve(conflict_id: int):
    conflict = sync.get_conflict(current_user, conflict_id)
    case_id = conflict.case_id
    return act(
        lambda: sync.resolve(current_user, conflict, form_dict(request.form)),
        success=_("Kept."),
        done_url=url_for("sync.conflicts", case_id=case_id),
        page=lambda status, errors: (
            render_template(
                "sync/conflicts.html",
                case=conflict.case,
                conflicts=sync.open_conflicts(current_user, conflict.case),
                field_label=field_label,
                errors={conflict_id: sum(errors.values(), [])},
            ),
            status,
        ),
    )
