"""The directory: agencies, members, services offered and the MDT action plan."""

from __future__ import annotations

from mdt.policy.cases import works_on_cases
from mdt.policy.registry import rule


@rule("directory.view", "intermediary.view", viewer=True)
def _everyone(user, _obj) -> bool:
    return True


@rule("directory.manage")
def _manage(user, _obj) -> bool:
    return user.has_role("admin")


@rule("actionplan.edit")
def _action_plan(user, _obj) -> bool:
    return user.has_role("coordinator") or user.has_role("admin")


@rule("service.manage")
def _service(user, agency) -> bool:
    """``agency``: the agency offering the service."""
    return (
        agency is not None
        and agency.mdt_id == user.mdt_id
        and (user.has_role("admin") or user.agency_id == agency.id)
    )


MONITORING_AGENCY_KINDS = ("labour", "employment")


@rule("intermediary.edit")
def _intermediary_edit(user, item) -> bool:
    """The monitoring record of a registry entry (licence, other names, people behind it,
    evidence and scores): the MDT's coordinators, and the labour and employment officers who
    monitor agencies."""
    return (item is None or item.mdt_id == user.mdt_id) and (
        user.has_role("coordinator")
        or (works_on_cases(user) and user.agency is not None and user.agency.kind in MONITORING_AGENCY_KINDS)
    )


@rule("intermediary.merge")
def _intermediary_merge(user, item) -> bool:
    """Merging two entries that are the same agency (and undoing it): coordinators."""
    return (item is None or item.mdt_id == user.mdt_id) and user.has_role("coordinator")
