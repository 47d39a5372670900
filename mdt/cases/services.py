"""Business rules for returnees and their cases. Plain functions over the session: they flush,
the caller (request, API call, CLI command, task) commits once. Audit rows are written here."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import ARRAY, ColumnElement, Integer, and_, any_, bindparam, func, or_, select, true, tuple_
from sqlalchemy.orm import joinedload, selectinload

from mdt import clock, consent, policy
from mdt.audit.services import changes, record, record_read
from mdt.cases.models import (
    MINOR_AGE,
    SENSITIVE_ASSESSMENT_FIELDS,
    SEXES,
    SOURCES,
    STAGE_MOVES,
    STAGES,
    Assessment,
    Case,
    CaseAgency,
    CaseAssignment,
    CaseCounter,
    CaseRevision,
    Episode,
    EpisodeIntermediary,
    IntakeDraft,
    Intermediary,
    Note,
    Person,
    PlanItem,
    full_name,
)
from mdt.cases.schemas import (
    AssessmentSchema,
    CaseCreateSchema,
    CaseUpdateSchema,
    EpisodeSchema,
    NoteSchema,
    PlanItemSchema,
    StageChangeSchema,
)
from mdt.cases.signals import person_contact_changed
from mdt.directory.models import Agency, Member
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.notifications import services as notifications
from mdt.schema import load
from mdt.signals import send

# ---------------------------------------------------------------- access helpers


def get_case(user, case_id: int, action: str = "case.view", *, whole: bool = False) -> Case:
    """The case if ``user`` may do ``action`` on it. Invisible cases are 404; visible cases the
    user lacks the right on are 403. ``whole`` also loads what the case page shows, in a fixed
    number of queries."""
    options = [
        selectinload(Case.team_agencies).joinedload(CaseAgency.agency),
        selectinload(Case.team_agencies).joinedload(CaseAgency.consent),
        selectinload(Case.assignments).joinedload(CaseAssignment.member),
        joinedload(Case.person),
        joinedload(Case.lead_agency),
    ]
    if whole:
        options.append(
            selectinload(Case.episodes)
            .selectinload(Episode.links)
            .joinedload(EpisodeIntermediary.intermediary)
        )
    case = db.session.get(Case, case_id, options=options)
    if case is None or not policy.can(user, "case.summary", case):
        raise NotFound("No such case.")
    if not policy.can(user, action, case):
        raise Forbidden("You do not have this right on the case.")
    return case


def read_case(user, case_id: int, *, via: str = "web") -> tuple[Case, bool]:
    """Open a case page or API record: returns ``(case, full)`` and audits the read."""
    case = get_case(user, case_id, "case.summary", whole=True)
    full = policy.can(user, "case.view", case)
    record(user, "case.read" if full else "case.read_summary", case, case=case)
    return case, full


def visible(user, case: Case, *, list_row: bool = False) -> dict:
    """What ``user`` may see of ``case``, as the API answers it (``CaseSchema``): a coordinator's
    summary when they are not on the team; otherwise the parts their place on the team opens, and
    the sensitive part only for the lead agency."""
    data = {
        "id": case.id,
        "reference": case.reference,
        "stage": case.stage,
        "full": False,
        "lead_agency": case.lead_agency,
        "opened_on": case.opened_on,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
    }
    if not policy.can(user, "case.view", case):
        return data
    data.update(
        full=True,
        version=case.version,
        source=case.source,
        summary=case.summary,
        district=case.district,
        close_reason=case.close_reason,
        allowed_moves=list(case.allowed_moves) if policy.can(user, "case.edit", case) else [],
        shared_parts=sorted(policy.shared_parts(user, case)),
    )
    if policy.can(user, "case.part.person", case):
        data["person"] = case.person
    if list_row:
        return data
    if policy.can(user, "case.part.episodes", case):
        data["episodes"] = case.episodes
    data["team"] = {
        "agency_ids": [a.agency_id for a in case.team_agencies],
        "member_ids": [a.member_id for a in case.assignments],
    }
    if policy.can(user, "case.sensitive", case):
        data["sensitive"] = db.session.get(Assessment, case.id)
    return data


# ---------------------------------------------------------------- input


def _given(mdt) -> dict:
    """What the case schemas need to know: today in the MDT's zone, the MDT and its currency."""
    return {"today": clock.today(mdt), "mdt_id": mdt.id, "currency": mdt.currency}


# ---------------------------------------------------------------- creating and changing cases


def next_reference(mdt, year: int) -> str:
    stmt = select(CaseCounter).where(CaseCounter.mdt_id == mdt.id, CaseCounter.year == year)
    counter = db.session.scalars(stmt.with_for_update()).first()
    if counter is None:
        counter = CaseCounter(mdt_id=mdt.id, year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return f"{mdt.code}-{year}-{counter.last:04d}"


def intermediary_for(mdt_id: int, name: str, kind: str, country: str | None) -> Intermediary:
    """The registry entry of this name and kind, created when new (case-insensitive match)."""
    stmt = select(Intermediary).where(
        Intermediary.mdt_id == mdt_id,
        Intermediary.kind == kind,
        func.lower(Intermediary.name) == name.lower(),
    )
    found = db.session.scalars(stmt).first()
    if found is None:
        found = Intermediary(mdt_id=mdt_id, name=name, kind=kind, country=country)
        db.session.add(found)
        db.session.flush()
    return found


def _add_episode(case: Case, clean: dict) -> Episode:
    links = clean.pop("intermediaries", [])
    episode = Episode(**clean)
    for position, link in enumerate(links):
        registry = intermediary_for(case.mdt_id, link["name"], link["kind"], link.get("country"))
        episode.links.append(EpisodeIntermediary(intermediary=registry, position=position))
    case.episodes.append(episode)
    return episode


def create_case(actor: Member, data: dict) -> Case:
    """Register a returnee and open a case. Only name, sex and source are required."""
    if not policy.can(actor, "case.create"):
        raise Forbidden("An administrator's account does not register cases.")
    mdt = actor.mdt
    clean = load(CaseCreateSchema, data, **_given(mdt))
    lead = clean.get("lead_agency_id")
    if lead is not None and lead.id != actor.agency_id and lead.is_enforcement:
        # Police and prosecutors lead a case only with the person's recorded consent (and the
        # risks discussed), which cannot exist before the case does.
        raise WorkflowError(
            str(
                _l(
                    "Register the case under your agency and record the person's consent before %(agency)s "
                    "leads it.",
                    agency=lead.name,
                )
            )
        )
    person_id = clean.get("person_id")
    if person_id not in (None, ""):
        # A new case for a person already registered: only for a member who may read one of
        # their cases in full. Otherwise the answer is the same as for an unknown id.
        person = db.session.get(Person, person_id)
        if person is None or not policy.can(actor, "person.link", person):
            raise ValidationError(
                "Some fields are not valid.",
                {
                    "person_id": [
                        str(_l("No such person, or you may not see their cases: ask the coordinator."))
                    ]
                },
            )
    else:
        person = Person(mdt_id=mdt.id, **clean["person"])
        db.session.add(person)
    now, today = clock.now(), clock.today(mdt)
    case = Case(
        mdt_id=mdt.id,
        reference=next_reference(mdt, today.year),
        person=person,
        stage="intake",
        source=clean["source"],
        lead_agency_id=clean["lead_agency_id"].id if clean.get("lead_agency_id") else actor.agency_id,
        summary=clean.get("summary"),
        district=person.home_district,
        opened_on=today,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(case)
    for episode in clean.get("episodes", []):
        _add_episode(case, dict(episode))
    if case.lead_agency_id != actor.agency_id:
        # Whoever registers the person stays on the team.
        case.assignments.append(CaseAssignment(member_id=actor.id))
    db.session.flush()
    record(
        actor,
        "case.create",
        case,
        case=case,
        detail={
            "reference": case.reference,
            "source": case.source,
            "lead_agency_id": case.lead_agency_id,
            "episodes": len(case.episodes),
        },
    )
    return case


def _touch(case: Case) -> None:
    case.updated_at = clock.now()


def new_version(case: Case, fields, actor: Member | None) -> None:
    """One step of the case's version, naming the editable fields it changed."""
    case.version = (case.version or 1) + 1
    db.session.add(
        CaseRevision(
            case_id=case.id, version=case.version, fields=sorted(fields), member_id=actor and actor.id
        )
    )


def lock(case: Case) -> Case:
    """The case's row locked (PostgreSQL), and the fields a change compares read again, so that
    two changes to one case line up. A plain statement: no joined loads (PostgreSQL locks no
    outer join)."""
    db.session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    db.session.refresh(case, ["version", "source", "lead_agency_id", "summary", "district"])
    return case


def update_case(actor: Member, case: Case, data: dict) -> dict:
    if not policy.can(actor, "case.edit", case):
        raise Forbidden("You cannot change this case.")
    clean = load(CaseUpdateSchema, data, partial=True, **_given(actor.mdt))
    lock(case)
    changed = {}
    person_values = clean.pop("person", None)
    new_lead = clean.pop("lead_agency_id", None)
    if new_lead is not None and new_lead.id != case.lead_agency_id:
        if not policy.can(actor, "case.team", case):
            raise Forbidden("Only the lead agency or a coordinator can change the lead agency.")
        # The new lead agency sees every part, the sensitive ones too: only with the person's
        # consent naming it (and, for police or prosecutors, the risks discussed).
        consent.require_share(case, new_lead)
        clean["lead_agency_id"] = new_lead.id
    changed.update(changes(case, clean))
    person_changed = changes(case.person, person_values) if person_values else {}
    changed.update({f"person.{k}": v for k, v in person_changed.items()})
    if "home_district" in person_changed:
        case.district = case.person.home_district
    if changed:
        _touch(case)
        new_version(case, changed, actor)
        db.session.flush()
        record(actor, "case.update", case, case=case, detail={"changes": changed})
    if person_changed:
        # The person is shared by all their cases: each one's trail shows the change.
        for other in db.session.scalars(
            select(Case).where(Case.person_id == case.person_id, Case.id != case.id).with_for_update(of=Case)
        ):
            if "home_district" in person_changed:
                other.district = case.person.home_district
            new_version(other, [f"person.{k}" for k in person_changed], actor)
            record(
                actor,
                "person.update",
                case.person,
                case=other,
                detail={"fields": sorted(person_changed), "via_case_id": case.id},
            )
    if {"phone", "email", "contact_safe"} & set(person_changed):
        send(person_contact_changed, [case.person_id])  # the person's own reminders
    return changed


def change_stage(actor: Member, case: Case, to: str, reason: str | None = None) -> None:
    if not policy.can(actor, "case.stage", case):
        raise Forbidden("You cannot change this case's stage.")
    clean = load(StageChangeSchema, {"to": to, "reason": reason})
    to, reason = clean["to"], clean.get("reason")
    if to not in STAGE_MOVES[case.stage]:
        raise WorkflowError(str(_l("A case cannot move from %(a)s to %(b)s.", a=case.stage, b=to)))
    old = case.stage
    case.stage = to
    if to == "closed":
        case.closed_at = clock.now()
        case.close_reason = reason
    elif old == "closed":
        case.closed_at = None
        case.close_reason = None
    _touch(case)
    db.session.flush()
    action = "case.reopen" if old == "closed" else ("case.close" if to == "closed" else "case.stage")
    record(actor, action, case, case=case, detail={"from": old, "to": to, "reason": reason})


def add_note(actor: Member, case: Case, body: str, restricted: bool = False) -> Note:
    if not policy.can(actor, "case.note", case):
        raise Forbidden("You cannot add notes to this case.")
    clean = load(NoteSchema, {"body": body, "restricted": restricted})
    body, restricted = clean["body"], clean["restricted"]
    if restricted and not policy.can(actor, "case.sensitive", case):
        raise Forbidden("Only the lead agency can write restricted notes.")
    note = Note(case_id=case.id, author_id=actor.id, body=body, restricted=bool(restricted))
    db.session.add(note)
    _touch(case)
    db.session.flush()
    # The audit row records that a note was written, never its text.
    record(actor, "note.create", note, case=case, detail={"restricted": bool(restricted)})
    return note


def add_sms_reply(case: Case, body: str) -> Note:
    """A reply the person sent by SMS (``mdt.sms`` matched it to this case): a plain note with no
    author, read by the case team under the note policy like any other note; the members of the
    team who follow the case are told in the app (``sms_reply_readers``)."""
    note = Note(case_id=case.id, author_id=None, source="sms", body=body, restricted=False)
    db.session.add(note)
    _touch(case)
    db.session.flush()
    # The audit row records that the reply came, never its text.
    record(None, "note.create", note, case=case, detail={"restricted": False, "source": "sms"})
    notifications.notify(sms_reply_readers(case), "sms_reply", case_id=case.id)
    return note


def sms_reply_readers(case: Case) -> list[int]:
    """Who is told of a reply by SMS: the members assigned to the case by name and the member who
    registered it, else (nobody of them active) the lead agency's members; each only while the
    policy lets them read the case's notes, so the reply reaches no one outside the team."""
    named = {a.member_id for a in case.assignments}
    if case.created_by_id is not None:
        named.add(case.created_by_id)
    members = db.session.scalars(
        select(Member).where(Member.id.in_(sorted(named)), Member.active.is_(True))
    ).all()
    if not members:
        members = db.session.scalars(
            select(Member).where(Member.agency_id == case.lead_agency_id, Member.active.is_(True))
        ).all()
    return sorted(m.id for m in members if policy.can(m, "case.part.notes", case))


def case_notes(user, case: Case) -> list[Note]:
    if not policy.can(user, "case.part.notes", case):
        return []
    stmt = case.notes.select().options(joinedload(Note.author)).order_by(Note.created_at.desc())
    if not policy.can(user, "case.sensitive", case):
        stmt = stmt.where(Note.restricted.is_(False))
    return list(db.session.scalars(stmt))


def add_episode(actor: Member, case: Case, data: dict) -> Episode:
    if not policy.can(actor, "case.edit", case):
        raise Forbidden("You cannot change this case.")
    clean = load(EpisodeSchema, data, **_given(actor.mdt))
    episode = _add_episode(case, dict(clean))
    _touch(case)
    db.session.flush()
    record(
        actor,
        "episode.create",
        episode,
        case=case,
        detail={k: v for k, v in clean.items() if k != "intermediaries"},
    )
    return episode


def save_assessment(actor: Member, case: Case, data: dict) -> dict:
    if not policy.can(actor, "case.edit", case):
        raise Forbidden("You cannot change this case.")
    sensitive_allowed = policy.can(actor, "case.sensitive", case)
    values = load(AssessmentSchema, data, partial=True)
    if not sensitive_allowed:
        touched = [f for f in SENSITIVE_ASSESSMENT_FIELDS if f in values]
        if touched:
            raise Forbidden("Only the lead agency can record risks, health and legal status.")
    assessment = db.session.get(Assessment, case.id)
    if assessment is None:
        assessment = Assessment(case_id=case.id)
        db.session.add(assessment)
    changed = changes(assessment, values)
    if changed:
        assessment.updated_at = clock.now()
        _touch(case)
        db.session.flush()
        # Sensitive values never go into the audit trail's detail, only the field names.
        shown = {k: (v if k not in SENSITIVE_ASSESSMENT_FIELDS else "(changed)") for k, v in changed.items()}
        record(actor, "assessment.update", assessment, case=case, detail={"changes": shown})
    return changed


def add_plan_item(actor: Member, case: Case, data: dict) -> PlanItem:
    if not policy.can(actor, "case.edit", case):
        raise Forbidden("You cannot change this case.")
    clean = load(PlanItemSchema, data)
    kind = clean["kind"]
    item = PlanItem(
        case_id=case.id,
        kind=kind,
        text=clean["text"],
        service=clean.get("service") if kind == "service" else None,
    )
    db.session.add(item)
    _touch(case)
    db.session.flush()
    record(actor, "plan.add", item, case=case, detail={"kind": kind, "service": item.service})
    return item


def set_team(actor: Member, case: Case, agency_ids: list[int], member_ids: list[int]) -> dict:
    """Set the agencies and members on the team. Adding another agency, or a member of another
    agency, shares the case: it needs the person's live consent naming that agency (409)."""
    if not policy.can(actor, "case.team", case):
        raise Forbidden("Only the lead agency or a coordinator can change the team.")
    agencies = {
        a.id: a
        for a in db.session.scalars(
            select(Agency).where(
                Agency.mdt_id == case.mdt_id, Agency.id.in_(agency_ids), Agency.id != case.lead_agency_id
            )
        )
    }
    members = {
        m.id: m
        for m in db.session.scalars(
            select(Member).where(Member.mdt_id == case.mdt_id, Member.id.in_(member_ids))
        )
    }
    old_agencies = {a.agency_id for a in case.team_agencies}
    old_members = {a.member_id for a in case.assignments}
    consents = {}
    for agency_id in sorted(set(agencies) - old_agencies):
        consents[agency_id] = consent.require_share(case, agencies[agency_id])
    for member_id in sorted(set(members) - old_members):
        member = members[member_id]
        if member.agency_id != case.lead_agency_id and member.agency_id not in consents:
            consents[member.agency_id] = consent.require_share(case, member.agency)
    case.team_agencies[:] = [a for a in case.team_agencies if a.agency_id in agencies]
    for agency_id in sorted(set(agencies) - old_agencies):
        case.team_agencies.append(CaseAgency(agency_id=agency_id, consent_id=consents[agency_id].id))
    case.assignments[:] = [a for a in case.assignments if a.member_id in members]
    for member_id in sorted(set(members) - old_members):
        case.assignments.append(CaseAssignment(member_id=member_id))
    detail = {
        "agencies": [sorted(old_agencies), sorted(agencies)],
        "members": [sorted(old_members), sorted(members)],
    }
    if old_agencies != set(agencies) or old_members != set(members):
        _touch(case)
        db.session.flush()
        record(actor, "case.team", case, case=case, detail=detail)
    return detail


# ---------------------------------------------------------------- duplicates, lists, search


def possible_duplicates(
    mdt_id: int,
    given_name: str | None,
    family_name: str | None,
    date_of_birth: date | None,
    phone: str | None,
    limit: int = 5,
):
    """People already registered who look like this one: same name and date of birth, or the
    same phone number. Returns people; the caller shows only what the user may see."""
    conditions = []
    wanted = f"{given_name or ''} {family_name or ''}".lower()
    if given_name and date_of_birth:
        if _trigrams():  # a misspelt name too: trigram similarity (pg_trgm's % operator)
            same_name: ColumnElement[bool] = full_name.op("%")(wanted)
        else:
            same_name = and_(
                func.lower(Person.given_name) == given_name.lower(),
                func.lower(Person.family_name) == (family_name or "").lower(),
            )
        conditions.append(and_(Person.date_of_birth == date_of_birth, same_name))
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) >= 6:
        conditions.append(Person.phone == phone)
    if not conditions:
        return []
    stmt = select(Person).where(Person.mdt_id == mdt_id, or_(*conditions)).limit(limit)
    if _trigrams():
        stmt = stmt.order_by(func.similarity(full_name, wanted).desc(), Person.id)
    return db.session.scalars(stmt).all()


def _trigrams() -> bool:
    """Whether the database answers trigram searches (PostgreSQL with pg_trgm, migration 0028)."""
    return db.session.get_bind().dialect.name == "postgresql"


@dataclass
class CaseFilters:
    q: str | None = None
    stage: str | None = None
    agency_id: int | None = None
    district: str | None = None
    destination: str | None = None
    sector: str | None = None
    minor: bool | None = None
    mine: bool = False
    attention: bool = False  # on the user's team and needing a look (``needs_attention``)
    # The dashboard's links (``mdt.reports``): cases opened in a period, of a source, a sex.
    opened_from: date | None = None
    opened_to: date | None = None
    source: str | None = None
    sex: str | None = None
    page: int = 1
    per_page: int = 50
    # Where the previous page ended (``after=``, see ``cursor``): the next page starts there, found
    # through the index instead of counting past every earlier row. ``page`` then only numbers it.
    after: tuple[datetime, int] | None = None


def cursor(case: Case) -> str:
    """Where a page of the list ends, for ``after=``: opaque to users (the last row's time of
    change and id, which the list is ordered by)."""
    raw = f"{case.updated_at.isoformat()}|{case.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(value: str | None) -> tuple[datetime, int] | None:
    """``cursor`` read back; ``None`` for anything that is not one."""
    if not value or len(value) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        when, _sep, case_id = raw.partition("|")
        return datetime.fromisoformat(when), int(case_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def keyset(f: CaseFilters) -> bool:
    """Whether the list pages by ``after=``: when ordered by time of change alone (a name
    search on PostgreSQL orders by closeness and pages by number)."""
    return not _ordering(f)


# The most people a name search looks up before listing their cases (``_filtered``).
PEOPLE_AT_ONCE = 5000


def _filtered(user, f: CaseFilters):
    on_team = policy.team_filter(user)
    stmt = select(Case).where(policy.listable_filter(user, team=on_team))
    if f.mine:
        stmt = stmt.where(on_team)
    if f.attention:
        stmt = stmt.where(_attention_rule(clock.now()), on_team)
    if f.stage in STAGES:
        stmt = stmt.where(Case.stage == f.stage)
    if f.agency_id:
        stmt = stmt.where(Case.lead_agency_id == f.agency_id)
    if f.opened_from:
        stmt = stmt.where(Case.opened_on >= f.opened_from)
    if f.opened_to:
        stmt = stmt.where(Case.opened_on <= f.opened_to)
    if f.source in SOURCES:
        stmt = stmt.where(Case.source == f.source)
    # A filter on what a part of the case holds tells what it holds: it runs only on cases whose
    # part the user's place on the team opens (the person's record for the district, the age and
    # the name; the migration episodes for the destination and the sector).
    person_part = (
        policy.part_filter(user, "person") if (f.district or f.q or f.minor is not None or f.sex) else true()
    )
    if f.district:
        stmt = stmt.where(func.lower(Case.district) == f.district.lower(), person_part)
    if f.destination or f.sector:
        ep = select(Episode.id).where(Episode.case_id == Case.id)
        if f.destination:
            ep = ep.where(Episode.destination_country == f.destination.upper())
        if f.sector:
            ep = ep.where(Episode.sector == f.sector)
        stmt = stmt.where(ep.exists(), policy.part_filter(user, "episodes"))
    needs_person = f.q or f.minor is not None or f.sex in SEXES
    if needs_person:
        stmt = stmt.join(Person, Person.id == Case.person_id)
    if f.sex in SEXES:
        stmt = stmt.where(Person.sex == f.sex, person_part)
    if f.minor is not None:
        cutoff = clock.today(user.mdt) - relativedelta(years=MINOR_AGE)
        if f.minor:
            stmt = stmt.where(Person.date_of_birth > cutoff, person_part)
        else:
            stmt = stmt.where(
                or_(Person.date_of_birth <= cutoff, Person.date_of_birth.is_(None)), person_part
            )
    if f.q:
        term = f.q.strip()
        lowered = term.lower()
        by_name = full_name.contains(lowered, autoescape=True)
        if _trigrams():
            # The people whose name matches (a substring, or a misspelling by pg_trgm's word
            # similarity), found through the trigram index and then their cases by person_id:
            # OR-ed with the case's own columns in one bitmap scan, never a walk through every
            # case of the MDT in date order.
            if len(term) >= 3:
                by_name = or_(by_name, full_name.op("%>")(lowered))
            people = select(Person.id).where(
                or_(by_name, and_(Person.mdt_id == user.mdt_id, Person.phone == term))  # both indexed
            )
            # Looked up once here, not again in the count and in the page: the trigram index
            # is most of a search's cost. A term so common that it matches more people than
            # ``PEOPLE_AT_ONCE`` is left in the query.
            found = db.session.scalars(people.limit(PEOPLE_AT_ONCE + 1)).all()
            if len(found) <= PEOPLE_AT_ONCE:
                person_matches = Case.person_id == any_(
                    bindparam("people", list(found), type_=ARRAY(Integer))
                )
            else:
                person_matches = policy.in_small_set(Case.person_id, people)
        else:
            person_matches = or_(by_name, Person.phone == term)
        # Names are searched only on cases whose person the user may read. Each arm of the OR
        # has its own index (lower(reference), person_id, the summary's trigrams), so that
        # PostgreSQL combines them in one bitmap scan.
        stmt = stmt.where(
            or_(
                func.lower(Case.reference) == lowered,
                and_(person_matches, person_part),
                and_(func.lower(Case.summary).contains(lowered, autoescape=True), person_part),
            )
        )
    return stmt, on_team


COUNT_CAP = 1000


def _ordering(f: CaseFilters) -> list:
    """A search by name on PostgreSQL lists the closest names first (then the latest changed)."""
    if f.q and _trigrams() and len(f.q.strip()) >= 3:
        return [func.word_similarity(f.q.strip().lower(), full_name).desc()]
    return []


def list_cases(user, f: CaseFilters, *, count_cap: int | None = None):
    """One page of the cases ``user`` may see, with ``on_team`` per row, and the total. Constant
    queries. With ``count_cap`` the count stops there (the web list says "more than 1,000"),
    which keeps big lists fast; the API gives the exact total."""
    stmt, on_team = _filtered(user, f)
    counted = stmt.order_by(None).with_only_columns(Case.id)
    if count_cap:
        counted = counted.limit(count_cap + 1)
    total = db.session.scalar(select(func.count()).select_from(counted.subquery()))
    page_stmt = (
        stmt.add_columns(on_team.label("on_team"))
        .options(selectinload(Case.person), selectinload(Case.lead_agency))
        .order_by(*_ordering(f), Case.updated_at.desc(), Case.id.desc())
        .limit(f.per_page)
    )
    if f.after and keyset(f):
        page_stmt = page_stmt.where(tuple_(Case.updated_at, Case.id) < tuple_(*f.after))
    else:
        page_stmt = page_stmt.offset((max(f.page, 1) - 1) * f.per_page)
    rows = db.session.execute(page_stmt).unique().all()
    record_read(user, "case.list", [row[0].id for row in rows], **({"q": f.q} if f.q else {}))
    return [(row[0], bool(row[1])) for row in rows], total


def count_in_stage(user, stage: str) -> int:
    """How many cases the user may see are at ``stage`` (the home page's count, linking to the
    list filtered the same way)."""
    stmt, _team = _filtered(user, CaseFilters(stage=stage))
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _attention_rule(now):
    """Needing a look: at intake for more than a week, or open with no change for 30 days."""
    stale_intake = and_(Case.stage == "intake", Case.created_at < now - timedelta(days=7))
    stalled = and_(Case.stage != "closed", Case.updated_at < now - timedelta(days=30))
    return or_(stale_intake, stalled)


def _attention(user, now):
    return select(Case).where(policy.team_filter(user), _attention_rule(now))


def count_attention(user) -> int:
    """How many cases the list filtered on ``attention`` shows (the home page's count)."""
    stmt, _team = _filtered(user, CaseFilters(attention=True))
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def needs_attention(user, limit: int = 50):
    """Cases on the user's team that need a look: intake older than a week, or no change for 30
    days while open. Later modules add hearings, deadlines and referrals."""
    now = clock.now()
    stmt = (
        _attention(user, now)
        .options(joinedload(Case.person), joinedload(Case.lead_agency))
        .order_by(Case.updated_at.asc())
        .limit(limit)
    )
    cases = db.session.scalars(stmt).all()
    record_read(user, "case.list", [c.id for c in cases])
    result = []
    for case in cases:
        reason = (
            "intake_waiting"
            if case.stage == "intake" and case.created_at < now - timedelta(days=7)
            else "stalled"
        )
        result.append((case, reason))
    return result


def cases_naming(user, intermediary: Intermediary):
    """Cases that name this intermediary: the ones whose episodes the user's place on the team
    opens, with ``named`` (the ids of those whose person part is open too: only these show a
    name), and a count of all of them."""
    base = (
        select(Case)
        .join(Episode, Episode.case_id == Case.id)
        .join(EpisodeIntermediary, EpisodeIntermediary.episode_id == Episode.id)
        .where(EpisodeIntermediary.intermediary_id == intermediary.id, Case.mdt_id == user.mdt_id)
    )
    visible = (
        db.session.scalars(
            base.where(policy.part_filter(user, "episodes"))
            .options(joinedload(Case.person))
            .order_by(Case.reference)
            .distinct()
        )
        .unique()
        .all()
    )
    record_read(user, "case.list", [c.id for c in visible])
    total = db.session.scalar(
        select(func.count()).select_from(base.with_only_columns(Case.id).distinct().subquery())
    )
    ids = [c.id for c in visible]
    named = (
        set(db.session.scalars(select(Case.id).where(Case.id.in_(ids), policy.part_filter(user, "person"))))
        if ids
        else set()
    )
    return visible, total, named


# ---------------------------------------------------------------- intake drafts


def save_draft(actor: Member, data: dict, draft_id: int | None = None) -> IntakeDraft | None:
    """Save what is typed in one intake: the draft ``draft_id`` of the member, or a new one."""
    allowed = {
        k: v
        for k, v in data.items()
        if k not in ("csrf_token", "draft_id") and isinstance(v, str) and len(v) <= 5000 and "\x00" not in v
    }
    draft = get_draft(actor, draft_id) if draft_id else None
    if draft_id and draft is None:
        return None  # registered or discarded meanwhile (a late autosave): nothing comes back
    if draft is None:
        draft = IntakeDraft(member_id=actor.id, data=allowed, created_at=clock.now())
        db.session.add(draft)
    else:
        draft.data = allowed
    draft.saved_at = clock.now()
    db.session.flush()
    return draft


def get_draft(actor: Member, draft_id: int | None) -> IntakeDraft | None:
    """The member's own draft ``draft_id`` (another member's is not found)."""
    if not draft_id:
        return None
    draft = db.session.get(IntakeDraft, draft_id)
    return draft if draft is not None and draft.member_id == actor.id else None


def drafts(actor: Member) -> list[IntakeDraft]:
    """The member's unfinished intakes, the latest first."""
    return list(
        db.session.scalars(
            select(IntakeDraft).where(IntakeDraft.member_id == actor.id).order_by(IntakeDraft.saved_at.desc())
        )
    )


def discard_draft(actor: Member, draft_id: int | None) -> bool:
    draft = get_draft(actor, draft_id)
    if draft is None:
        return False
    db.session.delete(draft)
    db.session.flush()
    return True


def duplicate_matches(user, given_name, family_name, date_of_birth, phone):
    """Possible duplicates as ``user`` may see them. For each person found: ``person`` and the
    cases the user may read, only when they may read one of that person's cases in full;
    otherwise ``person`` is None and all that is said is what matched (``matched_on``: "phone"
    or "name") and how many cases the user cannot see: ask the coordinator."""
    people = possible_duplicates(user.mdt_id, given_name, family_name, date_of_birth, phone)
    if not people:
        return []
    rows = db.session.execute(
        select(Case, policy.listable_filter(user).label("listed"), policy.team_filter(user).label("readable"))
        .where(Case.person_id.in_([p.id for p in people]))
        .order_by(Case.opened_on)
    ).all()
    out: list[dict] = []
    for person in people:
        own = [(c, listed, readable) for c, listed, readable in rows if c.person_id == person.id]
        known = any(readable for _c, _l, readable in own)
        shown = [c for c, listed, _r in own if listed] if known else []
        out.append(
            {
                "person": person if known else None,
                "cases": shown,
                "hidden": len(own) - len(shown),
                "matched_on": "phone" if phone and person.phone == phone else "name",
            }
        )
    record_read(user, "case.list", [c.id for m in out for c in m["cases"]], duplicates=True)
    return out
