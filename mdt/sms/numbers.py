"""Phone numbers as providers write them (E.164: ``+66812345678``), from the way people and
members type them: ``081-234 5678`` in Thailand, ``0917 123 4567`` in the Philippines."""

from __future__ import annotations

import re

# The country calling code of an MDT's country: a number written with a leading 0 there.
CALLING_CODES = {"TH": "66", "PH": "63"}
_NOISE = re.compile(r"[\s\-.()/\u00a0]")


def normalise(number: str | None, country: str | None = None) -> str:
    """``number`` in E.164 when it can be read as one, else its digits (with a leading + kept);
    empty for nothing usable. A national number (leading 0) takes ``country``'s calling code; with
    no country, a Thai mobile (``06``, ``08``, ``09`` and ten digits) or a Philippine one (``09``
    and eleven digits) is recognised by its length."""
    raw = _NOISE.sub("", number or "")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    plus = raw.startswith("+")
    digits = raw[1:] if plus else raw
    if not digits.isdigit() or not 6 <= len(digits) <= 15:
        return ""
    if plus:
        return "+" + digits
    if digits.startswith("0") and not digits.startswith("00"):
        code = CALLING_CODES.get(country or "")
        if code is None:
            if len(digits) == 10 and digits[1] in "689":
                code = "66"
            elif len(digits) == 11 and digits.startswith("09"):
                code = "63"
        if code is not None:
            return f"+{code}{digits[1:]}"
        return digits
    if any(digits.startswith(code) for code in CALLING_CODES.values()) and len(digits) >= 10:
        return "+" + digits  # 66812345678: the international form without its +
    return digits


def masked(number: str) -> str:
    """For log lines: the number without what identifies it (``+66•••••5678``)."""
    return (
        (number[:3] + "•" * max(0, len(number) - 7) + number[-4:]) if len(number) > 7 else "•" * len(number)
    )
