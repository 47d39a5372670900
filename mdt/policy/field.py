"""Work from the field: follow-up visits, the triage queue (public complaints and volunteers'
submissions) and offline changes."""

from __future__ import annotations

from mdt.policy.cases import _case, _whole_team, shared_parts, works_on_cases
from mdt.policy.registry import rule, volunteer


@rule("visit.view", "visit.add")
def _visit(user, case) -> bool:
    """Follow-up visits belong to the assistance plan: whoever on the team the plan is open to."""
    return _case(user, case) and "plan" in shared_parts(user, case)


@rule("visit.schedule")
def _schedule(user, case) -> bool:
    return _whole_team(user, case)


def _coordinator(user, item) -> bool:
    return user.has_role("coordinator") and (item is None or item.mdt_id == user.mdt_id)


@rule("triage.view")
def _triage_view(user, item) -> bool:
    """The queue and everything in it: the MDT's coordinators."""
    return _coordinator(user, item)


@rule("triage.content")
def _triage_content(user, item) -> bool:
    """What an item says: the coordinators while it waits or once declined; once it went into a
    case, only those who may read that case (the case's own rules, consent included, apply)."""
    if not _coordinator(user, item) or item is None:
        return False
    if item.case_id is not None and item.status in ("accepted", "merged"):
        return _case(user, item.case) and bool(shared_parts(user, item.case))
    return True


@rule("triage.decide")
def _triage_decide(user, item) -> bool:
    return _coordinator(user, item) and item is not None and not item.closed


@rule("triage.submit", volunteer=True)
def _triage_submit(user, _obj) -> bool:
    """An intake or a visit report for the queue: a volunteer, or anyone who works on cases."""
    return volunteer(user) or works_on_cases(user)


@rule("triage.own", volunteer=True)
def _triage_own(user, item) -> bool:
    """What a member sent: its content while it waits, only its status once decided."""
    return item is not None and item.submitted_by_id == user.id and item.mdt_id == user.mdt_id


@rule("triage.own.content", volunteer=True)
def _triage_own_content(user, item) -> bool:
    return _triage_own(user, item) and not item.closed


@rule("sync.use", volunteer=True)
def _sync(user, _obj) -> bool:
    return volunteer(user) or works_on_cases(user)


@rule("sync.resolve")
def _resolve(user, conflict) -> bool:
    """A clash is settled by the member whose change it was, or a coordinator, on a case either
    may change as a whole."""
    if conflict is None or conflict.resolved_at is not None:
        return False
    case = conflict.case
    mine = conflict.member_id == user.id or user.has_role("coordinator")
    return mine and _whole_team(user, case)
