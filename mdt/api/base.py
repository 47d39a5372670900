"""The API blueprint (flask-smorest): bearer-token authentication, no session cookie, and what
every endpoint module shares: the request body documented with the schema the service validates
it with, list pages in the contract's shape, and problem+json answers (RFC 9457) for errors. The
OpenAPI document is generated from these schemas (``/api/v1/openapi.json``), never by hand."""

from __future__ import annotations

from functools import cache

import marshmallow as ma
from flask import g, request, session
from flask_login import login_user
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, fields, post_load, validate

from mdt import policy
from mdt.auth.services import member_for_token
from mdt.errors import ServiceError, problem
from mdt.extensions import csrf, db
from mdt.schema import Schema

api_bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="The JSON API (../shared/API.md). Bearer tokens; problem+json errors.",
)
csrf.exempt(api_bp)

OPEN_ENDPOINTS = {"api.health"}
MAX_PER_PAGE = 200


class ProblemSchema(Schema):
    """An error (RFC 9457): ``errors`` holds the messages of each invalid field."""

    type = fields.String()
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class BadJson(ServiceError):
    status = 400
    title = "Bad JSON"


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
    if not policy.can(member, "page.open", request.endpoint):
        return problem(403, "Forbidden", "This account sees the figures and the directory only.")
    return None


@api_bp.after_request
def no_session(response):
    session.modified = False
    return response


def body(*, optional: bool = False) -> dict:
    """The request's JSON object (an empty one when ``optional`` and nothing was sent)."""
    data = request.get_json(silent=True)
    if data is None and optional and not request.get_data():
        return {}
    if not isinstance(data, dict):
        raise BadJson("The request body must be a JSON object.")
    return data


def accepts(schema, *, required: bool = True):
    """Document the JSON request body with ``schema``: the service that receives it validates it
    with the same schema (``mdt.schema.load``)."""
    return api_bp.doc(requestBody={"required": required, "content": {"application/json": {"schema": schema}}})


def problems(*codes: int):
    """Document the problem+json answers an endpoint may give."""

    def decorate(view):
        for code in codes:
            view = api_bp.alt_response(code, response="Problem")(view)
        return view

    return decorate


@cache
def page_of(item_schema: type[ma.Schema], *, keyset: bool = False) -> type[ma.Schema]:
    """The list shape of the contract: ``{items, page, per_page, total}``; ``keyset`` adds
    ``next``, where this page ends, for ``?after=`` (lists that grow to millions of rows)."""
    shape: dict[str, fields.Field] = {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    }
    if keyset:
        shape["next"] = fields.String(
            required=True,
            allow_none=True,
            metadata={
                "description": "give it as ?after= (with the same filters) for the next page, found "
                "directly however deep; null on the last page or when the list pages by number"
            },
        )
    return Schema.from_dict(shape, name=f"{item_schema.__name__.removesuffix('Schema')}Page")


@cache
def items_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """A whole list (not paged): ``{items}``."""
    return Schema.from_dict(
        {"items": fields.List(fields.Nested(item_schema), required=True)},
        name=f"{item_schema.__name__.removesuffix('Schema')}List",
    )


class PageArgs(Schema):
    """``?page=1&per_page=50`` (at most 200)."""

    class Meta:
        unknown = EXCLUDE

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=10**6),
        metadata={"description": "at most 200 are given"},
    )

    @post_load
    def _at_most(self, data, **_kwargs):
        data["per_page"] = min(data["per_page"], MAX_PER_PAGE)
        return data


def paginate(stmt, page: int, per_page: int, shape=lambda row: row) -> dict:
    """One page of ``stmt`` in the contract's shape; ``shape`` turns each row into what the item
    schema dumps."""
    found = db.paginate(stmt, page=page, per_page=per_page, max_per_page=MAX_PER_PAGE, error_out=False)
    return {
        "items": [shape(row) for row in found.items],
        "page": found.page,
        "per_page": found.per_page,
        "total": found.total,
    }
