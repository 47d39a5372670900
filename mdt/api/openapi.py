"""The served OpenAPI 3.1 document: the JSON API as implemented."""

from __future__ import annotations

from mdt.cases.models import INTERMEDIARY_KINDS, PLAN_SERVICES, SEXES, SOURCES, STAGES
from mdt.directory.models import AGENCY_KINDS, AGENCY_LEVELS, ROLES
from mdt.legal.models import (
    CLAIMANT_STATUSES,
    EVENT_KINDS,
    HEARING_STATUSES,
    JURISDICTIONS,
    MATTER_KINDS,
    MATTER_STAGES,
)
from mdt.referrals.models import CONSENT_PURPOSES, OUTCOMES, REFERRAL_STATUSES, SHARE_PARTS, URGENCIES


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


PROBLEM = {"description": "Problem", "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _op(
    summary: str,
    *,
    ok: str = "200",
    response: dict | None = None,
    request: dict | None = None,
    params: list | None = None,
    errors=("401", "404"),
) -> dict:
    op = {
        "summary": summary,
        "responses": {ok: {"description": "OK", **(_json(response) if response else {})}},
    }
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


PAGING = [
    _q("page", {"type": "integer", "minimum": 1}),
    _q("per_page", {"type": "integer", "minimum": 1, "maximum": 200}),
]


def _list_of(name: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": _ref(name)},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    }


def document() -> dict:
    enum = lambda values: {"type": "string", "enum": list(values)}  # noqa: E731
    nullable_str = {"type": ["string", "null"]}
    obj = {"type": "object"}
    money = {"type": ["string", "null"], "pattern": r"^\d+\.\d{2}$"}
    schemas = {
        "Problem": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "Agency": {
            "type": "object",
            "required": ["id", "name", "kind", "level"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "kind": enum(AGENCY_KINDS),
                "level": enum(AGENCY_LEVELS),
                "area": nullable_str,
                "parent_id": {"type": ["integer", "null"]},
                "contact": nullable_str,
                "focal_person_id": {"type": ["integer", "null"]},
            },
        },
        "Member": {
            "type": "object",
            "required": ["id", "email", "name", "agency_id", "roles", "active"],
            "properties": {
                "id": {"type": "integer"},
                "email": {"type": "string"},
                "name": {"type": "string"},
                "agency_id": {"type": "integer"},
                "roles": {"type": "array", "items": enum(ROLES)},
                "active": {"type": "boolean"},
            },
        },
        "Intermediary": {
            "type": "object",
            "required": ["name", "kind"],
            "properties": {"name": {"type": "string"}, "kind": enum(INTERMEDIARY_KINDS)},
        },
        "Episode": {
            "type": "object",
            "properties": {
                "destination_country": {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"},
                "sector": nullable_str,
                "job": nullable_str,
                "departed_on": {"type": ["string", "null"], "format": "date"},
                "returned_on": {"type": ["string", "null"], "format": "date"},
                "channel": enum(("formal", "informal", "unknown")),
                "currency": {"type": "string"},
                "recruitment_fee": money,
                "debt_amount": money,
                "wages_owed": money,
                "debt_lender": nullable_str,
                "debt_collateral": nullable_str,
                "documents_withheld": nullable_str,
                "intermediaries": {"type": "array", "items": _ref("Intermediary")},
            },
        },
        "PersonIn": {
            "type": "object",
            "required": ["given_name", "sex"],
            "properties": {
                "given_name": {"type": "string"},
                "family_name": {"type": "string"},
                "sex": enum(SEXES),
                "date_of_birth": {"type": "string", "format": "date"},
                "phone": {"type": "string"},
                "home_area": {"type": "string"},
                "languages": {"type": "string"},
            },
        },
        "Person": {
            "type": "object",
            "properties": {
                "given_name": {"type": "string"},
                "family_name": {"type": "string"},
                "sex": enum(SEXES),
                "date_of_birth": {"type": ["string", "null"], "format": "date"},
                "age": {"type": ["integer", "null"]},
                "is_minor": {"type": "boolean"},
                "phone": nullable_str,
                "home_area": nullable_str,
                "languages": nullable_str,
            },
        },
        "CaseIn": {
            "type": "object",
            "required": ["person", "source"],
            "properties": {
                "person": _ref("PersonIn"),
                "source": enum(SOURCES),
                "lead_agency_id": {"type": "integer"},
                "summary": {"type": "string"},
                "episodes": {"type": "array", "items": _ref("Episode")},
            },
        },
        "Case": {
            "type": "object",
            "required": ["id", "reference", "stage"],
            "properties": {
                "id": {"type": "integer"},
                "reference": {"type": "string"},
                "stage": enum(STAGES),
                "full": {"type": "boolean", "description": "false: a coordinator's summary only"},
                "source": enum(SOURCES),
                "summary": nullable_str,
                "person": _ref("Person"),
                "lead_agency": {"type": ["object", "null"]},
                "episodes": {"type": "array", "items": _ref("Episode")},
                "opened_on": {"type": "string", "format": "date"},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
            },
        },
        "ConsentIn": {
            "type": "object",
            "required": ["purpose", "given"],
            "properties": {
                "purpose": enum(CONSENT_PURPOSES),
                "agency_id": {"type": "integer", "description": "required for share_with_agency"},
                "given": {"type": "boolean"},
                "expires_on": {"type": "string", "format": "date"},
                "language": {"type": "string"},
                "interpreter": {"type": "string"},
                "scope": {"type": "array", "items": enum(SHARE_PARTS)},
                "risks_acknowledged": {
                    "type": "boolean",
                    "description": "required for police and prosecutors",
                },
            },
        },
        "Consent": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "case_id": {"type": "integer"},
                "purpose": enum(CONSENT_PURPOSES),
                "agency_id": {"type": ["integer", "null"]},
                "given": {"type": "boolean"},
                "recorded_on": {"type": "string", "format": "date"},
                "expires_on": {"type": ["string", "null"], "format": "date"},
                "scope": {"type": "array", "items": enum(SHARE_PARTS)},
                "withdrawn_at": {"type": ["string", "null"], "format": "date-time"},
            },
        },
        "ReferralIn": {
            "type": "object",
            "required": ["case_id", "to_agency_id", "service"],
            "properties": {
                "case_id": {"type": "integer"},
                "to_agency_id": {"type": "integer"},
                "service": enum(PLAN_SERVICES),
                "reason": {"type": "string"},
                "respond_by": {"type": "string", "format": "date"},
                "urgency": enum(URGENCIES),
                "plan_item_id": {"type": "integer"},
            },
        },
        "Referral": {
            "type": "object",
            "required": ["id", "status"],
            "properties": {
                "id": {"type": "integer"},
                "case_id": {"type": "integer"},
                "case_reference": {"type": "string"},
                "from_agency_id": {"type": "integer"},
                "to_agency_id": {"type": "integer"},
                "service": enum(PLAN_SERVICES),
                "reason": nullable_str,
                "urgency": enum(URGENCIES),
                "respond_by": {"type": "string", "format": "date"},
                "status": enum(REFERRAL_STATUSES),
                "outcome": {"type": ["string", "null"], "enum": [*OUTCOMES, None]},
                "accompanied": {"type": ["boolean", "null"]},
                "instalments": {"type": "array", "items": {"type": "object"}},
            },
        },
        "AuditEvent": {
            "type": "object",
            "properties": {
                "at": {"type": "string", "format": "date-time"},
                "actor": {"type": ["object", "null"]},
                "action": {"type": "string"},
                "detail": {"type": "object"},
            },
        },
    }
    case_filters = [
        _q("stage", enum(STAGES)),
        _q("q"),
        _q("agency_id", {"type": "integer"}),
        _q("district"),
        _q("destination"),
        _q("sector"),
        _q("minor", {"type": "boolean"}),
        _q("mine", {"type": "boolean"}),
    ] + PAGING
    paths = {
        "/api/v1/health": {
            "get": {**_op("Liveness", response={"type": "object"}, errors=()), "security": []}
        },
        "/api/v1/openapi.json": {
            "get": {**_op("This document", response={"type": "object"}, errors=()), "security": []}
        },
        "/api/v1/me": {"get": _op("The caller", response={"type": "object"}, errors=("401",))},
        "/api/v1/agencies": {
            "get": _op("Agencies of the caller's MDT", response=_list_of("Agency"), params=PAGING),
            "post": _op(
                "Create an agency (admin)",
                ok="201",
                response=_ref("Agency"),
                request=_ref("Agency"),
                errors=("401", "403"),
            ),
        },
        "/api/v1/members": {
            "get": _op("Members of the caller's MDT", response=_list_of("Member"), params=PAGING),
            "post": _op(
                "Create a member (admin); takes password",
                ok="201",
                response=_ref("Member"),
                request=_ref("Member"),
                errors=("401", "403"),
            ),
        },
        "/api/v1/cases": {
            "get": _op("Cases visible to the caller", response=_list_of("Case"), params=case_filters),
            "post": _op(
                "Register a returnee and open a case", ok="201", response=_ref("Case"), request=_ref("CaseIn")
            ),
        },
        "/api/v1/cases/{id}": {
            "get": _op("One case (audited read)", response=_ref("Case"), params=[_id("id")]),
            "patch": _op(
                "Change a case",
                response=_ref("Case"),
                request={"type": "object"},
                params=[_id("id")],
                errors=("401", "403", "404"),
            ),
        },
        "/api/v1/cases/{id}/stage": {
            "post": _op(
                "Move the stage; closing needs a reason; closed -> active reopens",
                response=_ref("Case"),
                params=[_id("id")],
                errors=("401", "403", "404", "409"),
                request={
                    "type": "object",
                    "required": ["to"],
                    "properties": {"to": enum(STAGES), "reason": {"type": "string"}},
                },
            )
        },
        "/api/v1/cases/{id}/notes": {
            "get": _op("Notes the caller may read", response={"type": "object"}, params=[_id("id")]),
            "post": _op(
                "Add a note",
                ok="201",
                response={"type": "object"},
                params=[_id("id")],
                errors=("401", "403", "404"),
                request={
                    "type": "object",
                    "required": ["body"],
                    "properties": {"body": {"type": "string"}, "restricted": {"type": "boolean"}},
                },
            ),
        },
        "/api/v1/cases/{id}/episodes": {
            "post": _op(
                "Add a migration episode",
                ok="201",
                response=_ref("Case"),
                request=_ref("Episode"),
                params=[_id("id")],
                errors=("401", "403", "404"),
            )
        },
        "/api/v1/cases/{id}/audit": {
            "get": _op(
                "The case's audit trail",
                params=[_id("id")],
                errors=("401", "403", "404"),
                response={
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": _ref("AuditEvent")}},
                },
            )
        },
    }
    referral_op = lambda summary, request=None, errors=("401", "403", "404", "409"): _op(  # noqa: E731
        summary,
        response=_ref("Referral"),
        params=[_id("id")],
        errors=errors,
        request=request or {"type": "object"},
    )
    paths.update(
        {
            "/api/v1/cases/{id}/consents": {
                "get": _op(
                    "Consents recorded on the case",
                    params=[_id("id")],
                    response={
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": _ref("Consent")}},
                    },
                    errors=("401", "403", "404"),
                ),
                "post": _op(
                    "Record the person's consent or refusal",
                    ok="201",
                    response=_ref("Consent"),
                    request=_ref("ConsentIn"),
                    params=[_id("id")],
                    errors=("401", "403", "404"),
                ),
            },
            "/api/v1/consents/{id}/withdraw": {
                "post": _op(
                    "Withdraw a consent: pending referrals relying on it are withdrawn and the agency loses "
                    "access at once",
                    response=_ref("Consent"),
                    params=[_id("id")],
                    request={"type": "object", "properties": {"reason": {"type": "string"}}},
                    errors=("401", "403", "404", "409"),
                )
            },
            "/api/v1/referrals": {
                "get": _op(
                    "Incoming or outgoing referrals of the caller's agency",
                    response=_list_of("Referral"),
                    params=[
                        _q("status", enum(REFERRAL_STATUSES)),
                        _q("direction", enum(("incoming", "outgoing"))),
                    ]
                    + PAGING,
                    errors=("401", "422"),
                ),
                "post": _op(
                    "Refer a case; 409 without a live share_with_agency consent for that agency",
                    ok="201",
                    response=_ref("Referral"),
                    request=_ref("ReferralIn"),
                    errors=("401", "403", "404", "409"),
                ),
            },
            "/api/v1/referrals/{id}": {
                "get": _op("One referral", response=_ref("Referral"), params=[_id("id")])
            },
            "/api/v1/referrals/{id}/accept": {"post": referral_op("Accept (receiving agency)")},
            "/api/v1/referrals/{id}/decline": {
                "post": referral_op(
                    "Decline with a reason",
                    {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
                )
            },
            "/api/v1/referrals/{id}/complete": {
                "post": referral_op(
                    "Record the outcome",
                    {
                        "type": "object",
                        "required": ["outcome"],
                        "properties": {
                            "outcome": enum(OUTCOMES),
                            "reason": {"type": "string"},
                            "accompanied": {"type": "boolean"},
                        },
                    },
                )
            },
            "/api/v1/referrals/{id}/withdraw": {
                "post": referral_op(
                    "Withdraw (referring side)",
                    {"type": "object", "properties": {"reason": {"type": "string"}}},
                )
            },
            "/api/v1/referrals/{id}/instalments": {
                "post": referral_op(
                    "Record a livelihood grant instalment",
                    {
                        "type": "object",
                        "required": ["amount", "paid_on"],
                        "properties": {
                            "amount": money,
                            "currency": {"type": "string"},
                            "paid_on": {"type": "string", "format": "date"},
                        },
                    },
                )
            },
        }
    )
    party = {
        "type": "object",
        "required": ["name", "kind"],
        "properties": {"name": {"type": "string"}, "kind": enum(INTERMEDIARY_KINDS)},
    }
    schemas.update(
        {
            "LegalMatterIn": {
                "type": "object",
                "required": ["kind", "jurisdiction", "title"],
                "properties": {
                    "kind": enum(MATTER_KINDS),
                    "jurisdiction": enum(JURISDICTIONS),
                    "title": {"type": "string"},
                    "forum": {"type": "string"},
                    "docket_no": {"type": "string"},
                    "respondents": {"type": "array", "items": party},
                    "claimants": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["case_id"],
                            "properties": {
                                "case_id": {"type": "integer"},
                                "amount_claimed": money,
                                "currency": {"type": "string"},
                            },
                        },
                    },
                    "lawyer_ids": {"type": "array", "items": {"type": "integer"}},
                },
            },
            "LegalMatter": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "kind": enum(MATTER_KINDS),
                    "jurisdiction": enum(JURISDICTIONS),
                    "title": {"type": "string"},
                    "stage": enum(MATTER_STAGES),
                    "claimants": {
                        "type": "array",
                        "items": _ref("Claimant"),
                        "description": "only claimants whose case the caller may see",
                    },
                    "claimants_hidden": {"type": "integer"},
                    "claimants_active": {"type": "integer"},
                    "totals": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {"claimed": money, "awarded": money, "received": money},
                        },
                    },
                    "linked_matter_ids": {"type": "array", "items": {"type": "integer"}},
                },
            },
            "Claimant": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "case_id": {"type": "integer"},
                    "status": enum(CLAIMANT_STATUSES),
                    "currency": {"type": "string"},
                    "amount_claimed": money,
                    "amount_awarded": money,
                    "amount_received": money,
                    "debt_relief": {"type": "object"},
                },
            },
            "Hearing": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "starts_at": {"type": "string", "format": "date-time"},
                    "purpose": {"type": "string"},
                    "location": nullable_str,
                    "status": enum(HEARING_STATUSES),
                },
            },
            "Deadline": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "rule": nullable_str,
                    "title": {"type": "string"},
                    "due_on": {"type": "string", "format": "date"},
                    "citation": nullable_str,
                    "verified": {"type": "boolean", "description": "false: unverified, confirm with counsel"},
                    "trace": {"type": "array", "items": {"type": "string"}},
                    "status": enum(("open", "done", "missed")),
                },
            },
            "Event": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "kind": enum(EVENT_KINDS),
                    "occurred_on": {"type": "string", "format": "date"},
                    "deadlines": {"type": "array", "items": _ref("Deadline")},
                },
            },
        }
    )
    paths.update(
        {
            "/api/v1/legal-matters": {
                "get": _op("Legal matters the caller may see", response={"type": "object"}, params=PAGING),
                "post": _op(
                    "Open a legal matter; claimants need a live legal_action consent (409)",
                    ok="201",
                    response=_ref("LegalMatter"),
                    request=_ref("LegalMatterIn"),
                    errors=("401", "403", "409"),
                ),
            },
            "/api/v1/legal-matters/{id}": {
                "get": _op(
                    "One matter with totals per currency", response=_ref("LegalMatter"), params=[_id("id")]
                ),
                "patch": _op(
                    "Change a matter (title, forum, docket_no, stage, linked_matter_ids)",
                    response=_ref("LegalMatter"),
                    request={"type": "object"},
                    params=[_id("id")],
                    errors=("401", "403", "404"),
                ),
            },
            "/api/v1/legal-matters/{id}/claimants": {
                "post": _op(
                    "Add a claimant case",
                    ok="201",
                    response=_ref("Claimant"),
                    params=[_id("id")],
                    request={"type": "object", "required": ["case_id"]},
                    errors=("401", "403", "404", "409"),
                )
            },
            "/api/v1/legal-matters/{id}/claimants/{claimant_id}": {
                "patch": _op(
                    "Status, amounts and debt relief of a claimant",
                    response=_ref("Claimant"),
                    params=[_id("id"), _id("claimant_id")],
                    request={
                        "type": "object",
                        "properties": {
                            "status": enum(CLAIMANT_STATUSES),
                            "amount_awarded": money,
                            "amount_received": money,
                            "debt_relief": {"type": "object"},
                        },
                    },
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/legal-matters/{id}/hearings": {
                "post": _op(
                    "Schedule a hearing (not in the past)",
                    ok="201",
                    response=_ref("Hearing"),
                    params=[_id("id")],
                    request={
                        "type": "object",
                        "required": ["starts_at", "purpose"],
                        "properties": {
                            "starts_at": {"type": "string", "format": "date-time"},
                            "purpose": {"type": "string"},
                            "location": {"type": "string"},
                        },
                    },
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/hearings/{id}": {
                "patch": _op(
                    "Reschedule, record the outcome, adjourn (with next_starts_at) or cancel",
                    response=_ref("Hearing"),
                    params=[_id("id")],
                    request={"type": "object"},
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/legal-matters/{id}/events": {
                "post": _op(
                    "Record an event (not in the future): creates the deadlines its rules trigger",
                    ok="201",
                    response=_ref("Event"),
                    params=[_id("id")],
                    request={
                        "type": "object",
                        "required": ["kind", "occurred_on"],
                        "properties": {
                            "kind": enum(EVENT_KINDS),
                            "occurred_on": {"type": "string", "format": "date"},
                        },
                    },
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/events/{id}": {
                "patch": _op(
                    "Correct a trigger date: recomputes its open deadlines",
                    response=_ref("Event"),
                    params=[_id("id")],
                    request={"type": "object"},
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/events/{id}/confirm": {
                "post": _op(
                    "A second member confirms the trigger date",
                    response=_ref("Event"),
                    params=[_id("id")],
                    errors=("401", "403", "404", "409"),
                )
            },
            "/api/v1/legal-matters/{id}/deadlines": {
                "get": _op(
                    "Deadlines of a matter",
                    params=[_id("id")],
                    response={
                        "type": "object",
                        "properties": {"items": {"type": "array", "items": _ref("Deadline")}},
                    },
                )
            },
            "/api/v1/deadlines/{id}/done": {
                "post": _op(
                    "Mark a deadline done",
                    response=_ref("Deadline"),
                    params=[_id("id")],
                    errors=("401", "403", "404", "409"),
                )
            },
            "/api/v1/deadline-rules": {
                "get": _op(
                    "Rules with citations and confidence",
                    params=[_q("jurisdiction", enum(JURISDICTIONS))],
                    response={"type": "object"},
                    errors=("401", "422"),
                ),
                "post": _op(
                    "Add a rule (admin)",
                    ok="201",
                    response={"type": "object"},
                    request={
                        "type": "object",
                        "required": [
                            "jurisdiction",
                            "trigger",
                            "title",
                            "amount",
                            "unit",
                            "citation",
                            "confidence",
                            "matter_kinds",
                        ],
                    },
                    errors=("401", "403"),
                ),
            },
            "/api/v1/deadline-rules/{id}": {
                "patch": _op(
                    "Correct or disable a rule (admin): recomputes open deadlines",
                    response={"type": "object"},
                    params=[_id("id")],
                    request={"type": "object"},
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/closure-days": {
                "post": _op(
                    "Add a court closure (or an open day) with a reason (admin): recomputes open deadlines",
                    ok="201",
                    response={"type": "object"},
                    request={"type": "object"},
                    errors=("401", "403"),
                )
            },
            "/api/v1/closure-days/{id}": {
                "delete": _op(
                    "Remove a closure day (admin)",
                    response={"type": "object"},
                    params=[_id("id")],
                    errors=("401", "403", "404"),
                )
            },
            # Meetings (case conferences)
            "/api/v1/meetings": {
                "post": _op(
                    "Create a meeting (coordinators); its agenda is proposed from the cases",
                    ok="201",
                    response=obj,
                    request=obj,
                    errors=("401", "403"),
                )
            },
            "/api/v1/meetings/{id}": {"get": _op("A meeting", response=obj, params=[_id("id")])},
            "/api/v1/meetings/{id}/agenda": {
                "get": _op(
                    "The agenda as the caller may read it (items on cases they may not see are restricted)",
                    response=obj,
                    params=[_id("id")],
                )
            },
            "/api/v1/meetings/{id}/agenda/items": {
                "post": _op(
                    "Add an agenda item",
                    ok="201",
                    response=obj,
                    request=obj,
                    params=[_id("id")],
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/meetings/{id}/publish": {
                "post": _op(
                    "Publish the agenda (tells the attendees)",
                    response=obj,
                    params=[_id("id")],
                    errors=("401", "403", "404", "409"),
                )
            },
            "/api/v1/meetings/{id}/action-items": {
                "post": _op(
                    "Add an action item",
                    ok="201",
                    response=obj,
                    request=obj,
                    params=[_id("id")],
                    errors=("401", "403", "404"),
                )
            },
            "/api/v1/action-items/{id}/done": {
                "post": _op(
                    "Mark an action item done",
                    response=obj,
                    params=[_id("id")],
                    errors=("401", "403", "404", "409"),
                )
            },
            "/api/v1/meetings/{id}/calendar.ics": {
                "get": {
                    "summary": "The meeting as an iCalendar invitation",
                    "parameters": [_id("id")],
                    "responses": {
                        "200": {"description": "OK", "content": {"text/calendar": {}}},
                        "401": PROBLEM,
                        "404": PROBLEM,
                    },
                }
            },
            # Reminders
            "/api/v1/reminders": {
                "get": _op(
                    "Reminders: the caller's own; a coordinator's MDT (scope=mine for one's own)",
                    response={
                        "type": "object",
                        "properties": {
                            "items": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "member_id": {"type": "integer"},
                                        "source_type": enum(
                                            ("meeting", "hearing", "deadline", "action", "referral")
                                        ),
                                        "source_id": {"type": "integer"},
                                        "purpose": {"type": "string"},
                                        "lead": {"type": "string"},
                                        "channel": enum(("app", "email", "sms")),
                                        "scheduled_at": {"type": "string", "format": "date-time"},
                                        "status": enum(("pending", "sending", "sent", "failed", "cancelled")),
                                        "attempts": {"type": "integer"},
                                        "last_error": nullable_str,
                                        "sent_at": {"type": ["string", "null"], "format": "date-time"},
                                    },
                                },
                            }
                        },
                    },
                    params=[
                        _q("status", enum(("pending", "sending", "sent", "failed", "cancelled"))),
                        _q("scope", enum(("mine", "mdt"))),
                    ],
                    errors=("401",),
                )
            },
        }
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "MDT Case Tracker API", "version": "1"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }
