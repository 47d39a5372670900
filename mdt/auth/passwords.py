"""What a new password must be: long enough (12 characters or more) and not a common one. No
composition rules (NIST SP 800-63B): a long phrase beats "Passw0rd!". The one place every way of
setting a password asks: changing it, resetting it, an administrator creating a member, the CLI.

The list of common passwords is Django's (BSD licence, from Royce Williams' list of 20,000
passwords seen in breaches), read once."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 12
MAX_LENGTH = 200
_LIST = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def _common() -> frozenset[str]:
    with gzip.open(_LIST, "rt", encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip())


def problems(password, *, email: str | None = None, name: str | None = None) -> list[str]:
    """Why ``password`` cannot be used (empty: it can)."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        return [str(_l("At least %(n)s characters.", n=MIN_LENGTH))]
    if len(password) > MAX_LENGTH:
        return [str(_l("At most %(n)s characters.", n=MAX_LENGTH))]
    folded = password.strip().lower()
    personal = {v.strip().lower() for v in (email, (email or "").split("@")[0], name) if v}
    if folded in _common() or len(set(folded)) < 3 or folded in personal:
        return [str(_l("This password is too easy to guess: try a few unrelated words."))]
    return []
