"""What anyone may do without an account: send a complaint, and check its status with the code
and phrase it got. No bearer token; rate limited per network address (``mdt.triage``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request
from flask_smorest import Blueprint

from mdt.auth.throttle import client_address
from mdt.errors import problem
from mdt.extensions import csrf
from mdt.triage import services as triage
from mdt.triage.schemas import ComplaintReceipt, ComplaintSchema, ComplaintStatus, ComplaintStatusQuery

public_bp = Blueprint(
    "public",
    __name__,
    url_prefix="/public",
    description="Without an account: the complaint form's API. Rate limited per address.",
)
csrf.exempt(public_bp)


def _sent() -> dict:
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


@public_bp.post("/complaints")
@public_bp.doc(
    security=[],
    requestBody={
        "required": True,
        "content": {
            "application/json": {"schema": ComplaintSchema},
            "application/x-www-form-urlencoded": {"schema": ComplaintSchema},
        },
    },
)
@public_bp.response(201, ComplaintReceipt)
@public_bp.alt_response(403, response="Problem")
@public_bp.alt_response(422, response="Problem")
@public_bp.alt_response(429, response="Problem")
def send_complaint():
    """Send a complaint (only ``what_happened`` is required); the answer's tracking code and
    phrase check its status later, and tell nothing else."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        # Another site's page posting through a visitor's browser (this API takes no CSRF token).
        return problem(403, "Forbidden", "Complaints are sent from this site's form or by an API client.")
    _item, code, phrase = triage.complain(_sent(), client_address())
    return {"tracking_code": code, "phrase": phrase}


@public_bp.get("/complaints/status")
@public_bp.doc(security=[])
@public_bp.arguments(ComplaintStatusQuery, location="query")
@public_bp.response(200, ComplaintStatus)
@public_bp.alt_response(404, response="Problem")
@public_bp.alt_response(422, response="Problem")
@public_bp.alt_response(429, response="Problem")
def complaint_status(args: dict):
    """The status only (received, being looked at, closed); 404 when the code and phrase do not
    match, whether the code exists or not."""
    status = triage.complaint_status(args["code"], args["phrase"], client_address())
    if status is None:
        return problem(404, "Not Found", "No complaint with this code and phrase.")
    return {"status": status}
