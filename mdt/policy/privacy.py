"""The life of personal data: alerts about unusual reading go to the MDT's coordinators."""

from __future__ import annotations

from mdt.policy.registry import active, rule


@rule("privacy.alerts")
def _alerts(user, alert=None) -> bool:
    """The alerts about unusual reading (``alert``: one of them), in the coordinator's own MDT."""
    return active(user) and user.has_role("coordinator") and (alert is None or alert.mdt_id == user.mdt_id)


@rule("audit.export")
def _audit_export(user, _obj=None) -> bool:
    """The MDT's audit trail for a period (who did what when; no case content): administrators."""
    return active(user) and user.has_role("admin")
