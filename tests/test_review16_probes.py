# ruff: noqa: E501  (probe tables of the issue-16 review, kept as written)
"""Security review of issue 16 (offline sync, visits, volunteers, triage, public complaints,
two-way SMS): each probe asserts the secure behaviour and FAILS on the code as reviewed."""

from __future__ import annotations

from sqlalchemy import select

from mdt.cases.models import Case
from mdt.extensions import db
from mdt.monitoring import services as monitoring
from mdt.reminders.models import Reminder
from mdt.sync.models import SyncConflict
from mdt.triage import services as triage
from mdt.triage.models import TriageItem
from mdt.visits import services as visits
from mdt.visits.models import Visit
from tests import factories as f


def _volunteer(world):
    member = f.member(world.mdt, world.agencies["sw"], "watchdog@test.org", ("volunteer",), name="Watchdog")
    db.session.commit()
    return member


def _accepted_intake(world):
    """A volunteer's intake, accepted by the social-welfare coordinator: a case led by social
    welfare, on whose team the labour office's coordinator is not."""
    watchdog = _volunteer(world)
    item = triage.submit(
        watchdog,
        "intake",
        {
            "person": {
                "given_name": "Noi",
                "family_name": "Saengdao",
                "sex": "female",
                "phone": "0819998877",
                "home_village": "Ban Nong Bua",
            },
            "source": "watchdog",
            "summary": "Escaped the boat in Ambon; the broker threatens her family.",
        },
    )
    db.session.commit()
    case = triage.accept(world["coordinator"], item)
    db.session.commit()
    return item, case


# ---------------------------------------------------------------- 1. triage keeps case content


def test_an_accepted_intake_is_not_readable_by_a_coordinator_off_the_case_team(client, world, auth):
    item, case = _accepted_intake(world)
    outsider = world["coord_labour"]  # coordinator of the same MDT, labour office, not on the team
    from mdt import policy

    assert not policy.can(outsider, "case.view", case)  # the case itself shows them a summary only
    auth.login("coordlab@test.org")
    page = client.get(f"/triage/{item.id}").get_data(as_text=True)
    assert "Saengdao" not in page and "0819998877" not in page and "Ambon" not in page
    listed = client.get("/triage?status=accepted").get_data(as_text=True)
    assert "Saengdao" not in listed
    api = client.get(
        "/api/v1/triage?status=accepted", headers={"Authorization": f"Bearer {f.token(outsider)}"}
    ).get_data(as_text=True)
    assert "Saengdao" not in api and "0819998877" not in api and "Ambon" not in api


def test_a_merged_complaint_is_not_readable_by_a_coordinator_off_the_case_team(client, world, auth):
    case = f.client_case(world)
    item, _code, _phrase = triage.complain(
        {
            "what_happened": "My employer in Jeddah kept my passport.",
            "contact": "line:noi77",
            "mdt_id": world.mdt.id,
        },
        "198.51.100.7",
    )
    db.session.commit()
    triage.merge(world["coordinator"], item, {"reference": case.reference})
    db.session.commit()
    auth.login("coordlab@test.org")
    page = client.get(f"/triage/{item.id}").get_data(as_text=True)
    assert "Jeddah" not in page and "noi77" not in page


# ---------------------------------------------------------------- 2. de-identification


def test_deidentification_removes_visit_text_conflict_values_and_the_triage_copy(client, world):
    from mdt.privacy.retention import _deidentify_cases

    item, case = _accepted_intake(world)
    visits.add_visit(
        world["coordinator"],
        case,
        {
            "visited_on": "2026-06-10",
            "wellbeing": "at_risk",
            "place": "Uncle's house, Ban Nong Bua",
            "notes": "Hiding from the broker at her uncle's.",
        },
    )
    db.session.add(
        SyncConflict(
            case_id=case.id,
            member_id=world["coordinator"].id,
            field="person.phone",
            server={"value": "0819998877"},
            yours={"value": "0812220000"},
            base_version=1,
        )
    )
    db.session.commit()
    _deidentify_cases([case.id])
    db.session.commit()
    db.session.expire_all()
    left = []
    visit = db.session.scalar(select(Visit).where(Visit.case_id == case.id))
    if visit.notes or (visit.place or "").startswith("Uncle"):
        left.append("visit.notes/place")
    for c in db.session.scalars(select(SyncConflict).where(SyncConflict.case_id == case.id)):
        if "0819998877" in str(c.server) or "0812220000" in str(c.yours):
            left.append("sync_conflict.server/yours")
    kept = db.session.get(TriageItem, item.id)
    if "Saengdao" in str(kept.data) or "0819998877" in str(kept.data):
        left.append("triage_item.data")
    assert left == []


# ---------------------------------------------------------------- 3. status check timing


def test_the_status_check_costs_the_same_whether_the_code_exists_or_not(client, world, monkeypatch):
    _item, code, _phrase = triage.complain(
        {"what_happened": "No pay", "mdt_id": world.mdt.id}, "198.51.100.8"
    )
    db.session.commit()
    from mdt.triage import services as svc

    hashes = []
    real_gen, real_check = svc.generate_password_hash, svc.check_password_hash
    monkeypatch.setattr(
        svc, "generate_password_hash", lambda *a, **k: hashes.append("g") or real_gen(*a, **k)
    )
    monkeypatch.setattr(svc, "check_password_hash", lambda *a, **k: hashes.append("c") or real_check(*a, **k))
    client.get("/public/complaints/status", query_string={"code": code, "phrase": "1111 2222"})
    existing = len(hashes)
    hashes.clear()
    client.get("/public/complaints/status", query_string={"code": "ZZZZ-ZZZZ", "phrase": "1111 2222"})
    missing = len(hashes)
    # Each PBKDF2 run (100,000 rounds) is measurable: a code that does not exist must not cost
    # twice what an existing one does, or response times tell which codes exist.
    assert existing == missing


# ---------------------------------------------------------------- 4. anonymous input in figures


def test_an_unreviewed_anonymous_complaint_does_not_raise_an_agencys_complaint_count(client, world):
    from mdt.cases.models import Intermediary

    agency = Intermediary(
        mdt_id=world.mdt.id, name="Rival Jobs Co.", kind="recruitment_agency", licence_no="9/2561"
    )
    db.session.add(agency)
    db.session.commit()
    for n in range(3):  # anyone, no account, from a few addresses
        assert (
            client.post(
                "/public/complaints",
                json={"what_happened": f"made up {n}", "agency_id": agency.id, "mdt_id": world.mdt.id},
                environ_base={"REMOTE_ADDR": f"203.0.113.{n}"},
            ).status_code
            == 201
        )
    assert monitoring.figures(world["coordinator"], [agency.id])[agency.id]["complaints"] == 0


# ---------------------------------------------------------------- 5. visit reminders follow access


def test_visit_reminders_stop_for_a_member_whose_access_was_withdrawn(world):
    from mdt.cases import services as cases
    from mdt.referrals import services as referrals
    from mdt.referrals.models import Consent

    social, labour = world["social"], world["labour"]
    case = f.case(
        social,
        given="Kanya",
        episodes=[{"destination_country": "KR", "departed_on": "2025-01-10", "returned_on": "2026-05-20"}],
    )
    referrals.record_consent(
        social,
        case,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": world.agencies["labour"].id,
            "scope": f.ALL_PARTS,
        },
    )
    cases.set_team(social, case, [], [labour.id])  # the labour officer follows the case by name
    visits.set_schedule(social, case, {"months": [1]})
    db.session.commit()
    assert db.session.scalars(
        select(Reminder).where(
            Reminder.source_type == "visit", Reminder.member_id == labour.id, Reminder.status == "pending"
        )
    ).all()
    # The person withdraws the consent: the labour office loses the case.
    consent = db.session.scalar(
        select(Consent).where(Consent.case_id == case.id, Consent.agency_id == world.agencies["labour"].id)
    )
    referrals.withdraw_consent(social, consent, "the person asked")
    db.session.commit()
    from mdt import policy

    db.session.expire_all()
    assert not policy.can(
        db.session.get(type(labour), labour.id), "visit.view", db.session.get(Case, case.id)
    )
    still = db.session.scalars(
        select(Reminder).where(
            Reminder.source_type == "visit", Reminder.member_id == labour.id, Reminder.status == "pending"
        )
    ).all()
    assert still == []  # no email/SMS about this case to someone who may no longer read it


# ---------------------------------------------------------------- 6. what the coordinator accepts


def test_the_coordinator_sees_every_field_of_an_intake_before_accepting_it(client, world, auth):
    watchdog = _volunteer(world)
    item = triage.submit(
        watchdog,
        "intake",
        {
            "person": {
                "given_name": "Dao",
                "sex": "female",
                "email": "dao.family@example.org",
                "contact_safe": True,
                "languages": "Lao",
            },
            "source": "watchdog",
            "episodes": [{"destination_country": "KR", "debt_lender": "Mr Somchai, Ban Hin Lat"}],
        },
    )
    db.session.commit()
    auth.login("coord@test.org")
    page = client.get(f"/triage/{item.id}").get_data(as_text=True)
    case = triage.accept(world["coordinator"], item)
    db.session.commit()
    # Only the person confirms to a member that a phone reaches them alone: not a volunteer.
    assert case.person.email == "dao.family@example.org" and not case.person.contact_safe
    # What the case got, the coordinator was shown before accepting.
    assert "dao.family@example.org" in page and "Mr Somchai" in page
