"""One schema per shape: the marshmallow fields and base schema every domain's ``schemas.py``
builds on. A schema validates what comes in (``load``: the web forms, the JSON API and the CLI all
go through the services, which load their input with it), shapes what goes out (the API dumps its
answers with it) and writes the OpenAPI document (flask-smorest reads the same schemas).

Messages are the product's own, translated, and keyed like the fields of the forms: ``given_name``,
``person.given_name``, ``episodes[0].destination_country``. Blank text counts as missing (a form
sends "" for an empty field). What a field needs to know about the request (today in the MDT's
zone, the MDT, its currency, its time zone) comes through ``load(..., today=..., mdt_id=...)``.

The JSON API is strict about unknown fields (a typo is a 422, not silently ignored); web forms
carry buttons and helper fields, which are left out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import marshmallow as ma
from babel import Locale
from babel.numbers import list_currencies
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, fields
from marshmallow.experimental.context import Context

from mdt.errors import ValidationError
from mdt.extensions import db

REQUIRED = _l("This field is required.")


@cache
def country_codes() -> frozenset[str]:
    # ISO 3166-1 alpha-2 codes known to CLDR, without its pseudo-regions (EU, UN, ZZ, QO, XA...).
    pseudo = {"EU", "EZ", "UN", "ZZ", "QO"}
    codes = (str(k) for k in Locale("en").territories)
    return frozenset(
        k
        for k in codes
        if len(k) == 2 and k.isalpha() and k not in pseudo and not (k.startswith("X") and k != "XK")
    )


def country_named(name: str) -> str | None:
    """The code of the country called ``name`` (any case) in the request's language or English."""
    wanted = " ".join(name.split()).casefold()
    if not wanted:
        return None
    locales = ["en"]
    if has_request_context():
        from flask_babel import get_locale

        locales.insert(0, str(get_locale() or "en"))
    for locale in locales:
        for code, title in _country_names(locale):
            if title.casefold() == wanted:
                return code
    return None


@cache
def _country_names(locale: str) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(locale).territories
    return tuple((code, str(territories.get(code, code))) for code in sorted(country_codes()))


def country_choices(locale: str) -> list[tuple[str, str]]:
    """Every country as ``(code, name)``, sorted by its name in ``locale`` (a picker)."""
    return sorted(_country_names(locale), key=lambda pair: pair[1].casefold())


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(list_currencies())


def context() -> dict:
    """What the current ``load`` was given (today, the MDT, its currency and zone)."""
    return Context[dict].get({})


def _fail(message, **kwargs) -> ma.ValidationError:
    return ma.ValidationError(str(message) % kwargs if kwargs else str(message))


def _strict() -> bool:
    return has_request_context() and request.path.startswith("/api/")


# ---------------------------------------------------------------- fields


class Field(fields.Field):
    """Blank text is missing; a required field says so in the product's words."""

    default_error_messages = {
        "required": REQUIRED,
        "null": REQUIRED,
        "validator_failed": _l("This value is not valid."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_none", not kwargs.get("required", False))
        super().__init__(*args, **kwargs)

    def describe(self, **items) -> None:
        """Add to what the OpenAPI document says of the field (what the caller gave wins)."""
        self.metadata = {**items, **self.metadata}

    def make_error(self, key: str, **kwargs) -> ma.ValidationError:
        """Messages are translated when they are raised, in the reader's language."""
        message = str(self.error_messages[key])
        return ma.ValidationError(message.format(**kwargs) if kwargs else message)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        # A form sends "" for an empty field: that means "not given". The API means what it
        # writes: "" for a date, an amount or a code is as invalid as any other wrong value.
        if isinstance(value, str) and not value.strip() and (self.blank_is_missing or not _strict()):
            value = None
            if not self.required:
                return self.load_default if self.load_default is not ma.missing else None
        return super().deserialize(value, attr, data, **kwargs)

    blank_is_missing = False


class Text(Field, fields.String):
    """Trimmed text of at most ``max_length`` characters (blank is "not given")."""

    blank_is_missing = True

    def __init__(self, *args, max_length: int = 200, **kwargs):
        self.max_length = max_length
        super().__init__(*args, **kwargs)
        self.describe(maxLength=max_length)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or "\x00" in value:  # PostgreSQL stores no NUL character
            raise _fail(_l("Expected text."))
        value = value.strip()
        if len(value) > self.max_length:
            raise _fail(_l("At most %(n)s characters."), n=self.max_length)
        return value


class Choice(Field, fields.String):
    """One of a fixed list of codes."""

    def __init__(self, choices, *args, **kwargs):
        self.choices = tuple(choices)
        super().__init__(*args, **kwargs)
        self.describe(enum=[*self.choices, *([None] if self.allow_none else [])])

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or value.strip() not in self.choices:
            raise _fail(_l("Choose one of: %(choices)s."), choices=", ".join(self.choices))
        return value.strip()


FIRST_YEAR, LAST_YEAR = 1900, 9000  # the years a date may fall in (calendars, periods and offsets fit)


BUDDHIST_YEARS = range(2400, 2701)  # a year typed in the Buddhist era (2569 is 2026)
_DAY_MONTH_YEAR = re.compile(r"^(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^(?P<month>\d{1,2})[/.-](?P<day>\d{1,2})[/.-](?P<year>\d{4})$")
_ISO_DAY = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$")


def _month_first() -> bool:
    """Whether the request's language writes the month first in a short date (Filipino: 3/5/26
    is March 5); English and Thai here write the day first."""
    if not has_request_context() or _strict():
        return False
    from babel import Locale
    from flask_babel import get_locale

    locale = str(get_locale() or "en")
    return locale != "en" and Locale.parse(locale).date_formats["short"].pattern.startswith("M")


def parse_day(value, month_first: bool | None = None) -> date:
    """A day as people type it: ``2026-01-31``, or ``31/01/2026`` (the day first, as in Thailand;
    the month first where the reader's language writes it so, as Filipino); a year of the
    Buddhist era (``2569-01-31``, ``31/1/2569``) is read as such. ValueError when it is none of
    these (date fields send ``2026-01-31``; the other forms are for typed text)."""

    text = str(value).strip()
    match = _DAY_MONTH_YEAR.match(text)
    if match is not None and (_month_first() if month_first is None else month_first):
        match = _MONTH_DAY_YEAR.match(text)
    match = match or _ISO_DAY.match(text)
    if match is None:  # nothing else (20260131, 2026-W05-1...): a year there could be either era
        raise ValueError(f"not a day: {text!r}")
    parts = [int(match[k]) for k in ("year", "month", "day")]
    if parts[0] in BUDDHIST_YEARS:
        parts[0] -= 543
    return date(*parts)


def calendar_day(value) -> date | None:
    """``value`` (see ``parse_day``) as a date between ``FIRST_YEAR`` and ``LAST_YEAR``, or None."""
    try:
        day = parse_day(value)
    except (TypeError, ValueError):
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


class Day(Field, fields.Date):
    """A date (``2026-01-31``). ``not_after="today"``: not later than the context's ``today``
    (the MDT's date; the court's for legal events)."""

    def __init__(self, *args, not_after: str | None = None, not_before: str | None = None, **kwargs):
        self.not_after, self.not_before = not_after, not_before
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            try:
                value = parse_day(value)
            except ValueError:
                raise _fail(_l("Use a date like 2026-01-31.")) from None
        if value.year > LAST_YEAR:
            raise _fail(_l("Use a date like 2026-01-31."))
        limit = context().get(self.not_after) if self.not_after else None
        if limit is not None and value > limit:
            raise _fail(_l("This date cannot be in the future."))
        earliest = data.get(self.not_before) if self.not_before and isinstance(data, Mapping) else None
        if isinstance(earliest, str):
            try:
                earliest = date.fromisoformat(earliest.strip())
            except ValueError:
                earliest = None
        if value.year < FIRST_YEAR or (isinstance(earliest, date) and value < earliest):
            raise _fail(_l("This date is too early."))
        return value


class Moment(Field, fields.DateTime):
    """A date and time, in a year a calendar can hold (1900 to 9000). Without an offset (a form's
    ``datetime-local``) it is read in the context's ``zone`` (the MDT's, or the court's); stored
    in UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        invalid = _l("Use a date and time like 2026-03-05T09:30.")
        if not isinstance(value, datetime):
            text = str(value).strip()
            try:
                # A year of the Buddhist era typed in a Thai form (2569-03-05T09:30) is read as such.
                if text[:4].isdigit() and int(text[:4]) in BUDDHIST_YEARS and text[4:5] == "-":
                    text = f"{int(text[:4]) - 543:04d}{text[4:]}"
                value = datetime.fromisoformat(text)
            except ValueError:
                raise _fail(invalid) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo(context().get("zone", "UTC")))
        try:
            value = value.astimezone(ZoneInfo("UTC"))
        except OverflowError:  # the offset takes it out of the years datetime knows
            raise _fail(invalid) from None
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise _fail(invalid)
        return value


def _local_amount(typed: str) -> Decimal | None:
    """An amount typed with the grouping and decimal marks of the request's locale (Babel's strict
    parsing: "15,000" yes, "1,50,0" no), or None."""
    from babel.numbers import NumberFormatError, parse_decimal

    if _strict() or not has_request_context():
        return None
    from flask_babel import get_locale

    try:
        return parse_decimal(typed.strip(), locale=str(get_locale() or "en"), strict=True)
    except (NumberFormatError, ValueError):
        return None


class Money(Field, fields.Decimal):
    """An amount, never negative, as a decimal string with two places (``"191374.00"``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, places=2, as_string=True, **kwargs)
        self.describe(type="string")
        self.describe(pattern=r"^\s*\d{1,12}(\.\d{1,2})?\s*$")

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or (_strict() and not isinstance(value, str)):
            raise _fail(_l("Enter an amount like 191374.00."))  # the API sends decimal strings
        if isinstance(value, float):
            value = repr(value)
        amount: Decimal | None
        try:
            amount = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            amount = _local_amount(str(value))  # a form: "15,000" or "15,000.50" in the reader's locale
        if amount is None:
            raise _fail(_l("Enter an amount like 191374.00."))
        if not amount.is_finite() or amount < 0:
            raise _fail(_l("The amount cannot be negative."))
        if amount >= Decimal("1e12"):
            raise _fail(_l("The amount is too large."))
        return amount.quantize(Decimal("0.01"))


class Country(Field, fields.String):
    """An ISO 3166-1 alpha-2 country code (``SE``, ``LB``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe(pattern=r"^\s*[A-Za-z]{2}\s*$")

    def _deserialize(self, value, attr, data, **kwargs):
        typed = str(value).strip()
        code = typed.upper()
        if code in country_codes():
            return code
        found = country_named(typed)
        if found is None:
            raise _fail(_l("No country is called that: choose one from the list (or use a code such as MY)."))
        return found


class Currency(Field, fields.String):
    """An ISO 4217 code; missing or blank: the context's ``currency`` (the MDT's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe(pattern=r"^\s*[A-Za-z]{3}\s*$")

    def deserialize(self, value, attr=None, data=None, **kwargs):
        blank = isinstance(value, str) and not value.strip() and not _strict()
        if value is ma.missing or value is None or blank:
            return context().get("currency", "THB")
        return super().deserialize(value, attr, data, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = str(value).strip().upper()
        if code not in currency_codes():
            raise _fail(_l("Unknown currency: use a code such as THB or PHP."))
        return code


class Flag(Field, fields.Boolean):
    """Yes or no; a form's checkbox sends "on" (or nothing)."""

    truthy = {True, "1", "true", "True", "TRUE", "yes", "on", "y"}
    falsy = {False, "0", "false", "False", "FALSE", "no", "off", "n"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("load_default", False)
        super().__init__(*args, **kwargs)
        self.error_messages["invalid"] = _l("Answer yes or no.")

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is None:  # an unticked box, or null: no
            return False
        if _strict() and value is not ma.missing and not isinstance(value, bool):
            raise self.make_error("invalid")  # the API sends true or false
        return super().deserialize(value, attr, data, **kwargs)


class Tristate(Field, fields.Boolean):
    """Yes, no, or not known yet (``null``; a form's "unknown")."""

    truthy = Flag.truthy
    falsy = Flag.falsy

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is None or (not _strict() and value in ("", "unknown")):
            return None
        if _strict() and value is not ma.missing and not isinstance(value, bool):
            raise self.make_error("invalid")  # the API sends true, false or null
        return super().deserialize(value, attr, data, **kwargs)


class Count(Field, fields.Integer):
    """A whole number between ``low`` and ``high``."""

    def __init__(self, *args, low: int = 0, high: int = 10**6, message=None, **kwargs):
        self.low, self.high = low, high
        self.message = message or _l("A whole number from %(low)s to %(high)s.")
        super().__init__(*args, strict=False, **kwargs)
        self.describe(minimum=low)
        self.describe(maximum=high)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            number = int(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or not self.low <= number <= self.high:
            raise _fail(self.message, low=self.low, high=self.high)
        return number


MAX_ID = 2**31 - 1  # ids are 32-bit integers on every backend


def record_id(value) -> int | None:
    """``value`` as a record id (1 to 2**31 - 1), or None."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


class Ref(Field, fields.Integer):
    """The id of a record of the MDT in the context (``mdt_id``); loads the record itself. Any other
    id, of another MDT or of nothing, gets ``message``, so the two cannot be told apart.
    ``visible``: the name of a predicate in the context (the caller's right to see the record,
    from the policy); a record it refuses gets the same message, in the same pass as the other
    fields, so a hidden record looks exactly like a missing one."""

    def __init__(self, model, *args, message=None, visible: str | None = None, **kwargs):
        self.model = model
        self.visible = visible
        self.message = message or _l("Choose from the list.")
        super().__init__(*args, strict=False, **kwargs)
        self.describe(minimum=1)
        self.describe(maximum=MAX_ID)

    def _deserialize(self, value, attr, data, **kwargs):
        ident = record_id(value)
        obj = db.session.get(self.model, ident) if ident is not None else None
        if obj is None or getattr(obj, "mdt_id", None) != context().get("mdt_id"):
            raise _fail(self.message)
        if self.visible and not context()[self.visible](obj):
            raise _fail(self.message)
        return obj

    def _serialize(self, value, attr, obj, **kwargs):
        return getattr(value, "id", value)


class Nested(Field, fields.Nested):
    default_error_messages = {"type": _l("Expected an object.")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_none", False)
        super().__init__(*args, **kwargs)


class List(Field, fields.List):
    default_error_messages = {"invalid": _l("Expected a list.")}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_none", False)
        super().__init__(*args, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]  # one value from a form
        return super().deserialize(value, attr, data, **kwargs)


# ---------------------------------------------------------------- schemas and loading


class RecordId(Field, fields.Integer):
    """The id of a record, checked by the service that receives it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, strict=False, **kwargs)
        self.describe(minimum=1)
        self.describe(maximum=MAX_ID)

    def _deserialize(self, value, attr, data, **kwargs):
        ident = record_id(value)
        if ident is None:
            raise _fail(_l("Choose from the list."))
        return ident


class Schema(ma.Schema):
    """Strict about unknown fields in the API; messages in the product's words."""

    class Meta:
        unknown = RAISE
        ordered = True

    error_messages = {"unknown": _l("This field is not expected here."), "type": _l("Expected an object.")}


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(errors, list | tuple):
        out.setdefault(prefix or "_", []).extend(str(m) for m in errors)
        return out
    if not isinstance(errors, Mapping):
        return {prefix or "_": [str(errors)]}
    for key, value in errors.items():
        if key == "_schema":
            name = prefix or "_"
        elif isinstance(key, int):
            name = f"{prefix}[{key}]"
        else:
            name = f"{prefix}.{key}" if prefix else str(key)
        for field, messages in _flatten(value, name).items():
            out.setdefault(field, []).extend(messages)
    return out


def flat_errors(exc: ma.ValidationError) -> dict[str, list[str]]:
    return _flatten(exc.normalized_messages())


def load(schema: ma.Schema | type[ma.Schema], data: Any, *, partial: bool = False, **given) -> dict:
    """Validate ``data`` with ``schema`` and return what it means, or raise one ValidationError
    with every message at its field. ``given``: what fields may need (``today``, ``mdt_id``,
    ``currency``, ``zone``)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ValidationError("Expected a JSON object.", {"_": [str(_l("Expected an object."))]})
    instance = schema() if isinstance(schema, type) else schema
    try:
        with Context(given):
            return instance.load(data, partial=partial, unknown=RAISE if _strict() else EXCLUDE)
    except ma.ValidationError as exc:
        raise ValidationError("Some fields are not valid.", flat_errors(exc)) from None


def refuse(field: str, message) -> NoReturn:
    """Refuse the input with ``message`` at ``field`` (a service's own rule)."""
    raise ValidationError("Some fields are not valid.", {field: [str(message)]})


def check(errors: dict[str, list[str]]) -> None:
    """Raise the errors found by a service's own rules (beyond a schema's), if any."""
    if errors:
        raise ValidationError(
            "Some fields are not valid.", {k: [str(m) for m in v] for k, v in errors.items()}
        )
