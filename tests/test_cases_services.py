from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from mdt.audit.models import AuditEvent
from mdt.cases import services
from mdt.cases.models import Case, Intermediary, Person
from mdt.errors import Forbidden, ValidationError, WorkflowError
from mdt.extensions import db
from tests import factories as f


def test_only_name_sex_source_required(world):
    with pytest.raises(ValidationError) as exc:
        services.create_case(world["social"], {"person": {}})
    assert set(exc.value.errors) == {"source", "person.given_name", "person.sex"}
    c = f.case(world["social"])
    assert c.stage == "intake"
    assert c.lead_agency_id == world.agencies["sw"].id
    assert c.reference == f"TST-{date.today().year}-0001"


def test_references_count_per_mdt_and_year(world):
    a = f.case(world["social"])
    b = f.case(world["social"], given="Suda")
    other = f.case(world["outsider"], given="Noi")
    year = date.today().year
    assert [a.reference, b.reference] == [f"TST-{year}-0001", f"TST-{year}-0002"]
    assert other.reference == f"OTH-{year}-0001"


def test_minor_flag_from_date_of_birth(world):
    born = date.today().replace(year=date.today().year - 16)
    c = f.case(world["social"], person={"date_of_birth": born.isoformat()})
    assert c.person.age == 16 and c.person.is_minor
    adult = f.case(world["social"], given="Nok", person={"date_of_birth": "1990-05-01"})
    assert not adult.person.is_minor


def test_future_birth_date_refused(world):
    future = (date.today() + timedelta(days=3)).isoformat()
    with pytest.raises(ValidationError) as exc:
        f.case(world["social"], person={"date_of_birth": future})
    assert "person.date_of_birth" in exc.value.errors


def test_episode_with_intermediaries_shares_registry(world):
    chain = [
        {"name": "Siam Overseas Manpower", "kind": "recruitment_agency"},
        {"name": "Khun Prasert", "kind": "broker"},
    ]
    a = f.case(
        world["social"],
        episodes=[
            {
                "destination_country": "se",
                "sector": "agriculture",
                "recruitment_fee": "75000",
                "intermediaries": chain,
            }
        ],
    )
    f.case(
        world["lawyer"],
        given="Somchai",
        sex="male",
        episodes=[
            {
                "destination_country": "SE",
                "intermediaries": [{"name": "siam overseas manpower", "kind": "recruitment_agency"}],
            }
        ],
    )
    db.session.commit()
    assert a.episodes[0].destination_country == "SE"
    assert a.episodes[0].recruitment_fee == Decimal("75000.00")
    registry = db.session.scalars(select(Intermediary)).all()
    assert len(registry) == 2
    agency = next(i for i in registry if i.kind == "recruitment_agency")
    visible, total, named = services.cases_naming(world["social"], agency)
    assert total == 2
    assert [c.id for c in visible] == [a.id]  # the other case is counted, not shown
    assert named == {a.id}


@pytest.mark.parametrize(
    "field,value",
    [("recruitment_fee", "-5"), ("debt_amount", "abc"), ("currency", "XXX1"), ("destination_country", "ZZ")],
)
def test_bad_episode_values(world, field, value):
    with pytest.raises(ValidationError) as exc:
        f.case(world["social"], episodes=[{field: value}])
    assert f"episodes[0].{field}" in exc.value.errors
    assert db.session.scalar(select(Case.id)) is None  # nothing half-saved after rollback
    db.session.rollback()


def test_stage_moves(world):
    c = f.case(world["social"])
    user = world["social"]
    with pytest.raises(WorkflowError):
        services.change_stage(user, c, "active")
    services.change_stage(user, c, "assessment")
    services.change_stage(user, c, "planning")
    services.change_stage(user, c, "active")
    with pytest.raises(ValidationError):
        services.change_stage(user, c, "closed")
    services.change_stage(user, c, "closed", "Goals reached: small shop at home")
    assert c.stage == "closed" and c.closed_at is not None
    with pytest.raises(WorkflowError):
        services.change_stage(user, c, "planning")
    services.change_stage(user, c, "active")
    assert c.stage == "active" and c.close_reason is None
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.case_id == c.id).order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["case.close", "case.reopen"]


def test_restricted_notes_only_for_lead_agency(world):
    c = f.client_case(world, legal_consent=False)
    services.add_note(world["social"], c, "Visited the family", restricted=False)
    services.add_note(world["social"], c, "Health: under treatment", restricted=True)
    with pytest.raises(Forbidden):
        services.add_note(world["lawyer"], c, "x", restricted=True)
    db.session.commit()
    assert len(services.case_notes(world["social2"], c)) == 2
    lawyer_notes = services.case_notes(world["lawyer"], c)
    assert [n.body for n in lawyer_notes] == ["Visited the family"]


def test_sensitive_assessment_fields_need_lead_agency(world):
    c = f.client_case(world, legal_consent=False)
    services.save_assessment(world["lawyer"], c, {"goals": "Get the wages back"})
    with pytest.raises(Forbidden):
        services.save_assessment(world["lawyer"], c, {"immigration_status": "overstayer"})
    services.save_assessment(
        world["social"], c, {"counter_charges": "Employer filed theft charge", "counter_charge_risk": True}
    )
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.update").order_by(AuditEvent.id.desc())
    ).first()
    assert "theft" not in str(event.detail)  # sensitive values never copied into the trail


def test_update_records_old_and_new(world):
    c = f.case(world["social"])
    services.update_case(world["social"], c, {"person": {"phone": "0811111111"}, "summary": "x"})
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.update")).one()
    assert event.detail["changes"]["person.phone"] == [None, "0811111111"]
    assert event.detail["changes"]["summary"] == [None, "x"]


def test_possible_duplicates(world):
    f.case(world["social"], person={"date_of_birth": "1988-02-03", "phone": "0891234567"})
    same = services.possible_duplicates(world.mdt.id, "malee", "SRISUK", date(1988, 2, 3), None)
    assert len(same) == 1
    by_phone = services.possible_duplicates(world.mdt.id, "Other", "", None, "0891234567")
    assert len(by_phone) == 1
    assert (
        services.possible_duplicates(world.other_mdt.id, "Malee", "Srisuk", date(1988, 2, 3), "0891234567")
        == []
    )
    matches = services.duplicate_matches(world["police"], "Malee", "Srisuk", date(1988, 2, 3), None)
    assert matches[0]["cases"] == [] and matches[0]["hidden"] == 1


def test_second_case_for_same_person(world):
    first = f.case(world["social"])
    second = services.create_case(
        world["social"],
        {"person_id": first.person_id, "source": "self", "person": {"given_name": "Malee", "sex": "female"}},
    )
    assert second.person_id == first.person_id
    assert db.session.scalar(select(db.func.count()).select_from(Person)) == 1


def test_filters(world):
    a = f.case(
        world["social"],
        person={"home_district": "Lom Sak", "date_of_birth": "2010-01-01"},
        episodes=[{"destination_country": "LB", "sector": "domestic_work"}],
    )
    f.case(
        world["social"],
        given="Somchai",
        sex="male",
        person={"home_district": "Nong Phai"},
        episodes=[{"destination_country": "SE", "sector": "agriculture"}],
    )
    user = world["social"]

    def refs(**kw):
        return [c.id for c, _ in services.list_cases(user, services.CaseFilters(**kw))[0]]

    assert refs(district="lom sak") == [a.id]
    assert refs(destination="lb") == [a.id]
    assert refs(sector="domestic_work") == [a.id]
    assert refs(minor=True) == [a.id]
    assert refs(q="male") == [a.id]  # Malee
    assert len(refs()) == 2
    assert refs(q=a.reference) == [a.id]


def test_coordinator_cannot_search_names_of_other_teams(world):
    f.case(world["social"], given="Secretname")
    coord = world["coord_labour"]
    rows, total = services.list_cases(coord, services.CaseFilters(q="secretname"))
    assert total == 0
    rows, total = services.list_cases(coord, services.CaseFilters())
    assert total == 1 and rows[0][1] is False
