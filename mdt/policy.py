"""Need-to-know access: the one place that decides what a member may see and do.

Every view, API endpoint, export and task asks ``can(user, action, obj)`` or builds its queries
with ``team_filter`` / ``listable_filter``. No view decides visibility by itself.

The rules:
- Nobody sees another MDT's data.
- A member is *on a case's team* when their agency leads the case or is on its team, or they are
  assigned to it by name. An agency that joined through the person's consent (a referral, or the
  lead agency adding it) stays on the team only while that consent is live, and its members see
  only the parts of the case the consent covers (``shared_parts``).
- Coordinators see a summary (reference, stage, lead agency, dates) of every case in their MDT,
  and full content only where they are on the team.
- Sensitive assessment fields and restricted notes: only members of the lead agency.
- Admins manage the directory and accounts but read no case content unless on the team.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, and_, exists, false, or_, select, union
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from mdt.cases.models import Case, CaseAgency, CaseAssignment
from mdt.referrals.models import SHARE_PARTS, Consent

ALL_PARTS = frozenset(SHARE_PARTS)
CASE_ACTIONS = {
    "case.summary", "case.view", "case.edit", "case.sensitive", "case.stage", "case.note",
    "case.audit", "case.team", "case.refer", "case.consent",
}
PART_ACTIONS = {f"case.part.{p}" for p in SHARE_PARTS}
REFERRAL_ACTIONS = {"referral.view", "referral.answer", "referral.complete", "referral.withdraw",
                    "referral.instalment"}


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def shared_parts(user, case: Case) -> frozenset[str]:
    """The parts of ``case`` the user's place on the team opens; empty when not on the team."""
    if user.mdt_id != case.mdt_id:
        return frozenset()
    if case.lead_agency_id == user.agency_id:
        return ALL_PARTS
    if any(a.member_id == user.id for a in case.assignments):
        return ALL_PARTS
    today = date.today()
    parts: set[str] = set()
    for link in case.team_agencies:
        if link.agency_id != user.agency_id:
            continue
        if link.consent_id is None:
            return ALL_PARTS
        if link.consent is not None and link.consent.is_live(today):
            parts.update(link.consent.parts)
    return frozenset(parts)


def on_team(user, case: Case) -> bool:
    return bool(shared_parts(user, case))


def can(user, action: str, obj=None) -> bool:
    if not _active(user):
        return False
    if action in CASE_ACTIONS or action in PART_ACTIONS:
        case = obj
        if case is None or case.mdt_id != user.mdt_id:
            return False
        parts = shared_parts(user, case)
        if action == "case.summary":
            return user.has_role("coordinator") or bool(parts)
        if not parts:
            return False
        if action == "case.view":
            return True
        if action in PART_ACTIONS:
            return action.rsplit(".", 1)[1] in parts
        if action == "case.note":
            return "notes" in parts
        if action == "case.sensitive":
            return case.lead_agency_id == user.agency_id
        if action == "case.team":
            return case.lead_agency_id == user.agency_id or (
                user.has_role("coordinator") and parts == ALL_PARTS)
        # Editing, stages, the audit trail, consent and referrals: the whole team, not an agency
        # that sees only part of the case.
        return parts == ALL_PARTS
    if action in REFERRAL_ACTIONS:
        return _referral_right(user, action, obj)
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
    if action == "service.manage":
        # obj: the agency offering the service
        return obj is not None and obj.mdt_id == user.mdt_id and (
            user.has_role("admin") or user.agency_id == obj.id)
    if action in ("referral.stats", "meeting.prepare", "reminders.outbox"):
        # Figures across agencies, preparing meetings, and every reminder of the MDT (who is
        # reminded of what, never about whom): coordinators and admins.
        return user.has_role("coordinator") or user.has_role("admin")
    raise ValueError(f"unknown action {action!r}")


def _referral_right(user, action: str, referral) -> bool:
    if referral is None or referral.mdt_id != user.mdt_id:
        return False
    receiving = user.agency_id == referral.to_agency_id
    referring_side = user.agency_id == referral.from_agency_id or (
        not receiving and can(user, "case.edit", referral.case))
    if action == "referral.view":
        return receiving or referring_side or user.has_role("coordinator")
    if action == "referral.answer":
        return receiving
    if action == "referral.complete":
        return receiving or referring_side
    if action == "referral.withdraw":
        return referring_side
    if action == "referral.instalment":
        return (receiving or referring_side) and referral.service == "livelihood_grant"
    return False


def live_consent_sql(today: date | None = None):
    """SQL condition on a ``CaseAgency`` row: joined without consent, or its consent is live."""
    today = today or date.today()
    return or_(
        CaseAgency.consent_id.is_(None),
        exists().where(Consent.id == CaseAgency.consent_id, Consent.given.is_(True),
                       Consent.withdrawn_at.is_(None),
                       or_(Consent.expires_on.is_(None), Consent.expires_on >= today)),
    )


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
        select(CaseAgency.case_id).where(CaseAgency.agency_id == user.agency_id,
                                         live_consent_sql()),
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


