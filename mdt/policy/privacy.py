"""The life of personal data: alerts about unusual reading go to the MDT's coordinators."""

from __future__ import annotations

from mdt.policy.cases import _case
from mdt.policy.registry import active, rule


@rule("privacy.alerts")
def _alerts(user, alert=None) -> bool:
    """The alerts about unusual reading (``alert``: one of them), in the coordinator's own MDT."""
    return active(user) and user.has_role("coordinator") and (alert is None or alert.mdt_id == user.mdt_id)


@rule("audit.export")
def _audit_export(user, _obj=None) -> bool:
    """The MDT's audit trail for a period (who did what when; no case content): administrators."""
    return active(user) and user.has_role("admin")


@rule("privacy.settings")
def _settings(user, _obj=None) -> bool:
    """The MDT's retention period: administrators."""
    return active(user) and user.has_role("admin")


@rule("privacy.requests")
def _requests(user, _obj=None) -> bool:
    """The MDT's data-protection page (holds, erasure requests, retention runs): coordinators and
    administrators."""
    return active(user) and (user.has_role("coordinator") or user.has_role("admin"))


@rule("case.hold")
def _hold(user, case) -> bool:
    """A legal hold on a case: coordinators (of cases they can see)."""
    return _case(user, case) and user.has_role("coordinator")


@rule("case.erasure_request", "case.person_rights")
def _person_rights(user, case) -> bool:
    """Recording a person's request to be erased, or asking for their copy of their data: their
    lead agency."""
    return _case(user, case) and case.lead_agency_id == user.agency_id


@rule("privacy.erasure_decide")
def _erasure_decide(user, request) -> bool:
    """Approving or refusing an erasure request: a coordinator of the MDT."""
    return active(user) and user.has_role("coordinator") and request.mdt_id == user.mdt_id
