"""Schemathesis against the served OpenAPI document (``/api/v1/openapi.json``) with a real token,
over a real HTTP server on loopback: no server error, every answer matches its schema (status,
content type, headers, body), invalid input is refused, a token is needed.

Two checks are left out on purpose: ``positive_data_acceptance`` (a request valid by the schema
can still break a rule of the workflow or name a record of another MDT: 409 and 422 are right
then) and ``unsupported_method`` (it answers 405 with an ``Allow`` header, which the status check
then counts as undocumented on every operation). ``MDT_SCHEMATHESIS_EXAMPLES`` sets how many
examples per operation (default 12); ``MDT_SCHEMATHESIS_SEED`` fixes the seed (default 2026, so a
failure in CI can be replayed; set it empty for a new seed); ``MDT_SCHEMATHESIS_PATHS``, a regular
expression, limits the run to some paths while working on them; ``MDT_SCHEMATHESIS_AS`` names the
demo member whose token is used (default ``social``, the lead agency of the shared cases)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mdt.extensions import db
from mdt.meetings import services as meetings
from mdt.referrals import services as referrals
from tests import factories as f

ST = Path(sys.executable).parent / "st"
CHECKS_LEFT_OUT = "positive_data_acceptance,unsupported_method"


def _records(world) -> None:
    """Something for every kind of endpoint to find: shared cases, a matter with a hearing, a
    meeting with an agenda and an action item, a referral."""
    case = f.client_case(world, "Malee")
    f.client_case(world, "Suda")
    f.matter(world, [case])
    meeting = meetings.create_meeting(
        world["coordinator"],
        {
            "title": "Case conference",
            "kind": "case_conference",
            "starts_at": f.at(7),
            "host_agency_id": world.agencies["sw"].id,
        },
    )
    meetings.create_action_item(
        world["coordinator"],
        meeting,
        {"title": "Visit", "owner_agency_id": world.agencies["sw"].id, "due_on": f.at(9)[:10]},
    )
    referrals.create_referral(
        world["social"],
        {"case_id": case.id, "to_agency_id": world.agencies["legal"].id, "service": "legal_aid"},
    )
    db.session.commit()


def test_the_api_keeps_its_openapi_contract(live_server, world, tmp_path):
    _records(world)
    token = f.token(world[os.environ.get("MDT_SCHEMATHESIS_AS", "social")])
    seed = os.environ.get("MDT_SCHEMATHESIS_SEED", "2026")
    command = [
        str(ST),
        "run",
        f"{live_server}/api/v1/openapi.json",
        "-H",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--exclude-checks",
        CHECKS_LEFT_OUT,
        "--max-examples",
        os.environ.get("MDT_SCHEMATHESIS_EXAMPLES", "12"),
        "--workers",
        "1",
        "--no-color",
        "--suppress-health-check",
        "all",
        *(["--seed", seed] if seed else []),
        *(
            ["--include-path-regex", os.environ["MDT_SCHEMATHESIS_PATHS"]]
            if os.environ.get("MDT_SCHEMATHESIS_PATHS")
            else []
        ),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
