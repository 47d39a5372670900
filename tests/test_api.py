"""The JSON API contract (../shared/API.md)."""

import pytest
from sqlalchemy import select

from mdt.audit.models import AuditEvent
from mdt.extensions import db
from tests import factories as f


@pytest.fixture
def api(world, client):
    tokens = {}

    def call(who, method, path, json=None, **kw):
        if who not in tokens:
            tokens[who] = f.token(world[who])
        return client.open(
            path, method=method, json=json, headers={"Authorization": f"Bearer {tokens[who]}"}, **kw
        )

    return call


def test_health_and_openapi(client):
    assert client.get("/api/v1/health").get_json() == {"status": "ok"}
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/stage",
        "/api/v1/cases/{case_id}/notes",
        "/api/v1/cases/{case_id}/audit",
        "/api/v1/me",
        "/api/v1/agencies",
        "/api/v1/members",
    ):
        assert path in doc["paths"]


def test_no_token_or_bad_token(client, world):
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_session_cookie_is_not_api_auth(world, client, auth):
    auth.login("social@test.org")
    assert client.get("/api/v1/me").status_code == 401


def test_me(api, world):
    body = api("lawyer", "GET", "/api/v1/me").get_json()
    assert body["email"] == "lawyer@test.org"
    assert body["agency"]["kind"] == "legal_aid"
    assert body["roles"] == ["lawyer"]
    assert body["mdt"]["name"] == "Test Province MDT"


def test_create_case_contract(api, world):
    r = api(
        "social",
        "POST",
        "/api/v1/cases",
        json={
            "person": {
                "given_name": "Malee",
                "family_name": "Srisuk",
                "sex": "female",
                "date_of_birth": "2010-03-04",
                "phone": "0812345678",
                "home_area": "Moo 4, Lom Sak",
            },
            "source": "outreach",
            "summary": "Berry picking, Sweden",
            "episodes": [
                {
                    "destination_country": "SE",
                    "sector": "agriculture",
                    "intermediaries": [{"name": "Nordic Berry", "kind": "employer"}],
                }
            ],
        },
    )
    assert r.status_code == 201
    body = r.get_json()
    assert body["stage"] == "intake" and body["reference"].startswith("TST-")
    assert body["person"]["is_minor"] is True and isinstance(body["person"]["age"], int)
    assert body["lead_agency"]["id"] == world.agencies["sw"].id
    assert body["episodes"][0]["intermediaries"][0]["kind"] == "employer"


def test_validation_errors_422(api):
    r = api("social", "POST", "/api/v1/cases", json={"person": {"sex": "x"}, "source": "nowhere"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    errors = r.get_json()["errors"]
    assert {"source", "person.given_name", "person.sex"} <= set(errors)


def test_bad_json_400(api):
    r = api("social", "POST", "/api/v1/cases", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["status"] == 400


def test_list_paging_and_visibility(api, world):
    for i in range(3):
        f.case(world["social"], given=f"P{i}")
    f.case(world["police"], given="Police case")
    db.session.commit()
    body = api("social", "GET", "/api/v1/cases?per_page=2&page=1").get_json()
    assert body["total"] == 3 and body["per_page"] == 2 and len(body["items"]) == 2
    assert api("social", "GET", "/api/v1/cases?per_page=500").get_json()["per_page"] == 200
    coord = api("coord_labour", "GET", "/api/v1/cases").get_json()
    assert coord["total"] == 4
    assert all(item["full"] is False and "person" not in item for item in coord["items"])


def test_stage_409_and_close(api, world):
    case = f.case(world["social"])
    db.session.commit()
    assert api("social", "POST", f"/api/v1/cases/{case.id}/stage", json={"to": "active"}).status_code == 409
    assert api("social", "POST", f"/api/v1/cases/{case.id}/stage", json={"to": "closed"}).status_code == 422
    r = api("social", "POST", f"/api/v1/cases/{case.id}/stage", json={"to": "closed", "reason": "Moved away"})
    assert r.status_code == 200 and r.get_json()["stage"] == "closed"
    r = api("social", "POST", f"/api/v1/cases/{case.id}/stage", json={"to": "active"})
    assert r.get_json()["stage"] == "active"


def test_404_vs_403(api, world):
    case = f.case(world["social"])
    db.session.commit()
    assert api("police", "GET", f"/api/v1/cases/{case.id}").status_code == 404
    assert api("police", "POST", f"/api/v1/cases/{case.id}/notes", json={"body": "x"}).status_code == 404
    assert (
        api("coord_labour", "POST", f"/api/v1/cases/{case.id}/notes", json={"body": "x"}).status_code == 403
    )
    assert api("social", "GET", "/api/v1/cases/999999").status_code == 404


def test_patch_notes_audit(api, world):
    case = f.case(world["social"])
    db.session.commit()
    r = api(
        "social",
        "PATCH",
        f"/api/v1/cases/{case.id}",
        json={"summary": "Updated", "person": {"phone": "0899"}},
    )
    assert r.status_code == 200 and r.get_json()["summary"] == "Updated"
    r = api("social", "POST", f"/api/v1/cases/{case.id}/notes", json={"body": "Met her", "restricted": False})
    assert r.status_code == 201
    api("social", "GET", f"/api/v1/cases/{case.id}")
    items = api("social", "GET", f"/api/v1/cases/{case.id}/audit").get_json()["items"]
    actions = [i["action"] for i in items]
    assert {"case.create", "case.update", "note.create", "case.read"} <= set(actions)
    assert all(set(i) >= {"at", "actor", "action", "detail"} for i in items)
    via = db.session.scalars(select(AuditEvent.via).where(AuditEvent.action == "note.create")).one()
    assert via == "api"


def test_directory_endpoints(api, world):
    body = api("social", "GET", "/api/v1/agencies").get_json()
    assert body["total"] == 4 and {"id", "name", "kind", "level", "area", "parent_id"} <= set(
        body["items"][0]
    )
    assert api("social", "POST", "/api/v1/agencies", json={"name": "X", "kind": "ngo"}).status_code == 403
    r = api(
        "admin", "POST", "/api/v1/agencies", json={"name": "Hospital", "kind": "health", "level": "district"}
    )
    assert r.status_code == 201 and r.get_json()["kind"] == "health"
    assert api("admin", "POST", "/api/v1/agencies", json={"name": "Bad", "kind": "army"}).status_code == 422
    r = api(
        "admin",
        "POST",
        "/api/v1/members",
        json={
            "email": "m@test.org",
            "name": "M",
            "agency_id": world.agencies["sw"].id,
            "roles": ["member"],
            "password": "long-enough-pw",
        },
    )
    assert r.status_code == 201 and r.get_json()["active"] is True
    members = api("social", "GET", "/api/v1/members?per_page=100").get_json()
    assert all("password" not in m and "password_hash" not in m for m in members["items"])


def test_revoked_token_stops_working(world, client):
    from mdt.auth.services import create_token, revoke_token

    token, raw = create_token(world["social"])
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    revoke_token(world["social"], token)
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_oversized_request_refused(api, world):
    r = api("social", "POST", "/api/v1/cases", data="x" * (3 * 1024 * 1024), content_type="application/json")
    assert r.status_code == 413


def test_openapi_lists_every_implemented_route(app, client):
    """Every /api/v1 route and method is in the served document (parameter names aside), each
    with a documented answer; the document itself is generated from the schemas."""
    import re

    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (re.sub(r"\{\w+\}", "{}", path), method.upper())
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method != "parameters" and op.get("responses")
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule == "/api/v1/openapi.json":
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert not missing, missing
