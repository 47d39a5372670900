"""Who may see and do what on a returnee's case, in Python (one case) and in SQL (lists)."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, and_, column, false, or_, select, table, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from mdt import clock, consent
from mdt.cases.models import Case, CaseAgency, CaseAssignment
from mdt.extensions import db
from mdt.policy.registry import active, rule
from mdt.referrals.models import Consent

ALL_PARTS = frozenset(consent.SHARE_PARTS)


# Roles that read no case content by themselves: administrators and read-only viewers.
NO_CASE_WORK = frozenset({"admin", "viewer", "volunteer"})


def works_on_cases(user) -> bool:
    """An account whose only role is administrator manages the directory, accounts and rules and
    reads no case content, whatever its agency leads (give a colleague who also works on cases
    the member role as well). A viewer (figures only) reads none either."""
    return any(role not in NO_CASE_WORK for role in (user.roles or []))


def shared_parts(user, case: Case) -> frozenset[str]:
    """The parts of ``case`` the user's place on the team opens; empty when not on the team.

    The lead agency's members see every part, and so does the member who registered the person
    while they stay assigned. Anyone else on the team, their agency added or themself assigned by
    name, sees what the person's consent to share with their agency opens, while it is live."""
    if user.mdt_id != case.mdt_id or not works_on_cases(user):
        return frozenset()
    if case.lead_agency_id == user.agency_id:
        return ALL_PARTS
    assigned = any(a.member_id == user.id for a in case.assignments)
    if assigned and case.created_by_id == user.id:
        return ALL_PARTS
    if not assigned and not any(a.agency_id == user.agency_id for a in case.team_agencies):
        return frozenset()
    return consent.for_case(case, consent.SHARING, user.agency_id).parts


def on_team(user, case: Case) -> bool:
    return bool(shared_parts(user, case))


def _case(user, case) -> bool:
    return case is not None and case.mdt_id == user.mdt_id


@rule("case.summary")
def _summary(user, case) -> bool:
    return _case(user, case) and (user.has_role("coordinator") or on_team(user, case))


@rule("case.view")
def _view(user, case) -> bool:
    return _case(user, case) and on_team(user, case)


def _part_rule(part: str):
    """``case.part.<part>``: the part is among those the user's place on the team opens."""

    def check(user, case) -> bool:
        return _case(user, case) and part in shared_parts(user, case)

    return check


for _part in consent.SHARE_PARTS:
    rule(f"case.part.{_part}")(_part_rule(_part))


@rule("case.note")
def _note(user, case) -> bool:
    return _case(user, case) and "notes" in shared_parts(user, case)


@rule("case.sensitive")
def _sensitive(user, case) -> bool:
    """Sensitive assessment fields and restricted notes: the lead agency only."""
    return _case(user, case) and case.lead_agency_id == user.agency_id


@rule("case.team")
def _team(user, case) -> bool:
    if not _case(user, case):
        return False
    parts = shared_parts(user, case)
    return bool(parts) and (
        case.lead_agency_id == user.agency_id or (user.has_role("coordinator") and parts == ALL_PARTS)
    )


@rule("case.edit", "case.stage", "case.audit", "case.consent", "case.refer")
def _whole_team(user, case) -> bool:
    """Editing, stages, the audit trail, consent and referrals: the whole team, not an agency
    that sees only part of the case."""
    return _case(user, case) and shared_parts(user, case) == ALL_PARTS


@rule("case.readers")
def _readers(user, case) -> bool:
    """Who has seen the file (the audit by member and agency): its lead agency and the
    coordinators."""
    return _case(user, case) and (case.lead_agency_id == user.agency_id or user.has_role("coordinator"))


@rule("case.create")
def _create(user, _obj) -> bool:
    return works_on_cases(user)


@rule("person.link")
def _link_person(user, person) -> bool:
    """Opening a new case for a person already registered shares their record (name, contacts,
    the confirmation that the phone is safe) with the new case's team: it needs the right to work
    on one of their cases as a whole (not a consent that opens only part of it)."""
    if person is None or person.mdt_id != user.mdt_id:
        return False
    cases = db.session.scalars(select(Case).where(Case.person_id == person.id, team_filter(user)))
    return any(_whole_team(user, case) for case in cases)


# ---------------------------------------------------------------- the same rules, in SQL


class _InSmallSet(ColumnElement):
    """``column IN (subquery)`` for a subquery that yields few rows. On PostgreSQL it compiles to
    ``column = ANY(ARRAY(subquery))``: the array is computed once, and the condition can then use
    the column's index (and be OR-ed with other indexed conditions in a bitmap scan) instead of
    filtering every row through a hashed subplan."""

    inherit_cache = True
    type = Boolean()
    # Both parts are in the cache key: the statement is compiled once and its parameters (the
    # user's agency, the date) bound on each use.
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("subquery", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column, subquery):
        self.column = column
        self.subquery = subquery


@compiles(_InSmallSet)
def _in_small_set_default(element, compiler, **kw):
    return compiler.process(element.column.in_(element.subquery), **kw)


@compiles(_InSmallSet, "postgresql")
def _in_small_set_pg(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(ARRAY({compiler.process(element.subquery, **kw)}))"


def in_small_set(column, subquery) -> ColumnElement[bool]:
    """``column IN (subquery)`` for a subquery that yields few rows, as ``_InSmallSet`` compiles
    it (the case search uses it for the people whose name matches)."""
    return _InSmallSet(column, subquery)


# The two columns of a case the team rule reads, as a light table (an alias of the mapped class
# costs about a millisecond to build, on every list request).
_CASES = table(Case.__tablename__, column("id", Integer), column("created_by_id", Integer))


def team_filter(user):
    """SQL condition: cases whose team ``user`` is on (full content): the lead agency's cases (an
    indexed lookup) or the few where the agency is on the team or the user is assigned by name, while
    the person's consent to share with the agency is live (the member who registered the person
    and stays assigned needs none)."""
    if not works_on_cases(user):
        return false()
    today = clock.today(user.mdt)
    mine = _CASES.alias()  # not the outer query's case: the set is computed once, uncorrelated
    joined = union(
        select(CaseAgency.case_id).where(
            CaseAgency.agency_id == user.agency_id,
            consent.live_sql(CaseAgency.case_id, consent.SHARING, user.agency_id, on=today),
        ),
        select(CaseAssignment.case_id)
        .join(mine, mine.c.id == CaseAssignment.case_id)
        .where(
            CaseAssignment.member_id == user.id,
            or_(
                mine.c.created_by_id == user.id,
                consent.live_sql(CaseAssignment.case_id, consent.SHARING, user.agency_id, on=today),
            ),
        ),
    )
    return and_(
        Case.mdt_id == user.mdt_id,
        or_(Case.lead_agency_id == user.agency_id, _InSmallSet(Case.id, joined)),
    )


def part_filter(user, part: str):
    """SQL condition: cases whose ``part`` (``person``, ``episodes``...) the user's place on the
    team opens: the lead agency's cases, and those shared with the user's agency (or the user by
    name) where the live consent decision names that part. For filters and searches that would
    otherwise tell what a part holds."""
    if not works_on_cases(user):
        return false()
    today = clock.today(user.mdt)
    candidates = set(
        db.session.scalars(
            union(
                select(CaseAgency.case_id).where(CaseAgency.agency_id == user.agency_id),
                select(CaseAssignment.case_id).where(CaseAssignment.member_id == user.id),
            )
        )
    )
    whole = (
        set(
            db.session.scalars(
                select(Case.id)
                .join(CaseAssignment, CaseAssignment.case_id == Case.id)
                .where(CaseAssignment.member_id == user.id, Case.created_by_id == user.id)
            )
        )
        if candidates
        else set()
    )
    records: dict[int, list] = {}
    if candidates - whole:
        for record in db.session.scalars(
            select(Consent).where(
                Consent.case_id.in_(candidates - whole),
                Consent.purpose == consent.SHARING,
                Consent.agency_id == user.agency_id,
            )
        ):
            records.setdefault(record.case_id, []).append(record)
    opened = whole | {
        case_id
        for case_id, found in records.items()
        if part in consent.decide(found, consent.SHARING, user.agency_id, on=today).parts
    }
    return and_(
        Case.mdt_id == user.mdt_id, or_(Case.lead_agency_id == user.agency_id, Case.id.in_(sorted(opened)))
    )


def listable_filter(user, team=None):
    """SQL condition: cases ``user`` may see at least as a summary. ``team``: ``team_filter(user)``
    when the caller built it already (it is rebuilt otherwise)."""
    if not active(user):
        return false()
    if user.has_role("coordinator"):
        return Case.mdt_id == user.mdt_id
    return team if team is not None else team_filter(user)
