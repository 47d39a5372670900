"""The registry of access rules: ``can(user, action, obj)`` looks the action up here."""

from __future__ import annotations

from collections.abc import Callable

Rule = Callable[..., bool]
RULES: dict[str, Rule] = {}
# What a read-only account (the ``viewer`` role: a provincial head, a ministry, a donor's auditor)
# may be allowed at all: the figures and the directory. Every other action is refused here, before
# its rule is asked, whatever the account's agency leads or owns.
VIEWER_ACTIONS: set[str] = set()
READ_ONLY_ROLES = frozenset({"viewer"})
# What a village volunteer's account may be allowed at all: sending intakes and visit reports,
# and following what it sent. It reads no case and cannot search.
VOLUNTEER_ACTIONS: set[str] = set()


def rule(*actions: str, viewer: bool = False, volunteer: bool = False) -> Callable[[Rule], Rule]:
    """Register ``fn(user, obj) -> bool`` as the rule for each of ``actions``; ``viewer``: the
    rule may let a read-only account through; ``volunteer``: a volunteer's."""

    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in RULES:
                raise ValueError(f"two rules for {action!r}")
            RULES[action] = fn
            if viewer:
                VIEWER_ACTIONS.add(action)
            if volunteer:
                VOLUNTEER_ACTIONS.add(action)
        return fn

    return register


def active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.active)


def read_only(user) -> bool:
    """An account whose every role is read-only (``viewer``)."""
    roles = set(user.roles or [])
    return bool(roles) and roles <= READ_ONLY_ROLES


def volunteer(user) -> bool:
    """A village volunteer's account (that role has no other beside it)."""
    return "volunteer" in (user.roles or [])


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (on ``obj``)? Inactive or anonymous users may do nothing."""
    try:
        check = RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None
    if not active(user):
        return False
    if action not in VIEWER_ACTIONS and read_only(user):
        return False
    if action not in VOLUNTEER_ACTIONS and volunteer(user):
        return False
    return bool(check(user, obj))
