# ruff: noqa: E501  (probe tables of the issue-16 review, kept as written)
"""Review of issue 16: what was checked and found sound (these pass)."""

from __future__ import annotations

import re
import uuid

from mdt.extensions import db
from tests import factories as f
from tests.conftest import make_app


def test_session_posts_of_issue_16_need_the_csrf_token(world, database_template, tmp_path):
    guarded = make_app(database_template, tmp_path, WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page) or re.search(
        r'value="([^"]+)" name="csrf_token"', page
    )
    assert token, page[:2000]
    assert (
        client.post(
            "/login", data={"email": "coord@test.org", "password": f.PASSWORD, "csrf_token": token.group(1)}
        ).status_code
        == 302
    )
    change = {
        "changes": [
            {"idempotency_key": str(uuid.uuid4()), "entity": "note", "fields": {"case_id": 1, "body": "x"}}
        ]
    }
    assert client.post("/field/sync", json=change).status_code == 400
    for url in (
        "/conflicts/1",
        "/triage/1/accept",
        "/triage/1/decline",
        "/triage/1/merge",
        "/submissions/intake",
        "/cases/1/visits/schedule",
        "/cases/1/visits/new",
        "/report",
    ):
        assert client.post(url, data={"reason": "x", "keep": "yours"}).status_code == 400, url
    with guarded.app_context():
        db.session.remove()
        db.engine.dispose()


def _sync(client, token, *changes):
    return client.post(
        "/api/v1/sync", json={"changes": list(changes)}, headers={"Authorization": f"Bearer {token}"}
    )


def _conflict(client, world):
    """A clash held on a client case, sent by the social worker."""
    case = f.client_case(world)
    h = {"Authorization": f"Bearer {f.token(world['social'])}"}
    base = client.get(f"/api/v1/cases/{case.id}", headers=h).get_json()["version"]
    client.patch(
        f"/api/v1/cases/{case.id}",
        json={"summary": "office"},
        headers={"Authorization": f"Bearer {f.token(world['coordinator'])}"},
    )
    (res,) = _sync(
        client,
        f.token(world["social"]),
        {
            "idempotency_key": str(uuid.uuid4()),
            "entity": "case",
            "id": case.id,
            "base_version": base,
            "fields": {"summary": "<script>alert(1)</script>"},
        },
    ).get_json()["results"]
    assert res["status"] == "conflict"
    return case, res["conflicts"][0]["id"]


def test_conflicts_triage_and_sync_refuse_those_off_the_team(client, world, auth):
    from tests.test_review16_probes import _volunteer

    case, conflict_id = _conflict(client, world)
    watchdog = _volunteer(world)
    for who, expected in (("outsider", 404), ("police", 404), ("social2", 403), ("labour", 404)):
        r = client.post(
            f"/api/v1/sync/conflicts/{conflict_id}",
            json={"keep": "yours"},
            headers={"Authorization": f"Bearer {f.token(world[who])}"},
        )
        assert r.status_code == expected, (who, r.status_code)
    r = client.post(
        f"/api/v1/sync/conflicts/{conflict_id}",
        json={"keep": "yours"},
        headers={"Authorization": f"Bearer {f.token(watchdog)}"},
    )
    assert r.status_code == 403
    # Members off the team: every entity refused, nothing said of the case.
    for who in ("police", "outsider", "labour"):
        results = _sync(
            client,
            f.token(world[who]),
            {"idempotency_key": "n", "entity": "note", "fields": {"case_id": case.id, "body": "x"}},
            {
                "idempotency_key": "v",
                "entity": "visit",
                "fields": {"case_id": case.id, "visited_on": "2026-06-01", "wellbeing": "well"},
            },
            {
                "idempotency_key": "c",
                "entity": "case",
                "id": case.id,
                "base_version": 1,
                "fields": {"summary": "x"},
            },
        ).get_json()["results"]
        assert {r["status"] for r in results} == {"refused"}, (who, results)
    # A volunteer: no note, no visit, no change on a case.
    results = _sync(
        client,
        f.token(watchdog),
        {"idempotency_key": "n", "entity": "note", "fields": {"case_id": case.id, "body": "x"}},
        {
            "idempotency_key": "c",
            "entity": "case",
            "id": case.id,
            "base_version": 1,
            "fields": {"summary": "x"},
        },
        {
            "idempotency_key": "v",
            "entity": "visit",
            "fields": {"case_id": case.id, "visited_on": "2026-06-01", "wellbeing": "well"},
        },
    ).get_json()["results"]
    assert {r["status"] for r in results} == {"refused"}, results
    # Conflict page: escaped, and closed to those off the team.
    auth.login("social@test.org")
    page = client.get(f"/cases/{case.id}/conflicts").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    auth.logout()
    auth.login("police@test.org")
    assert client.get(f"/cases/{case.id}/conflicts").status_code in (403, 404)
    assert client.post(f"/conflicts/{conflict_id}", data={"keep": "yours"}).status_code == 404
    auth.logout()
    auth.login("watchdog@test.org")
    assert client.get(f"/cases/{case.id}/conflicts").status_code == 403
    assert client.post(f"/conflicts/{conflict_id}", data={"keep": "yours"}).status_code == 403


def test_triage_of_another_mdt_and_of_volunteers_is_closed(client, world, auth):
    from mdt.triage import services as triage
    from tests.test_review16_probes import _volunteer

    watchdog = _volunteer(world)
    item, _c, _p = triage.complain(
        {"what_happened": "<img src=x onerror=alert(1)>", "mdt_id": world.mdt.id}, "198.51.100.1"
    )
    mine = triage.submit(
        watchdog, "intake", {"person": {"given_name": "A<b>", "sex": "female"}, "source": "watchdog"}
    )
    db.session.commit()
    auth.login("outsider@test.org")
    for url in (f"/triage/{item.id}", f"/triage/{mine.id}"):
        assert client.get(url).status_code == 404
    for action in ("accept", "decline", "merge"):
        assert (
            client.post(f"/triage/{item.id}/{action}", data={"reason": "x", "reference": "x"}).status_code
            == 404
        )
    assert "onerror" not in client.get("/triage").get_data(as_text=True)
    auth.logout()
    auth.login("coord@test.org")
    assert "<img src=x" not in client.get("/triage").get_data(as_text=True)
    assert "<img src=x" not in client.get(f"/triage/{item.id}").get_data(as_text=True)
    assert "A<b>" not in client.get(f"/triage/{mine.id}").get_data(as_text=True)
    auth.logout()
    auth.login("watchdog@test.org")
    for url in (f"/triage/{item.id}", "/triage", "/api/v1/triage", "/notifications", "/cases/1"):
        assert client.get(url).status_code == 403, url
    # Another volunteer's intake cannot be the subject of a visit report.
    other = f.member(world.mdt, world.agencies["sw"], "w2@test.org", ("volunteer",))
    db.session.commit()
    r = _sync(
        client,
        f.token(other),
        {
            "idempotency_key": "v",
            "entity": "visit",
            "fields": {"intake_id": mine.id, "visited_on": "2026-06-01", "wellbeing": "well"},
        },
    ).get_json()["results"][0]
    assert r["status"] == "refused"


def test_idempotency_keys_are_per_member(client, world):
    case = f.client_case(world)
    a = _sync(
        client,
        f.token(world["social"]),
        {"idempotency_key": "K", "entity": "note", "fields": {"case_id": case.id, "body": "secret A"}},
    ).get_json()
    b = _sync(
        client,
        f.token(world["police"]),
        {"idempotency_key": "K", "entity": "note", "fields": {"case_id": case.id, "body": "x"}},
    ).get_json()
    assert a["results"][0]["status"] == "applied"
    assert (
        b["results"][0]["status"] == "refused"
        and "id" not in b["results"][0]
        or b["results"][0]["id"] is None
    )
