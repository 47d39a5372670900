"""Need-to-know access, parametrized over every role and agency."""

import pytest

from mdt import policy
from mdt.cases import services
from mdt.extensions import db
from tests import factories as f

# A case led by social welfare, with the legal aid NGO on the team.
# who: (summary, full view, sensitive, team change)
EXPECTED = {
    "social": (True, True, True, True),  # lead agency member
    "social2": (True, True, True, True),  # another member of the lead agency
    "coordinator": (True, True, True, True),  # coordinator in the lead agency
    "coord_labour": (True, False, False, False),  # coordinator elsewhere: summary only
    "lawyer": (True, True, False, False),  # agency on the team, not lead
    "police": (False, False, False, False),  # not on the team
    "labour": (False, False, False, False),
    "admin": (False, False, False, False),  # admin reads no case content
    "outsider": (False, False, False, False),  # another MDT
}


@pytest.fixture
def team_case(world):
    return f.client_case(world, legal_consent=False)


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_case_rights(world, team_case, who):
    user = world[who]
    summary, full, sensitive, team = EXPECTED[who]
    assert policy.can(user, "case.summary", team_case) is summary
    assert policy.can(user, "case.view", team_case) is full
    assert policy.can(user, "case.edit", team_case) is full
    assert policy.can(user, "case.note", team_case) is full
    assert policy.can(user, "case.audit", team_case) is full
    assert policy.can(user, "case.sensitive", team_case) is sensitive
    assert policy.can(user, "case.team", team_case) is team


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_list_filters_match_can(world, team_case, who):
    user = world[who]
    listed = {c.id: on for c, on in services.list_cases(user, services.CaseFilters())[0]}
    summary, full, _s, _t = EXPECTED[who]
    assert (team_case.id in listed) is summary
    if summary:
        assert listed[team_case.id] is full


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_case_page_and_api_agree(world, team_case, client, who):
    user = world[who]
    summary, full, sensitive, _t = EXPECTED[who]
    token = f.token(user)
    r = client.get(f"/api/v1/cases/{team_case.id}", headers={"Authorization": f"Bearer {token}"})
    if not summary:
        assert r.status_code == 404
        assert "Malee" not in r.get_data(as_text=True)
        return
    assert r.status_code == 200
    body = r.get_json()
    assert body["full"] is full
    assert ("person" in body) is full
    assert ("sensitive" in body) is sensitive


def test_assigned_member_sees_case(world):
    from mdt.errors import WorkflowError
    from mdt.referrals.services import record_consent

    c = f.case(world["social"])
    assert not policy.can(world["police"], "case.view", c)
    with pytest.raises(WorkflowError):  # a police officer is an enforcement agency's member
        services.set_team(world["social"], c, [], [world["police"].id])
    record_consent(
        world["social"],
        c,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": world.agencies["police"].id,
            "risks_acknowledged": True,
        },
    )
    services.set_team(world["social"], c, [], [world["police"].id])
    db.session.commit()
    assert policy.can(world["police"], "case.view", c)
    assert not policy.can(world["police"], "case.sensitive", c)


def test_directory_rights(world):
    assert policy.can(world["admin"], "directory.manage")
    assert not policy.can(world["coordinator"], "directory.manage")
    assert policy.can(world["coordinator"], "actionplan.edit")
    assert not policy.can(world["social"], "actionplan.edit")


def test_inactive_member_can_do_nothing(world):
    c = f.case(world["social"])
    world["social2"].active = False
    db.session.commit()
    assert not policy.can(world["social2"], "case.view", c)
    assert not policy.can(world["social2"], "case.create")


def test_an_administrators_account_reads_no_case_of_its_agency(world, team_case, client):
    """The README's promise: administration alone opens no case, even the lead agency's."""
    sw = world.agencies["sw"]
    admin = f.member(world.mdt, sw, "swadmin@test.org", ("admin",))
    both = f.member(world.mdt, sw, "swboth@test.org", ("admin", "member"))
    db.session.commit()
    assert not policy.can(admin, "case.view", team_case) and not policy.can(admin, "case.create")
    assert services.list_cases(admin, services.CaseFilters())[0] == []
    assert policy.can(both, "case.view", team_case)
    headers = {"Authorization": f"Bearer {f.token(admin)}"}
    assert client.get(f"/api/v1/cases/{team_case.id}", headers=headers).status_code == 404
    client.post("/login", data={"email": "swadmin@test.org", "password": f.PASSWORD})
    assert client.get("/cases/new").status_code == 403
    home = client.get("/")
    assert home.status_code == 200 and "New intake" not in home.get_data(as_text=True)


def test_one_compiled_list_query_serves_every_user_with_their_own_cases(world, team_case):
    """The team filter's SQL is compiled once and cached; each user's agency, id and date must
    still be bound on each use (a cache key missing a part would hand one user another's list)."""
    other = f.case(world["police"], given="Other")
    db.session.commit()
    for _round in range(2):
        for who in sorted(EXPECTED):
            user = world[who]
            listed = {c.id for c, _on in services.list_cases(user, services.CaseFilters())[0]}
            for case in (team_case, other):
                assert (case.id in listed) is policy.can(user, "case.summary", case), (who, case.id)
