"""What a new password must be (issue 12): 12 characters or more and not a common one, wherever a
password is set; no composition rules."""

from __future__ import annotations

import pytest

from mdt.auth import passwords
from tests import factories as f


@pytest.mark.parametrize(
    "password, ok",
    [
        ("short", False),
        ("elevenchars", False),
        ("password1234", False),  # on the list of common passwords
        ("PASSWORD1234", False),  # whatever the case
        ("1qaz2wsx3edc", False),
        ("aaaaaaaaaaaaaaaa", False),
        ("rice fields at dawn", True),
        ("ข้าวหอมมะลิริมน้ำ", True),  # Thai counts by characters
        ("x" * 201, False),
    ],
)
def test_the_rule(app, password, ok):
    with app.test_request_context():
        assert (passwords.problems(password) == []) is ok


def test_a_password_like_the_email_is_refused(app):
    with app.test_request_context():
        assert passwords.problems("somchai.k@agency.go.th", email="somchai.k@agency.go.th")
        assert passwords.problems("Somchai Kaewkla", name="somchai kaewkla")


def test_changing_to_a_common_password_is_refused(world, client, auth):
    auth.login("social@test.org")
    r = client.post(
        "/profile/password",
        data={
            "current_password": f.PASSWORD,
            "new_password": "password1234",
            "repeat_password": "password1234",
        },
    )
    assert r.status_code == 422 and "too easy to guess" in r.get_data(as_text=True)


def test_an_administrator_cannot_give_a_common_password(world, client):
    headers = {"Authorization": f"Bearer {f.token(world['admin'])}"}
    body = {
        "email": "new@test.org",
        "name": "New Member",
        "agency_id": world.agencies["sw"].id,
        "password": "q1w2e3r4t5y6",
    }
    r = client.post("/api/v1/members", json=body, headers=headers)
    assert r.status_code == 422 and "password" in r.get_json()["errors"]
    body["password"] = "monsoon over the river"
    assert client.post("/api/v1/members", json=body, headers=headers).status_code == 201


def test_the_command_line_refuses_a_common_password(runner, world):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@test.org",
            "--name",
            "Cli",
            "--agency",
            "Social",
            "--mdt",
            "PCB",
            "--password",
            "password1234",
        ]  # fmt: skip
    )
    assert result.exit_code != 0 and "too easy to guess" in result.output
