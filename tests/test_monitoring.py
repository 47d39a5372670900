"""The monitoring record of recruitment agencies: licence status, other names, the people behind
them, evidence scored against the criteria, the figures that say whom to pursue, merging two
entries with an undo, and the list of agencies to warn villages about."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update

from mdt import policy
from mdt.cases.models import Episode, EpisodeIntermediary, Intermediary
from mdt.directory.models import Member
from mdt.errors import Forbidden, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.legal.models import LegalMatter, MatterRespondent
from mdt.monitoring import services as monitoring
from mdt.monitoring.models import MonitoringEvidence
from tests import factories as f


def _agency_case(world, given, agency="Siam Overseas Manpower", broker=None):
    chain = [{"name": agency, "kind": "recruitment_agency"}]
    if broker:
        chain.append({"name": broker, "kind": "broker"})
    case = f.case(
        world["social"],
        given=given,
        episodes=[{"destination_country": "SE", "sector": "agriculture", "intermediaries": chain}],
    )
    db.session.commit()
    return case


def _share_with_legal_aid(world, case) -> None:
    """The legal aid NGO's lawyer takes the case to court (as ``f.client_case`` does)."""
    from mdt.cases import services as cases
    from mdt.referrals import services as referrals

    legal = world.agencies["legal"].id
    referrals.record_consent(
        world["social"],
        case,
        {"purpose": "share_with_agency", "given": True, "agency_id": legal, "scope": f.ALL_PARTS},
    )
    cases.set_team(world["social"], case, [legal], [])
    referrals.record_consent(world["social"], case, {"purpose": "legal_action", "given": True})
    db.session.commit()


def _entry(world, name) -> Intermediary:
    return db.session.scalars(
        select(Intermediary).where(Intermediary.mdt_id == world.mdt.id, Intermediary.name == name)
    ).one()


def test_the_record_licence_names_and_people_behind(world):
    _agency_case(world, "Malee", broker="Khun Somchai")
    agency, broker = _entry(world, "Siam Overseas Manpower"), _entry(world, "Khun Somchai")
    coordinator = world["coordinator"]
    changed = monitoring.update_record(
        coordinator,
        agency,
        {
            "licence_no": "ก.123/2560",
            "licence_status": "suspended",
            "licence_status_on": "2026-05-02",
            "licence_source": "Department of Employment notice 14/2569",
            "aliases": "Siam Overseas\nSOM Co., Ltd.\n",
            "addresses": "12 Moo 3, Lom Sak",
        },
    )
    assert changed["licence_status"] == [None, "suspended"]
    assert agency.aliases == ["Siam Overseas", "SOM Co., Ltd."] and agency.warned_against
    monitoring.add_relation(coordinator, agency, {"related_id": broker.id, "role": "owner"})
    db.session.commit()
    behind, _fronts = monitoring.relations(agency)
    assert [(r.related.name, r.role) for r in behind] == [("Khun Somchai", "owner")]
    assert [r.intermediary.name for r in monitoring.relations(broker)[1]] == ["Siam Overseas Manpower"]
    with pytest.raises(ValidationError) as bad:
        monitoring.update_record(
            coordinator, agency, {"licence_status": "closed", "licence_status_on": "2099-01-01"}
        )
    assert set(bad.value.errors) == {"licence_status", "licence_status_on"}
    with pytest.raises(ValidationError):
        monitoring.add_relation(coordinator, agency, {"related_id": agency.id, "role": "owner"})
    # a social worker reads the registry but does not keep the monitoring record
    with pytest.raises(Forbidden):
        monitoring.update_record(world["social"], agency, {"licence_status": "licensed"})
    # a labour officer does
    monitoring.update_record(world["labour"], agency, {"licence_status": "revoked"})


def test_evidence_scores_and_their_history(world):
    _agency_case(world, "Malee")
    agency = _entry(world, "Siam Overseas Manpower")
    officer = world["labour"]
    for day, kind, criterion, score in (
        ("2026-01-10", "job_ad", "advertising", 1),
        ("2026-03-05", "visit", "licence", 2),
        ("2026-04-20", "job_ad", "advertising", 3),
        ("2026-05-01", "complaint", None, None),
        ("2026-05-02", "complaint", None, None),
    ):
        monitoring.add_evidence(
            officer,
            agency,
            {
                "kind": kind,
                "observed_on": day,
                "criterion": criterion or "",
                "score": str(score or ""),
                "summary": "Seen",
            },
        )
    db.session.commit()
    found = monitoring.scores(monitoring.evidence_of(agency))
    assert found["advertising"]["current"] == 3 and [s for _d, s in found["advertising"]["history"]] == [1, 3]
    assert found["licence"]["current"] == 2 and "conduct" not in found
    with pytest.raises(ValidationError) as bad:
        monitoring.add_evidence(officer, agency, {"kind": "visit", "observed_on": "2026-05-01", "score": "4"})
    assert set(bad.value.errors) == {"score", "summary"}
    with pytest.raises(ValidationError) as bad:
        monitoring.add_evidence(
            officer, agency, {"kind": "visit", "observed_on": "2026-05-01", "score": "2", "summary": "x"}
        )
    assert "criterion" in bad.value.errors
    assert monitoring.figures(world["coordinator"], [agency.id])[agency.id]["complaints"] == 2


def test_figures_say_whom_to_pursue_and_hide_small_counts_of_cases(world):
    cases = [_agency_case(world, f"Worker {i}") for i in range(6)]
    _agency_case(world, "Lone", agency="Small Broker Co")
    for c in cases[:2]:
        _share_with_legal_aid(world, c)
    matter = f.matter(world, cases[:2])  # against Siam Overseas Manpower, 191,374 claimed each
    claimant = matter.claimants[0]
    claimant.amount_received = Decimal("50000")
    db.session.commit()
    rows = monitoring.registry(world["coordinator"], sort="claimed")
    assert rows[0][0].name == "Siam Overseas Manpower"
    numbers = rows[0][1]
    assert numbers["cases"] == 6 and numbers["matters"] == 1
    assert numbers["claimed"] == {"THB": Decimal("382748.00")} and numbers["recovered"] == {
        "THB": Decimal("50000.00")
    }
    assert numbers["outcomes"] == {"active": 2}
    small = dict((item.name, n) for item, n in rows)["Small Broker Co"]
    assert small["cases"] == 1  # the coordinator's agency leads it: on their team
    # the police officer sees no case of these: one case naming the broker is a small count
    police = dict((item.name, n) for item, n in monitoring.registry(world["police"]))
    assert police["Small Broker Co"]["cases"] == "<5" and police["Siam Overseas Manpower"]["cases"] == 6
    by_cases = [item.name for item, _n in monitoring.registry(world["coordinator"], sort="cases")]
    assert by_cases.index("Siam Overseas Manpower") < by_cases.index("Small Broker Co")


def test_merging_keeps_every_link_and_can_be_undone(world):
    a = _agency_case(world, "Malee", agency="Siam Overseas Manpower", broker="Khun Somchai")
    b = _agency_case(world, "Nok", agency="Siam Overseas Manpower Co.", broker="Khun Somchai")
    both = _agency_case(world, "Pim", agency="Siam Overseas Manpower")
    kept, other = _entry(world, "Siam Overseas Manpower"), _entry(world, "Siam Overseas Manpower Co.")
    broker = _entry(world, "Khun Somchai")
    # the same episode names both spellings: after the merge it names the agency once
    episode = both.episodes[0]
    db.session.add(EpisodeIntermediary(episode_id=episode.id, intermediary_id=other.id, position=5))
    matter = f.matter(
        world, [], respondents=[{"name": "Siam Overseas Manpower Co.", "kind": "recruitment_agency"}]
    )
    coordinator = world["coordinator"]
    monitoring.add_relation(coordinator, other, {"related_id": broker.id, "role": "owner"})
    monitoring.add_evidence(
        coordinator, other, {"kind": "complaint", "observed_on": "2026-05-01", "summary": "Fee"}
    )
    db.session.commit()

    def links(item):
        return (
            sorted(
                db.session.scalars(
                    select(EpisodeIntermediary.episode_id).where(
                        EpisodeIntermediary.intermediary_id == item.id
                    )
                )
            ),
            sorted(
                db.session.scalars(
                    select(MatterRespondent.matter_id).where(MatterRespondent.intermediary_id == item.id)
                )
            ),
            len(monitoring.relations(item)[0]),
            db.session.scalar(select(db.func.count()).where(MonitoringEvidence.intermediary_id == item.id)),
        )

    before_kept, before_other = links(kept), links(other)
    with pytest.raises(Forbidden):
        monitoring.merge(world["labour"], kept, other)
    done = monitoring.merge(coordinator, kept, other, "Same licence number")
    db.session.commit()
    episodes = {a.episodes[0].id, b.episodes[0].id, episode.id}
    assert set(links(kept)[0]) == episodes and links(other) == ([], [], 0, 0)
    assert matter.id in links(kept)[1] and links(kept)[2] == 1 and links(kept)[3] == 1
    assert other.merged_into_id == kept.id and "Siam Overseas Manpower Co." in kept.aliases
    assert other.id not in [item.id for item, _n in monitoring.registry(coordinator)]
    with pytest.raises(WorkflowError):
        monitoring.merge(coordinator, kept, other)
    monitoring.undo(coordinator, done.id)
    db.session.commit()
    db.session.expire_all()
    assert links(kept) == before_kept and links(other) == before_other
    assert other.merged_into_id is None and not (kept.aliases or [])
    with pytest.raises(WorkflowError):
        monitoring.undo(coordinator, done.id)


def test_the_pages_and_the_outreach_list(world, client, auth):
    _agency_case(world, "Malee", broker="Khun Somchai")
    agency, broker = _entry(world, "Siam Overseas Manpower"), _entry(world, "Khun Somchai")
    auth.login("coord@test.org")
    page = client.get(f"/directory/intermediaries/{agency.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Monitoring: criteria and evidence" in html and "<title>Siam" in html
    r = client.post(
        f"/directory/intermediaries/{agency.id}/record",
        data={
            "licence_status": "blacklisted",
            "licence_status_on": "2099-01-01",
            "licence_source": "Notice 9",
        },
    )
    assert r.status_code == 422 and "This date cannot be in the future." in r.get_data(as_text=True)
    assert 'value="Notice 9"' in r.get_data(as_text=True)
    r = client.post(
        f"/directory/intermediaries/{agency.id}/record",
        data={
            "licence_status": "blacklisted",
            "licence_status_on": "2026-05-01",
            "licence_source": "Notice 9",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/directory/intermediaries/{agency.id}/evidence",
        data={
            "kind": "visit",
            "observed_on": "2026-05-03",
            "criterion": "licence",
            "score": "1",
            "summary": "Closed office",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/directory/intermediaries/{agency.id}/relations", data={"related_id": broker.id, "role": "owner"}
    )
    assert r.status_code == 302
    html = client.get(f"/directory/intermediaries/{agency.id}").get_data(as_text=True)
    assert "Closed office" in html and "Khun Somchai" in html and "Blacklisted" in html
    listing = client.get("/directory/intermediaries?sort=cases&warned=1").get_data(as_text=True)
    assert "Siam Overseas Manpower" in listing and "Khun Somchai" not in listing
    body = client.get("/directory/intermediaries/outreach.csv").data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["name"], r["status"], r["source"]) for r in rows] == [
        ("Siam Overseas Manpower", "blacklisted", "Notice 9")
    ]
    assert "Malee" not in body
    dashboard = client.get("/reports").get_data(as_text=True)
    assert "named most" in dashboard and "Siam Overseas Manpower" in dashboard
    r = client.post(f"/directory/intermediaries/{agency.id}/merge", data={"merged_id": broker.id})
    assert r.status_code == 302
    auth.logout()
    auth.login("social@test.org")
    assert client.post(f"/directory/intermediaries/{agency.id}/evidence", data={}).status_code == 403
    assert client.get(f"/directory/intermediaries/{agency.id}").status_code == 200


# ---------------------------------------------------------------- the security review (issue 14)


def _one_claimant(world):
    case = _agency_case(world, "Lone Claimant")
    _share_with_legal_aid(world, case)
    f.matter(world, [case])  # one claimant, 191,374.00 claimed, against Siam Overseas Manpower
    return _entry(world, "Siam Overseas Manpower")


@pytest.mark.parametrize("who", ["police@test.org", "viewer@test.org"])
def test_the_registry_keeps_one_outsiders_claim_to_itself(world, client, auth, who):
    """One claimant outside the reader's teams: the amount claimed, the number of matters and the
    claimant's outcome are theirs. Amounts are left out and counts show as "<5"."""
    agency = _one_claimant(world)
    auth.login(who)
    page = client.get(f"/directory/intermediaries/{agency.id}").get_data(as_text=True)
    listing = client.get("/directory/intermediaries?sort=claimed").get_data(as_text=True)
    assert "191,374" not in page and "191,374" not in listing
    assert "Legal matters in this MDT that name them: &lt;5." in page
    assert "Active &lt;5" in page or "active &lt;5" in page.lower()
    # the lawyer on the matter sees it all
    auth.logout()
    auth.login("lawyer@test.org")
    page = client.get(f"/directory/intermediaries/{agency.id}").get_data(as_text=True)
    assert "191,374" in page and "Legal matters in this MDT that name them: 1." in page


def test_a_viewer_reads_no_matter_through_their_agencys_lawyer(world, client, auth):
    agency = _one_claimant(world)
    f.member(world.mdt, world.agencies["legal"], "donor@test.org", ("viewer",))
    db.session.commit()
    auth.login("donor@test.org")
    page = client.get(f"/directory/intermediaries/{agency.id}").get_data(as_text=True)
    assert "Berry pickers v. Siam Overseas" not in page
    donor = db.session.scalars(select(Member).where(Member.email == "donor@test.org")).one()
    assert not db.session.scalars(select(LegalMatter).where(policy.matter_filter(donor))).all()


def test_sorting_by_cases_does_not_order_hidden_counts(world):
    """ "Alpha" named in 1 case, "Zulu" in 4: both "<5" to the police; sorted by cases, Zulu first
    would tell that Zulu has more. Hidden counts sort alike, by name."""
    _agency_case(world, "A1", agency="Alpha Agency")
    for i in range(4):
        _agency_case(world, f"Z{i}", agency="Zulu Agency")
    for i in range(6):
        _agency_case(world, f"B{i}", agency="Big Agency")
    rows = [(item.name, n["cases"]) for item, n in monitoring.registry(world["police"], sort="cases")]
    assert rows == [("Big Agency", 6), ("Alpha Agency", "<5"), ("Zulu Agency", "<5")]


def test_an_undo_after_the_kept_entry_was_merged_again_is_refused(world):
    """B merged into A, then A into C: undoing the first would look for B's links on A,
    where they no longer are, and bring B back with nothing. It is refused until the later merge
    is undone."""
    case_b = _agency_case(world, "Bee", agency="B Agency")
    _agency_case(world, "Aye", agency="A Agency")
    _agency_case(world, "Cee", agency="C Agency")
    a, b, c = (_entry(world, n) for n in ("A Agency", "B Agency", "C Agency"))
    coordinator = world["coordinator"]
    first = monitoring.merge(coordinator, a, b)
    second = monitoring.merge(coordinator, c, a)
    db.session.commit()
    with pytest.raises(WorkflowError):
        monitoring.undo(coordinator, first.id)
    db.session.rollback()
    monitoring.undo(coordinator, second.id)
    monitoring.undo(coordinator, first.id)
    db.session.commit()
    named = db.session.scalars(
        select(EpisodeIntermediary.intermediary_id).where(
            EpisodeIntermediary.episode_id == case_b.episodes[0].id
        )
    ).all()
    assert named == [b.id]


def test_an_undo_skips_a_dropped_link_whose_episode_is_gone(world):
    """An episode named both entries: the merge dropped its link to the one merged. The episode is
    deleted before the undo; the undo puts back the rest and does not name a missing episode."""
    case = f.case(
        world["social"],
        given="Both",
        episodes=[
            {
                "destination_country": "SE",
                "intermediaries": [
                    {"name": "A Agency", "kind": "recruitment_agency"},
                    {"name": "B Agency", "kind": "recruitment_agency"},
                ],
            }
        ],
    )
    _agency_case(world, "Bee", agency="B Agency")
    db.session.commit()
    a, b = _entry(world, "A Agency"), _entry(world, "B Agency")
    done = monitoring.merge(world["coordinator"], a, b)
    db.session.commit()
    gone = case.episodes[0].id
    db.session.execute(delete(EpisodeIntermediary).where(EpisodeIntermediary.episode_id == gone))
    db.session.execute(delete(Episode).where(Episode.id == gone))
    db.session.commit()
    monitoring.undo(world["coordinator"], done.id)
    db.session.commit()
    assert not db.session.scalars(
        select(EpisodeIntermediary).where(EpisodeIntermediary.episode_id == gone)
    ).all()
    assert b.merged_into_id is None


def test_a_case_shared_for_its_episodes_only_shows_no_name_on_the_registry(world, client, auth):
    """Security review, issue 14: the entry's page listed the person's name of every case whose
    episodes the reader may see. A sharing consent recorded today always opens the person too,
    but one kept from before that rule (or written by an import) may not: the page asks the
    policy for the person part, not only the episodes."""
    from mdt.cases import services as cases
    from mdt.referrals import services as referrals
    from mdt.referrals.models import Consent

    case = _agency_case(world, "Malee")
    labour = world.agencies["labour"].id
    given = referrals.record_consent(
        world["social"],
        case,
        {"purpose": "share_with_agency", "given": True, "agency_id": labour, "scope": ["episodes"]},
    )
    cases.set_team(world["social"], case, [labour], [])
    db.session.execute(update(Consent).where(Consent.id == given.id).values(scope=["episodes"]))
    db.session.commit()
    agency = _entry(world, "Siam Overseas Manpower")
    auth.login("labour@test.org")
    page = client.get(f"/directory/intermediaries/{agency.id}").get_data(as_text=True)
    assert case.reference in page
    assert "Malee" not in page


def test_spreadsheet_files_do_not_run_what_was_typed(world, client, auth):
    """Security review, issue 14: a name typed as ``=HYPERLINK(...)`` in the registry, or a
    province typed as ``+cmd``, would run as a formula when the CSV or XLSX is opened."""
    from openpyxl import load_workbook

    from mdt.reports import export

    trap = '=HYPERLINK("http://example.org/x","Click")'
    _agency_case(world, "Malee", agency=trap)
    agency = _entry(world, trap)
    agency.licence_status, agency.licence_source = "blacklisted", "@SUM(1+1)"
    db.session.commit()
    auth.login("coord@test.org")
    body = client.get("/directory/intermediaries/outreach.csv").data.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(body)))
    assert row["name"] == "'" + trap and row["source"] == "'@SUM(1+1)"
    rows = [{"province": "+cmd|' /C calc'!A0", "year": "2026", "person": 1}]
    assert "'+cmd" in export._csv([], rows).decode()
    book = load_workbook(io.BytesIO(export._xlsx([], rows)))
    cells = next(book["data"].iter_rows(min_row=2))
    assert "'+cmd|' /C calc'!A0" in [cell.value for cell in cells]
    assert all(cell.data_type != "f" for cell in cells)


def test_a_kind_that_is_not_a_kind_is_read_as_none(world, client, auth):
    """PostgreSQL refuses a NUL in a string: an unknown ``kind`` (``%00``) was sent to the database
    and answered 500 there (found by CI on PostgreSQL; SQLite took it)."""
    _agency_case(world, "Malee")
    auth.login("coord@test.org")
    for kind in ("%00", "nonsense", "broker"):
        r = client.get(f"/directory/intermediaries?kind={kind}")
        assert r.status_code == 200
    page = client.get("/directory/intermediaries?kind=%00").get_data(as_text=True)
    assert "Siam Overseas Manpower" in page
