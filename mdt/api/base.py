"""The API blueprint: bearer-token authentication, no session cookie, and the helpers every
endpoint module shares."""

from __future__ import annotations

from flask import Blueprint, g, request, session
from flask_login import login_user

from mdt.auth.services import member_for_token
from mdt.errors import problem
from mdt.extensions import csrf

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(api_bp)

OPEN_ENDPOINTS = {"api.health", "api.openapi"}


@api_bp.before_request
def authenticate():
    g.audit_via = "api"
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    member = member_for_token(raw.strip()) if scheme.lower() == "bearer" else None
    if member is None:
        response = problem(401, "Unauthorized", "A valid bearer token is required.")
        response.headers["WWW-Authenticate"] = 'Bearer realm="mdt"'
        return response
    login_user(member)  # for this request only: the API sets no session cookie
    g.api_member = member
    return None


@api_bp.after_request
def no_session(response):
    session.modified = False
    return response
