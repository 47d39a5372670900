"""The directory: agencies, members, services offered and the MDT action plan."""

from __future__ import annotations

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
