"""Legal matters: who sees a matter, who changes it, who manages rules and court calendars."""

from __future__ import annotations

from sqlalchemy import false, or_, select

from mdt.cases.models import Case
from mdt.directory.models import Member
from mdt.extensions import db
from mdt.legal.models import Claimant, LegalMatter, MatterLawyer
from mdt.policy.cases import team_filter, works_on_cases
from mdt.policy.registry import rule


def matter_filter(user):
    """SQL condition: matters ``user`` may see: the one who opened it, the assigned lawyers and
    their agencies, the MDT's coordinators, and the team of any claimant's case; nobody whose
    roles read no case content (an administrator, a viewer), whatever their agency."""
    if not works_on_cases(user):
        return false()
    lawyer_agency = (
        select(MatterLawyer.matter_id)
        .join(Member, Member.id == MatterLawyer.member_id)
        .where(Member.agency_id == user.agency_id)
    )
    conditions = [
        LegalMatter.created_by_id == user.id,
        LegalMatter.id.in_(lawyer_agency),
        LegalMatter.id.in_(
            select(Claimant.matter_id).join(Case, Case.id == Claimant.case_id).where(team_filter(user))
        ),
    ]
    if user.has_role("coordinator"):
        conditions.append(LegalMatter.mdt_id == user.mdt_id)
    return (LegalMatter.mdt_id == user.mdt_id) & or_(*conditions)


@rule("matter.view")
def _view(user, matter) -> bool:
    return (
        matter is not None
        and matter.mdt_id == user.mdt_id
        and db.session.scalar(select(LegalMatter.id).where(LegalMatter.id == matter.id, matter_filter(user)))
        is not None
    )


@rule("matter.create")
def _create(user, _obj) -> bool:
    return user.has_role("lawyer") or user.has_role("coordinator")


@rule("matter.edit")
def _edit(user, matter) -> bool:
    """The one who opened it, and the matter's lawyers and their agencies."""
    if matter is None or matter.mdt_id != user.mdt_id:
        return False
    if matter.created_by_id == user.id:
        return True
    return any(
        link.member_id == user.id or link.member.agency_id == user.agency_id for link in matter.lawyers
    )


@rule("matter.confirm_event")
def _confirm(user, matter) -> bool:
    """A second pair of eyes on a trigger date: the matter's lawyers or a coordinator."""
    return _edit(user, matter) or (
        matter is not None and matter.mdt_id == user.mdt_id and user.has_role("coordinator")
    )


@rule("legal.rules")
def _rules(user, _obj) -> bool:
    """Deadline rules and court closure days: administrators."""
    return user.has_role("admin")
