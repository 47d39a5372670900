"""The shapes of the figures (see ``mdt.schema``): the period asked for, and the summary."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, ValidationError, fields, post_load, validates, validates_schema

from mdt.reports.models import EXPORT_FORMATS
from mdt.reports.services import OPEN_DAYS, Period
from mdt.schema import Choice, Count, Day, RecordId, Schema

LONGEST = timedelta(days=5 * 366)


OPEN_DAY_CHOICES = (30, 60, 90, 180, 365, 730)


class PeriodSchema(Schema):
    """``from`` and ``to``: days in the MDT's zone, at most five years apart. Figures are given
    for whole months only: ``from`` is moved to the first day of its month and ``to`` to the last
    day of its month (``Period.whole_months``), so two periods asked for cannot differ by a day."""

    from_ = Day(required=True, data_key="from")
    to = Day(required=True)

    @validates_schema(skip_on_field_errors=False)
    def _order(self, data, **_kwargs):
        if "from_" not in data or "to" not in data:
            return
        if data["to"] < data["from_"]:
            raise ValidationError({"to": [str(_l("The end is before the start."))]})
        if data["to"] - data["from_"] > LONGEST:
            raise ValidationError({"to": [str(_l("At most five years at a time."))]})

    @post_load
    def _whole_months(self, data, **_kwargs):
        period = Period.whole_months(data["from_"], data["to"])
        return {**data, "from_": period.start, "to": period.end}


class ReportArgsSchema(PeriodSchema):
    """``?from=2026-04-01&to=2026-06-30&mdt_id=1``: whole months (see ``PeriodSchema``); without
    ``mdt_id`` the caller's MDT (every MDT for a national viewer); ``open_days``: how long a case
    must have been open to count as open too long (30, 60, 90, 180, 365 or 730 days, so that two
    answers cannot differ by one day's cases)."""

    class Meta:
        unknown = EXCLUDE

    mdt_id = RecordId()
    open_days = Count(low=1, high=3650, load_default=OPEN_DAYS)

    @validates("open_days")
    def _open_days(self, value, **_kwargs):
        if value not in OPEN_DAY_CHOICES:
            raise ValidationError(
                str(_l("Choose one of: %(choices)s.", choices=", ".join(map(str, OPEN_DAY_CHOICES))))
            )


def _counts():
    return fields.Dict(keys=fields.String(), values=fields.Raw())


class SummarySchema(Schema):
    """The figures. A count is a number, or ``"<5"`` when under five people outside the caller's
    teams are in it, or ``"*"`` when it is hidden so that such a count cannot be worked out by
    subtraction; ``by_*`` keys are codes (``female``, ``MY``, ``legal_aid``...), ``unknown`` when
    not recorded."""

    period = fields.Dict(required=True, metadata={"description": "{from, to}"})
    previous_period = fields.Dict(required=True)
    mdts = fields.List(fields.Dict(), required=True)
    reached = _counts()
    served = _counts()
    referrals = _counts()
    legal = _counts()
    meetings = _counts()
    open_too_long = _counts()


class ExportSchema(PeriodSchema):
    """``{kind: "deidentified", format: "csv"|"xlsx", from, to, k?, mdt_id?}``: the cases opened
    in the period; ``k`` from 2 to 100 (default 5, ``MDT_EXPORT_K``); ``mdt_id`` for a national
    viewer (every MDT without it)."""

    kind = Choice(("deidentified",), required=True)
    format = Choice(EXPORT_FORMATS[:2], required=True)
    k = Count(low=2, high=100, load_default=None, message=_l("k is a whole number from %(low)s to %(high)s."))
    mdt_id = RecordId()


class ExportStatusSchema(Schema):
    """An export: its status and progress, what k-anonymity cost, and when ready its file."""

    id = fields.Integer(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["queued", "running", "ready", "failed", "expired"]}
    )
    progress = fields.Integer(required=True)
    rows = fields.Integer(allow_none=True)
    generalised = fields.Integer(allow_none=True)
    suppressed = fields.Integer(allow_none=True)
    k = fields.Integer(required=True)
    download_url = fields.String(metadata={"description": "when ready: fetched with the same token"})


class QuarterlySchema(PeriodSchema):
    """The quarterly report: ``{from, to, language: "th"|"en", mdt_id?}``."""

    class Meta:
        unknown = EXCLUDE

    language = Choice(("th", "en"), required=True)
    mdt_id = RecordId()
