"""Need-to-know access: the one place that decides what a member may see and do.

Every view, API endpoint, export and task asks ``can(user, action, obj)`` or builds its queries
with ``team_filter`` / ``listable_filter``. No view decides visibility by itself.

The rules:
- Nobody sees another MDT's data.
- A member is *on a case's team* when their agency leads the case or is on its team, or they are
  assigned to it by name. Team members see and work on the whole case.
- Coordinators see a summary (reference, stage, lead agency, dates) of every case in their MDT,
  and full content only where they are on the team.
- Sensitive assessment fields and restricted notes: only members of the lead agency.
- Admins manage the directory and accounts but read no case content unless on the team.
"""

from __future__ import annotations

from sqlalchemy import Boolean, and_, false, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from mdt.cases.models import Case, CaseAgency, CaseAssignment

CASE_ACTIONS = {
    "case.summary", "case.view", "case.edit", "case.sensitive", "case.stage", "case.note",
    "case.audit", "case.team",
}


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def on_team(user, case: Case) -> bool:
    if user.mdt_id != case.mdt_id:
        return False
    if case.lead_agency_id == user.agency_id:
        return True
    if any(a.agency_id == user.agency_id for a in case.team_agencies):
        return True
    return any(a.member_id == user.id for a in case.assignments)


def can(user, action: str, obj=None) -> bool:
    if not _active(user):
        return False
    if action in CASE_ACTIONS:
        case = obj
        if case is None or case.mdt_id != user.mdt_id:
            return False
        if action == "case.summary":
            return user.has_role("coordinator") or on_team(user, case)
        if not on_team(user, case):
            return False
        if action == "case.sensitive":
            return case.lead_agency_id == user.agency_id
        if action == "case.team":
            return case.lead_agency_id == user.agency_id or user.has_role("coordinator")
        return True
    if action == "case.create":
        return True
    if action == "directory.view":
        return True
    if action == "directory.manage":
        return user.has_role("admin")
    if action == "actionplan.edit":
        return user.has_role("coordinator") or user.has_role("admin")
    if action == "intermediary.view":
        return True
    raise ValueError(f"unknown action {action!r}")


class _InSmallSet(ColumnElement):
    """``column IN (subquery)`` for a subquery that yields few rows. On PostgreSQL it compiles to
    ``column = ANY(ARRAY(subquery))``: the array is computed once, and the condition can then use
    the column's index (and be OR-ed with other indexed conditions in a bitmap scan) instead of
    filtering every row through a hashed subplan."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column, subquery):
        self.column = column
        self.subquery = subquery


@compiles(_InSmallSet)
def _in_small_set_default(element, compiler, **kw):
    return compiler.process(element.column.in_(element.subquery), **kw)


@compiles(_InSmallSet, "postgresql")
def _in_small_set_pg(element, compiler, **kw):
    return "%s = ANY(ARRAY(%s))" % (compiler.process(element.column, **kw),
                                    compiler.process(element.subquery, **kw))


def team_filter(user):
    """SQL condition: cases whose team ``user`` is on (full content): the lead agency's cases (an
    indexed lookup) or the few where the agency is on the team or the user is assigned."""
    joined = union(
        select(CaseAgency.case_id).where(CaseAgency.agency_id == user.agency_id),
        select(CaseAssignment.case_id).where(CaseAssignment.member_id == user.id),
    )
    return and_(
        Case.mdt_id == user.mdt_id,
        or_(Case.lead_agency_id == user.agency_id, _InSmallSet(Case.id, joined)),
    )


def listable_filter(user):
    """SQL condition: cases ``user`` may see at least as a summary."""
    if not _active(user):
        return false()
    if user.has_role("coordinator"):
        return Case.mdt_id == user.mdt_id
    return team_filter(user)


