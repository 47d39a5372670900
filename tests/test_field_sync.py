"""Issue 16, part 1: offline changes applied once, clashes held side by side, refusals kept on the
device (``POST /api/v1/sync`` and the web app's ``POST /field/sync``)."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import func, select

from mdt.audit.models import AuditEvent
from mdt.cases.models import Case, Person
from mdt.extensions import db
from mdt.sync.models import SyncChange, SyncConflict
from mdt.visits.models import Visit
from tests import factories as f


def key() -> str:
    return str(uuid.uuid4())


def sync(client, token, *changes):
    return client.post(
        "/api/v1/sync", json={"changes": list(changes)}, headers={"Authorization": f"Bearer {token}"}
    )


def new_case(given="Somjai", k=None):
    return {
        "idempotency_key": k or key(),
        "entity": "case",
        "fields": {
            "person": {"given_name": given, "family_name": "Offline", "sex": "female"},
            "source": "outreach",
        },
    }


def people_named(given: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Person).where(Person.given_name == given))


def test_a_change_is_applied_once_however_often_it_comes(client, world):
    token = f.token(world["social"])
    change = new_case("Somjai")
    first = sync(client, token, change)
    assert first.status_code == 200
    (result,) = first.get_json()["results"]
    assert result["status"] == "applied" and result["version"] == 1
    # The answer was lost; the device sends the whole batch again, twice.
    for _ in range(2):
        (again,) = sync(client, token, change).get_json()["results"]
        assert again["status"] == "duplicate"
        assert again["id"] == result["id"]
    assert people_named("Somjai") == 1
    # The same key from another member is their own change, not a duplicate of this one.
    (other,) = sync(client, f.token(world["social2"]), change).get_json()["results"]
    assert other["status"] == "applied" and other["id"] != result["id"]


def test_the_same_key_sent_twice_at_once_is_applied_once(web_app, world):
    token = f.token(world["social"])
    change = new_case("Twice")
    answers = []
    start = threading.Barrier(2)

    def send():
        client = web_app.test_client()
        start.wait()
        answers.append(sync(client, token, change).get_json()["results"][0]["status"])

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["applied", "duplicate"]
    assert people_named("Twice") == 1


def test_fields_nobody_touched_are_applied_and_a_clash_is_held(client, world, auth):
    case = f.client_case(world)
    social, coordinator = f.token(world["social"]), f.token(world["coordinator"])
    headers = {"Authorization": f"Bearer {social}"}
    base = client.get(f"/api/v1/cases/{case.id}", headers=headers).get_json()["version"]
    # At the office, the coordinator rewrites the summary meanwhile.
    changed = client.patch(
        f"/api/v1/cases/{case.id}",
        json={"summary": "Paid back 3,000 baht of the fee."},
        headers={"Authorization": f"Bearer {coordinator}"},
    )
    assert changed.get_json()["version"] == base + 1
    # In the village, with no signal, the social worker changed the summary and the phone.
    (result,) = sync(
        client,
        social,
        {
            "idempotency_key": key(),
            "entity": "case",
            "id": case.id,
            "base_version": base,
            "fields": {"summary": "Wants to go back to work in Korea.", "person": {"phone": "0812223333"}},
        },
    ).get_json()["results"]
    assert result["status"] == "conflict"
    assert [(c["field"], c["server"], c["yours"]) for c in result["conflicts"]] == [
        ("summary", "Paid back 3,000 baht of the fee.", "Wants to go back to work in Korea.")
    ]
    db.session.expire_all()
    kept = db.session.get(Case, case.id)
    assert kept.summary == "Paid back 3,000 baht of the fee."  # nothing overwritten
    assert kept.person.phone == "0812223333"  # the field nobody else touched
    assert result["version"] == kept.version == base + 2
    # Settled side by side on the case's page.
    auth.login("social@test.org")
    page = client.get(f"/cases/{case.id}")
    assert b"clashed" in page.data
    side_by_side = client.get(f"/cases/{case.id}/conflicts").get_data(as_text=True)
    assert (
        "Paid back 3,000 baht of the fee." in side_by_side
        and "Wants to go back to work in Korea." in side_by_side
    )
    conflict_id = result["conflicts"][0]["id"]
    assert client.post(f"/conflicts/{conflict_id}", data={"keep": "yours"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).summary == "Wants to go back to work in Korea."
    assert db.session.get(SyncConflict, conflict_id).resolution == "yours"
    assert "Nothing waits" in client.get(f"/cases/{case.id}/conflicts").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)).all()
    assert "sync.conflict" in actions and "sync.resolve" in actions


def test_the_same_value_on_both_sides_is_no_clash(client, world):
    case = f.client_case(world)
    social = f.token(world["social"])
    base = db.session.get(Case, case.id).version
    client.patch(
        f"/api/v1/cases/{case.id}",
        json={"summary": "Same words"},
        headers={"Authorization": f"Bearer {social}"},
    )
    (result,) = sync(
        client,
        f.token(world["lawyer"]),
        {
            "idempotency_key": key(),
            "entity": "case",
            "id": case.id,
            "base_version": base,
            "fields": {"summary": "Same words"},
        },
    ).get_json()["results"]
    assert result["status"] == "applied"


def test_a_change_from_the_current_version_never_clashes(client, world):
    case = f.client_case(world)
    token = f.token(world["social"])
    version = db.session.get(Case, case.id).version
    for text in ("First", "Second"):
        (result,) = sync(
            client,
            token,
            {
                "idempotency_key": key(),
                "entity": "case",
                "id": case.id,
                "base_version": version,
                "fields": {"summary": text},
            },
        ).get_json()["results"]
        assert result["status"] == "applied"
        version = result["version"]
    db.session.expire_all()
    assert db.session.get(Case, case.id).summary == "Second"


def test_refusals_say_why_and_are_not_recorded(client, world):
    case = f.client_case(world)
    police = f.token(world["police"])  # not on the team: the case is not theirs to see
    gone = {
        "idempotency_key": key(),
        "entity": "case",
        "id": case.id,
        "base_version": 1,
        "fields": {"summary": "x"},
    }
    good = new_case("Kept")
    results = sync(client, police, gone, good).get_json()["results"]
    assert results[0]["status"] == "refused" and "no longer see" in results[0]["message"]
    assert results[1]["status"] == "applied"  # one refusal does not stop the batch
    # Refused changes leave no key behind: sent again (once mended or once allowed), they count.
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(SyncChange)
            .where(SyncChange.idempotency_key == gone["idempotency_key"])
        )
        == 0
    )
    (again,) = sync(client, police, gone).get_json()["results"]
    assert again["status"] == "refused"

    social = f.token(world["social"])
    version = db.session.get(Case, case.id).version
    future = {
        "idempotency_key": key(),
        "entity": "case",
        "id": case.id,
        "base_version": version + 5,
        "fields": {"summary": "y"},
    }
    (answer,) = sync(client, social, future).get_json()["results"]
    assert answer["status"] == "refused" and "never had" in answer["message"]
    bad = {
        "idempotency_key": key(),
        "entity": "case",
        "fields": {"person": {"given_name": "", "sex": "x"}, "source": "outreach"},
    }
    (answer,) = sync(client, social, bad).get_json()["results"]
    assert answer["status"] == "refused" and "person.sex" in answer["errors"]
    no_base = {"idempotency_key": key(), "entity": "case", "id": case.id, "fields": {"summary": "z"}}
    (answer,) = sync(client, social, no_base).get_json()["results"]
    assert answer["status"] == "refused" and "base_version" in answer["errors"]
    db.session.expire_all()
    assert db.session.get(Case, case.id).summary is None  # nothing of the refused changes


def test_a_malformed_batch_is_refused_whole(client, world):
    token = f.token(world["social"])
    answer = client.post(
        "/api/v1/sync",
        json={"changes": [{"entity": "case", "fields": {}}]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422
    assert "changes[0].idempotency_key" in answer.get_json()["errors"]


def test_visits_and_notes_come_through_sync(client, world):
    case = f.client_case(world)
    token = f.token(world["social"])
    results = sync(
        client,
        token,
        {
            "idempotency_key": key(),
            "entity": "visit",
            "fields": {
                "case_id": case.id,
                "visited_on": "2026-06-14",
                "place": "Ban Tha",
                "seen": ["person", "family"],
                "wellbeing": "struggling",
                "needs": ["debt", "income"],
                "next_visit_on": "2026-07-14",
            },
        },
        {
            "idempotency_key": key(),
            "entity": "note",
            "fields": {"case_id": case.id, "body": "Met her mother too."},
        },
    ).get_json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    visit = db.session.get(Visit, results[0]["id"])
    assert visit.needs == ["debt", "income"] and visit.wellbeing == "struggling"


def test_the_web_app_syncs_with_its_session_and_token(client, world, auth):
    auth.login("social@test.org")
    answer = client.post("/field/sync", json={"changes": [new_case("Websync")]})
    assert answer.status_code == 200
    assert answer.get_json()["results"][0]["status"] == "applied"
    assert people_named("Websync") == 1
