# ruff: noqa: E501  (probe tables of the issue-16 review, kept as written)
import uuid

import pytest

from tests import factories as f


def k():
    return str(uuid.uuid4())


BODIES = [
    {"changes": [{"idempotency_key": "a", "entity": "case", "fields": {"person": [[1]]}}]},
    {"changes": [{"idempotency_key": "a", "entity": "case", "fields": {"person": None}}]},
    {"changes": [{"idempotency_key": "a", "entity": "case", "id": 10**30, "base_version": 1, "fields": {}}]},
    {"changes": [{"idempotency_key": "a", "entity": "case", "id": 1, "base_version": 10**30, "fields": {}}]},
    {"changes": [{"idempotency_key": "a", "entity": "note", "fields": {"case_id": [1], "body": "x"}}]},
    {"changes": [{"idempotency_key": "a", "entity": "note", "fields": {"case_id": 10**40, "body": "x"}}]},
    {"changes": [{"idempotency_key": "a", "entity": "visit", "fields": {"case_id": {"a": 1}}}]},
    {"changes": [{"idempotency_key": "a", "entity": "intake", "fields": {"person": {"given_name": [1]}}}]},
    {"changes": [{"idempotency_key": "a", "entity": "bogus", "fields": {}}]},
    {"changes": [{"idempotency_key": None, "entity": "case", "fields": {}}]},
    {"changes": [{"idempotency_key": "a" * 500, "entity": "case", "fields": {}}]},
    {"changes": [None]},
    {"changes": [[]]},
    {"changes": {"a": 1}},
    {"changes": None},
    [],
    "x",
    {
        "changes": [
            {
                "idempotency_key": "a",
                "entity": "case",
                "fields": {
                    "person": {"given_name": "A", "sex": "female", "date_of_birth": "99999-01-01"},
                    "source": "outreach",
                },
            }
        ]
    },
    {
        "changes": [
            {
                "idempotency_key": "a",
                "entity": "case",
                "fields": {
                    "person": {"given_name": "A", "sex": "female"},
                    "source": "outreach",
                    "episodes": [{"recruitment_fee": 10**40}],
                },
            }
        ]
    },
    {
        "changes": [
            {
                "idempotency_key": "a",
                "entity": "case",
                "fields": {"person": {"given_name": "A\x00", "sex": "female"}, "source": "outreach"},
            }
        ]
    },
    {"changes": [{"idempotency_key": "\x00", "entity": "case", "fields": {}}]},
    {
        "changes": [
            {
                "idempotency_key": "a",
                "entity": "visit",
                "fields": {"case_id": 1, "visited_on": "2020-01-01", "wellbeing": "well", "seen": "person"},
            }
        ]
    },
    {
        "changes": [
            {
                "idempotency_key": "a",
                "entity": "visit",
                "fields": {"case_id": 1, "visited_on": "2020-01-01", "wellbeing": "well", "place": "\x00"},
            }
        ]
    },
]


@pytest.mark.parametrize("body", BODIES)
def test_fuzz_sync_never_500(client, world, body):
    case = f.client_case(world)
    token = f.token(world["social"])
    if isinstance(body, dict) and isinstance(body.get("changes"), list):
        for c in body["changes"]:
            if isinstance(c, dict):
                if c.get("id") == 1:
                    c["id"] = case.id
                fl = c.get("fields")
                if isinstance(fl, dict) and fl.get("case_id") == 1:
                    fl["case_id"] = case.id
    r = client.post("/api/v1/sync", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:500])


@pytest.mark.parametrize("body", BODIES)
def test_fuzz_sync_never_500_volunteer(client, world, body):
    from tests.test_field_triage import volunteer

    v = volunteer(world)
    token = f.token(v)
    r = client.post("/api/v1/sync", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code < 500, (r.status_code, r.get_data(as_text=True)[:500])
