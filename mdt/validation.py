"""Input checking shared by the web forms, the JSON API and the CLI.

A ``Checker`` reads a dict, collects ``{field: [messages]}`` and raises one ``ValidationError``
with all of them, so the form can show every message at its field and the API can answer 422.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale
from babel.numbers import list_currencies
from flask_babel import lazy_gettext as _l

from mdt.errors import ValidationError
from mdt.extensions import db


@cache
def country_codes() -> frozenset[str]:
    # ISO 3166-1 alpha-2 codes known to CLDR, without its pseudo-regions (EU, UN, ZZ, QO, XA...).
    pseudo = {"EU", "EZ", "UN", "ZZ", "QO"}
    return frozenset(
        k
        for k in Locale("en").territories
        if len(k) == 2 and k.isalpha() and k not in pseudo and not (k.startswith("X") and k != "XK")
    )


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


class Checker:
    def __init__(self, data: dict | None, prefix: str = ""):
        if data is not None and not isinstance(data, dict):
            raise ValidationError("Expected a JSON object.", {prefix or "body": ["Expected an object."]})
        self.data = data or {}
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {}
        self.clean: dict = {}

    def _name(self, field: str) -> str:
        return f"{self.prefix}{field}"

    def error(self, field: str, message) -> None:
        self.errors.setdefault(self._name(field), []).append(str(message))

    def _raw(self, field: str):
        value = self.data.get(field)
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                return None
        return value

    def text(self, field: str, *, required: bool = False, max_length: int = 200, default=None) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, _l("This field is required."))
            self.clean[field] = default
            return default
        if not isinstance(value, str):
            self.error(field, _l("Expected text."))
            return None
        if len(value) > max_length:
            self.error(field, _l("At most %(n)s characters.", n=max_length))
            return None
        self.clean[field] = value
        return value

    def choice(self, field: str, choices, *, required: bool = False, default=None):
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, _l("This field is required."))
            self.clean[field] = default
            return default
        if value not in choices:
            self.error(field, _l("Choose one of: %(choices)s.", choices=", ".join(choices)))
            return None
        self.clean[field] = value
        return value

    def day(
        self,
        field: str,
        *,
        required: bool = False,
        not_after: date | None = None,
        not_before: date | None = None,
    ) -> date | None:
        """A date. ``not_after`` is usually today in the MDT's zone (``clock.today(mdt)``): a
        date later than it is "in the future"."""
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, _l("This field is required."))
            self.clean[field] = None
            return None
        if isinstance(value, date):
            parsed = value
        else:
            try:
                parsed = date.fromisoformat(str(value))
            except ValueError:
                self.error(field, _l("Use a date like 2026-01-31."))
                return None
        if not_after is not None and parsed > not_after:
            self.error(field, _l("This date cannot be in the future."))
            return None
        if parsed.year < 1900 or (not_before and parsed < not_before):
            self.error(field, _l("This date is too early."))
            return None
        self.clean[field] = parsed
        return parsed

    def money(self, field: str) -> Decimal | None:
        value = self._raw(field)
        if value is None:
            self.clean[field] = None
            return None
        if isinstance(value, float):
            value = repr(value)
        try:
            amount = Decimal(str(value))
        except (InvalidOperation, ValueError):
            self.error(field, _l("Enter an amount like 191374.00."))
            return None
        if not amount.is_finite() or amount < 0:
            self.error(field, _l("The amount cannot be negative."))
            return None
        if amount >= Decimal("1e12"):
            self.error(field, _l("The amount is too large."))
            return None
        amount = amount.quantize(Decimal("0.01"))
        self.clean[field] = amount
        return amount

    def country(self, field: str, *, required: bool = False) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.error(field, _l("This field is required."))
            self.clean[field] = None
            return None
        code = str(value).upper()
        if code not in country_codes():
            self.error(field, _l("Use a two-letter country code such as SE or LB."))
            return None
        self.clean[field] = code
        return code

    def currency(self, field: str, default: str) -> str | None:
        value = self._raw(field)
        if value is None:
            self.clean[field] = default
            return default
        code = str(value).upper()
        if code not in currency_codes():
            self.error(field, _l("Unknown currency: use a code such as THB or PHP."))
            return None
        self.clean[field] = code
        return code

    def boolean(self, field: str, default: bool = False) -> bool:
        value = self.data.get(field, default)
        if isinstance(value, str):
            value = value.lower() in {"1", "true", "yes", "on", "y"}
        self.clean[field] = bool(value)
        return bool(value)

    def pick(self, field: str, model, *, mdt_id: int, message, required: bool = False, value=None):
        """The ``model`` row whose id is in ``field`` (or ``value``), if it belongs to the MDT;
        otherwise ``message`` at the field. Empty gives None (or the message when required)."""

        raw = self.data.get(field) if value is None else value
        if raw in (None, ""):
            if required:
                self.error(field, message)
            return None
        try:
            obj = db.session.get(model, int(raw))
        except (TypeError, ValueError):
            obj = None
        if obj is None or getattr(obj, "mdt_id", None) != mdt_id:
            self.error(field, message)
            return None
        self.clean[field] = obj.id
        return obj

    def merge(self, other: Checker) -> None:
        for key, messages in other.errors.items():
            self.errors.setdefault(key, []).extend(messages)

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError("Some fields are not valid.", self.errors)
