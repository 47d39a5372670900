"""The registry of access rules: ``can(user, action, obj)`` looks the action up here."""

from __future__ import annotations

from collections.abc import Callable

Rule = Callable[..., bool]
RULES: dict[str, Rule] = {}


def rule(*actions: str) -> Callable[[Rule], Rule]:
    """Register ``fn(user, obj) -> bool`` as the rule for each of ``actions``."""

    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in RULES:
                raise ValueError(f"two rules for {action!r}")
            RULES[action] = fn
        return fn

    return register


def active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and bool(user.active)


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` (on ``obj``)? Inactive or anonymous users may do nothing."""
    try:
        check = RULES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}") from None
    if not active(user):
        return False
    return bool(check(user, obj))
