"""The public complaint form (``/report``), reachable without an account and linked from the
sign-in page, in Thai, English, Burmese, Khmer, Lao and Filipino; and the status check with the
tracking code and phrase. Nothing here reads a session's account: a signed-in member sees the
same page as anyone."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import force_locale

from mdt import labels
from mdt.auth.throttle import client_address
from mdt.errors import ValidationError
from mdt.transaction import rollback
from mdt.triage import services as triage
from mdt.triage.models import CONTACT_WAYS
from mdt.triage.services import TooMany

bp = Blueprint("report", __name__)

LANGUAGE_NAMES = {
    "th": "ไทย",
    "en": "English",
    "my": "မြန်မာ",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
    "fil": "Filipino",
}


def language() -> str:
    chosen = request.values.get("language") or request.values.get("lang")
    if chosen in LANGUAGE_NAMES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGE_NAMES)) or "th"


def _page(template: str, status: int = 200, **context):
    lang = language()
    with force_locale(lang):
        html = render_template(
            template,
            lang=lang,
            language_names=LANGUAGE_NAMES,
            contact_ways=CONTACT_WAYS,
            **context,
        )
    return html, status


@bp.route("/report", methods=["GET", "POST"])
def form():
    values = request.form if request.method == "POST" else {}
    context: dict = {
        "agencies": triage.public_agencies(),
        "teams": triage.teams(),
        "values": values,
        "errors": {},
    }
    if request.method != "POST":
        return _page("report/form.html", **context)
    data = request.form.to_dict()
    data.pop("csrf_token", None)
    data["language"] = language()
    try:
        _item, code, phrase = triage.complain(data, client_address())
    except ValidationError as exc:
        rollback()
        return _page("report/form.html", 422, **(context | {"errors": exc.errors}))
    except TooMany:
        rollback()
        return _page("report/form.html", 429, **(context | {"too_many": True}))
    return _page("report/sent.html", 201, code=code, phrase=phrase)


@bp.route("/report/status", methods=["GET", "POST"])
def status():
    if request.method != "POST":
        return _page("report/status.html", values={})
    try:
        found = triage.complaint_status(
            request.form.get("code", ""), request.form.get("phrase", ""), client_address()
        )
    except TooMany:
        rollback()
        return _page("report/status.html", 429, values=request.form, too_many=True)
    return _page("report/status.html", 200 if found else 404, values=request.form, found=found, asked=True)


@bp.app_template_filter("contact_choice")
def contact_choice(way: str) -> tuple[str, str]:
    return way, labels.label("contact_way", way)
