"""The served OpenAPI 3.1 document: the JSON API as implemented."""

from __future__ import annotations

from mdt.cases.models import INTERMEDIARY_KINDS, SEXES, SOURCES, STAGES
from mdt.directory.models import AGENCY_KINDS, AGENCY_LEVELS, ROLES


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


PROBLEM = {"description": "Problem", "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _op(summary: str, *, ok: str = "200", response: dict | None = None, request: dict | None = None,
        params: list | None = None, errors=("401", "404")) -> dict:
    op = {"summary": summary, "responses": {ok: {"description": "OK", **(_json(response) if response else {})}}}
    for code in errors:
        op["responses"][code] = PROBLEM
    if request:
        op["requestBody"] = {"required": True, **_json(request)}
        for code in ("400", "422"):
            op["responses"].setdefault(code, PROBLEM)
    if params:
        op["parameters"] = params
    return op


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def _q(name: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema or {"type": "string"}}


PAGING = [_q("page", {"type": "integer", "minimum": 1}),
          _q("per_page", {"type": "integer", "minimum": 1, "maximum": 200})]


def _list_of(name: str) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
        "items": {"type": "array", "items": _ref(name)}, "page": {"type": "integer"},
        "per_page": {"type": "integer"}, "total": {"type": "integer"}}}


def document() -> dict:
    enum = lambda values: {"type": "string", "enum": list(values)}  # noqa: E731
    nullable_str = {"type": ["string", "null"]}
    money = {"type": ["string", "null"], "pattern": r"^\d+\.\d{2}$"}
    schemas = {
        "Problem": {"type": "object", "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
        "Agency": {"type": "object", "required": ["id", "name", "kind", "level"], "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "kind": enum(AGENCY_KINDS),
            "level": enum(AGENCY_LEVELS), "area": nullable_str, "parent_id": {"type": ["integer", "null"]},
            "contact": nullable_str, "focal_person_id": {"type": ["integer", "null"]}}},
        "Member": {"type": "object", "required": ["id", "email", "name", "agency_id", "roles", "active"],
                   "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
            "agency_id": {"type": "integer"}, "roles": {"type": "array", "items": enum(ROLES)},
            "active": {"type": "boolean"}}},
        "Intermediary": {"type": "object", "required": ["name", "kind"], "properties": {
            "name": {"type": "string"}, "kind": enum(INTERMEDIARY_KINDS)}},
        "Episode": {"type": "object", "properties": {
            "destination_country": {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"},
            "sector": nullable_str, "job": nullable_str,
            "departed_on": {"type": ["string", "null"], "format": "date"},
            "returned_on": {"type": ["string", "null"], "format": "date"},
            "channel": enum(("formal", "informal", "unknown")), "currency": {"type": "string"},
            "recruitment_fee": money, "debt_amount": money, "wages_owed": money,
            "debt_lender": nullable_str, "debt_collateral": nullable_str,
            "documents_withheld": nullable_str,
            "intermediaries": {"type": "array", "items": _ref("Intermediary")}}},
        "PersonIn": {"type": "object", "required": ["given_name", "sex"], "properties": {
            "given_name": {"type": "string"}, "family_name": {"type": "string"}, "sex": enum(SEXES),
            "date_of_birth": {"type": "string", "format": "date"}, "phone": {"type": "string"},
            "home_area": {"type": "string"}, "languages": {"type": "string"}}},
        "Person": {"type": "object", "properties": {
            "given_name": {"type": "string"}, "family_name": {"type": "string"}, "sex": enum(SEXES),
            "date_of_birth": {"type": ["string", "null"], "format": "date"},
            "age": {"type": ["integer", "null"]}, "is_minor": {"type": "boolean"},
            "phone": nullable_str, "home_area": nullable_str, "languages": nullable_str}},
        "CaseIn": {"type": "object", "required": ["person", "source"], "properties": {
            "person": _ref("PersonIn"), "source": enum(SOURCES),
            "lead_agency_id": {"type": "integer"}, "summary": {"type": "string"},
            "episodes": {"type": "array", "items": _ref("Episode")}}},
        "Case": {"type": "object", "required": ["id", "reference", "stage"], "properties": {
            "id": {"type": "integer"}, "reference": {"type": "string"}, "stage": enum(STAGES),
            "full": {"type": "boolean", "description": "false: a coordinator's summary only"},
            "source": enum(SOURCES), "summary": nullable_str, "person": _ref("Person"),
            "lead_agency": {"type": ["object", "null"]},
            "episodes": {"type": "array", "items": _ref("Episode")},
            "opened_on": {"type": "string", "format": "date"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"}}},
        "AuditEvent": {"type": "object", "properties": {
            "at": {"type": "string", "format": "date-time"}, "actor": {"type": ["object", "null"]},
            "action": {"type": "string"}, "detail": {"type": "object"}}},
    }
    case_filters = [_q("stage", enum(STAGES)), _q("q"), _q("agency_id", {"type": "integer"}),
                    _q("district"), _q("destination"), _q("sector"),
                    _q("minor", {"type": "boolean"}), _q("mine", {"type": "boolean"})] + PAGING
    paths = {
        "/api/v1/health": {"get": {**_op("Liveness", response={"type": "object"}, errors=()),
                                   "security": []}},
        "/api/v1/openapi.json": {"get": {**_op("This document", response={"type": "object"}, errors=()),
                                         "security": []}},
        "/api/v1/me": {"get": _op("The caller", response={"type": "object"}, errors=("401",))},
        "/api/v1/agencies": {
            "get": _op("Agencies of the caller's MDT", response=_list_of("Agency"), params=PAGING),
            "post": _op("Create an agency (admin)", ok="201", response=_ref("Agency"),
                        request=_ref("Agency"), errors=("401", "403")),
        },
        "/api/v1/members": {
            "get": _op("Members of the caller's MDT", response=_list_of("Member"), params=PAGING),
            "post": _op("Create a member (admin); takes password", ok="201", response=_ref("Member"),
                        request=_ref("Member"), errors=("401", "403")),
        },
        "/api/v1/cases": {
            "get": _op("Cases visible to the caller", response=_list_of("Case"), params=case_filters),
            "post": _op("Register a returnee and open a case", ok="201", response=_ref("Case"),
                        request=_ref("CaseIn")),
        },
        "/api/v1/cases/{id}": {
            "get": _op("One case (audited read)", response=_ref("Case"), params=[_id("id")]),
            "patch": _op("Change a case", response=_ref("Case"), request={"type": "object"},
                         params=[_id("id")], errors=("401", "403", "404")),
        },
        "/api/v1/cases/{id}/stage": {"post": _op(
            "Move the stage; closing needs a reason; closed -> active reopens",
            response=_ref("Case"), params=[_id("id")], errors=("401", "403", "404", "409"),
            request={"type": "object", "required": ["to"], "properties": {
                "to": enum(STAGES), "reason": {"type": "string"}}})},
        "/api/v1/cases/{id}/notes": {
            "get": _op("Notes the caller may read", response={"type": "object"}, params=[_id("id")]),
            "post": _op("Add a note", ok="201", response={"type": "object"}, params=[_id("id")],
                        errors=("401", "403", "404"),
                        request={"type": "object", "required": ["body"], "properties": {
                            "body": {"type": "string"}, "restricted": {"type": "boolean"}}}),
        },
        "/api/v1/cases/{id}/episodes": {"post": _op(
            "Add a migration episode", ok="201", response=_ref("Case"), request=_ref("Episode"),
            params=[_id("id")], errors=("401", "403", "404"))},
        "/api/v1/cases/{id}/audit": {"get": _op(
            "The case's audit trail", params=[_id("id")], errors=("401", "403", "404"),
            response={"type": "object", "properties": {"items": {"type": "array", "items": _ref("AuditEvent")}}})},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "MDT Case Tracker API", "version": "1"},
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }
