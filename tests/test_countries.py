"""Countries are chosen from ISO 3166 names in the reader's language (issue 13: "Malaysia" was cut to
"Ma"); a name is understood, a code too, and a name that matches nothing is a clear refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mdt.extensions import db
from tests import factories as f


@pytest.mark.parametrize(
    "typed, code", [("MY", "MY"), ("my", "MY"), ("Malaysia", "MY"), (" malaysia ", "MY")]
)
def test_a_country_by_code_or_name(world, client, typed, code):
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    body = {
        "source": "outreach",
        "person": {"given_name": "A", "sex": "female"},
        "episodes": [{"destination_country": typed}],
    }  # noqa: E501
    r = client.post("/api/v1/cases", json=body, headers=headers)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["episodes"][0]["destination_country"] == code


def test_a_thai_name_in_a_thai_form(world, client):
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    client.post("/language", data={"lang": "th"})
    r = client.post(
        "/cases/new",
        data={"given_name": "Malee", "sex": "female", "source": "outreach", "destination_country": "มาเลเซีย"},
    )
    assert r.status_code == 302
    from mdt.cases.models import Episode

    assert db.session.scalars(db.select(Episode.destination_country)).one() == "MY"


def test_a_name_that_matches_nothing_is_refused_and_kept(world, client):
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    r = client.post(
        "/cases/new",
        data={
            "given_name": "Malee",
            "sex": "female",
            "source": "outreach",
            "destination_country": "Atlantis",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "No country is called that" in html
    assert '<option value="Atlantis" selected>Atlantis</option>' in html


def test_the_picker_lists_names_in_the_readers_language(world, client):
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    html = client.get("/cases/new").get_data(as_text=True)
    assert '<option value="MY">Malaysia</option>' in html
    client.post("/language", data={"lang": "th"})
    assert '<option value="MY">มาเลเซีย</option>' in client.get("/cases/new").get_data(as_text=True)


@pytest.mark.parametrize(
    "typed, amount", [("15,000", "15000.00"), ("15,000.50", "15000.50"), ("1500", "1500.00")]
)
def test_amounts_with_the_readers_grouping(world, client, typed, amount):
    """Issue 13: "15,000" in an amount field was refused."""
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    r = client.post(
        "/cases/new",
        data={
            "given_name": "Malee",
            "sex": "female",
            "source": "outreach",
            "destination_country": "MY",
            "recruitment_fee": typed,
        },  # noqa: E501
    )
    assert r.status_code == 302
    from mdt.cases.models import Episode

    assert str(db.session.scalars(db.select(Episode.recruitment_fee)).one()) == amount


@pytest.mark.parametrize("typed", ["1,50,0", "15.000,00", "abc"])
def test_amounts_that_mean_nothing_are_refused_and_kept(world, client, typed):
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    r = client.post(
        "/cases/new",
        data={
            "given_name": "Malee",
            "sex": "female",
            "source": "outreach",
            "destination_country": "MY",
            "recruitment_fee": typed,
        },  # noqa: E501
    )
    assert r.status_code == 422 and f'value="{typed}"' in r.get_data(as_text=True)


def test_the_api_keeps_decimal_strings(world, client):
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    body = {
        "source": "outreach",
        "person": {"given_name": "A", "sex": "female"},
        "episodes": [{"recruitment_fee": "15,000"}],
    }  # noqa: E501
    assert client.post("/api/v1/cases", json=body, headers=headers).status_code == 422


def test_the_consent_form_chooses_no_answer_in_advance(world, client):
    """Issue 13: recording consent defaulted to "agreed"."""
    case = f.case(world["social"])
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    html = client.get(f"/cases/{case.id}/consents").get_data(as_text=True)
    answer = html[html.index('name="given"') : html.index("</select>", html.index('name="given"'))]
    assert "selected" not in answer and '<option value="">' in answer
    r = client.post(f"/cases/{case.id}/consents", data={"purpose": "contact_sms", "language": "Thai"})
    assert r.status_code == 422 and "Say whether the person agreed or refused." in r.get_data(as_text=True)


def test_consent_is_read_back_and_saved_only_as_confirmed(world, client):
    """Issue 13: a read-back sentence before saving, confirmed for exactly the values it read."""
    from mdt.referrals.models import Consent
    from tests.support import confirmed

    case = f.case(world["social"])
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    data = {
        "purpose": "share_with_agency",
        "agency_id": str(world.agencies["legal"].id),
        "given": "true",
        "scope": ["plan", "episodes"],
        "expires_on": "2027-06-30",
    }
    r = client.post(f"/cases/{case.id}/consents", data=data)
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html
    assert (
        "Legal Aid NGO may see these parts of the case: Identity and contact, Migration episodes and "
        "Assistance plan; until 30 June 2027." in html
    )
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
    # Confirmed, then changed before sending: read back again, still nothing saved.
    changed = {**confirmed(data), "scope": ["plan"]}
    r = client.post(f"/cases/{case.id}/consents", data=changed)
    assert (
        r.status_code == 200
        and "Identity and contact and Assistance plan; until 30 June 2027." in r.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0
    assert client.post(f"/cases/{case.id}/consents", data=confirmed(data)).status_code == 302
    saved = db.session.scalars(select(Consent)).one()
    assert sorted(saved.parts) == ["episodes", "person", "plan"]
    # A refusal reads back as one.
    refusal = {"purpose": "contact_sms", "given": "false"}
    r = client.post(f"/cases/{case.id}/consents", data=refusal)
    assert "The person refused: Contact by SMS." in r.get_data(as_text=True)


def test_amounts_are_shown_back_with_the_readers_grouping(world, client):
    """Issue 13: an amount saved as 15000 shows back as "15,000" in the form that edits it."""
    case = f.client_case(world)
    m = f.matter(world, [case])
    db.session.commit()
    claimant = m.claimants[0]
    client.post("/login", data={"email": "lawyer@test.org", "password": f.PASSWORD})
    r = client.post(
        f"/matters/{m.id}/claimants/{claimant.id}",
        data={"status": "active", "amount_awarded": "15,000", "amount_received": "2,500.50"},
    )
    assert r.status_code == 302
    html = client.get(f"/matters/{m.id}").get_data(as_text=True)
    assert 'value="15,000"' in html and 'value="2,500.50"' in html
