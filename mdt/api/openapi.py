"""The served OpenAPI 3.1 document: the JSON API as implemented."""

from __future__ import annotations

from mdt.cases.models import INTERMEDIARY_KINDS, SEXES, SOURCES, STAGES
from mdt.cases.models import PLAN_SERVICES
from mdt.directory.models import AGENCY_KINDS, AGENCY_LEVELS, ROLES
from mdt.referrals.models import (CONSENT_PURPOSES, OUTCOMES, REFERRAL_STATUSES, SHARE_PARTS,
                                  URGENCIES)


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
        "ConsentIn": {"type": "object", "required": ["purpose", "given"], "properties": {
            "purpose": enum(CONSENT_PURPOSES), "agency_id": {"type": "integer",
                                                            "description": "required for share_with_agency"},
            "given": {"type": "boolean"}, "expires_on": {"type": "string", "format": "date"},
            "language": {"type": "string"}, "interpreter": {"type": "string"},
            "scope": {"type": "array", "items": enum(SHARE_PARTS)},
            "risks_acknowledged": {"type": "boolean",
                                   "description": "required for police and prosecutors"}}},
        "Consent": {"type": "object", "properties": {
            "id": {"type": "integer"}, "case_id": {"type": "integer"}, "purpose": enum(CONSENT_PURPOSES),
            "agency_id": {"type": ["integer", "null"]}, "given": {"type": "boolean"},
            "recorded_on": {"type": "string", "format": "date"},
            "expires_on": {"type": ["string", "null"], "format": "date"},
            "scope": {"type": "array", "items": enum(SHARE_PARTS)},
            "withdrawn_at": {"type": ["string", "null"], "format": "date-time"}}},
        "ReferralIn": {"type": "object", "required": ["case_id", "to_agency_id", "service"], "properties": {
            "case_id": {"type": "integer"}, "to_agency_id": {"type": "integer"},
            "service": enum(PLAN_SERVICES), "reason": {"type": "string"},
            "respond_by": {"type": "string", "format": "date"}, "urgency": enum(URGENCIES),
            "plan_item_id": {"type": "integer"}}},
        "Referral": {"type": "object", "required": ["id", "status"], "properties": {
            "id": {"type": "integer"}, "case_id": {"type": "integer"},
            "case_reference": {"type": "string"}, "from_agency_id": {"type": "integer"},
            "to_agency_id": {"type": "integer"}, "service": enum(PLAN_SERVICES),
            "reason": nullable_str, "urgency": enum(URGENCIES),
            "respond_by": {"type": "string", "format": "date"}, "status": enum(REFERRAL_STATUSES),
            "outcome": {"type": ["string", "null"], "enum": [*OUTCOMES, None]},
            "accompanied": {"type": ["boolean", "null"]},
            "instalments": {"type": "array", "items": {"type": "object"}}}},
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
    referral_op = lambda summary, request=None, errors=("401", "403", "404", "409"): _op(  # noqa: E731
        summary, response=_ref("Referral"), params=[_id("id")], errors=errors,
        request=request or {"type": "object"})
    paths.update({
        "/api/v1/cases/{id}/consents": {
            "get": _op("Consents recorded on the case", params=[_id("id")],
                       response={"type": "object", "properties": {"items": {"type": "array", "items": _ref("Consent")}}},
                       errors=("401", "403", "404")),
            "post": _op("Record the person's consent or refusal", ok="201", response=_ref("Consent"),
                        request=_ref("ConsentIn"), params=[_id("id")], errors=("401", "403", "404")),
        },
        "/api/v1/consents/{id}/withdraw": {"post": _op(
            "Withdraw a consent: pending referrals relying on it are withdrawn and the agency loses "
            "access at once", response=_ref("Consent"), params=[_id("id")],
            request={"type": "object", "properties": {"reason": {"type": "string"}}},
            errors=("401", "403", "404", "409"))},
        "/api/v1/referrals": {
            "get": _op("Incoming or outgoing referrals of the caller's agency",
                       response=_list_of("Referral"),
                       params=[_q("status", enum(REFERRAL_STATUSES)),
                               _q("direction", enum(("incoming", "outgoing")))] + PAGING,
                       errors=("401", "422")),
            "post": _op("Refer a case; 409 without a live share_with_agency consent for that agency",
                        ok="201", response=_ref("Referral"), request=_ref("ReferralIn"),
                        errors=("401", "403", "404", "409")),
        },
        "/api/v1/referrals/{id}": {"get": _op("One referral", response=_ref("Referral"),
                                              params=[_id("id")])},
        "/api/v1/referrals/{id}/accept": {"post": referral_op("Accept (receiving agency)")},
        "/api/v1/referrals/{id}/decline": {"post": referral_op(
            "Decline with a reason", {"type": "object", "required": ["reason"],
                                      "properties": {"reason": {"type": "string"}}})},
        "/api/v1/referrals/{id}/complete": {"post": referral_op(
            "Record the outcome", {"type": "object", "required": ["outcome"], "properties": {
                "outcome": enum(OUTCOMES), "reason": {"type": "string"},
                "accompanied": {"type": "boolean"}}})},
        "/api/v1/referrals/{id}/withdraw": {"post": referral_op(
            "Withdraw (referring side)", {"type": "object", "properties": {"reason": {"type": "string"}}})},
        "/api/v1/referrals/{id}/instalments": {"post": referral_op(
            "Record a livelihood grant instalment", {"type": "object", "required": ["amount", "paid_on"],
                                                     "properties": {"amount": money, "currency": {"type": "string"},
                                                                    "paid_on": {"type": "string", "format": "date"}}})},
    })
    return {
        "openapi": "3.1.0",
        "info": {"title": "MDT Case Tracker API", "version": "1"},
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    }
