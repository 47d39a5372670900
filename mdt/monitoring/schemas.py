"""The shapes of the monitoring record (see ``mdt.schema``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, pre_load

from mdt.cases.models import LICENCE_STATUSES
from mdt.monitoring.models import EVIDENCE_KINDS, RELATION_ROLES
from mdt.schema import Choice, Count, Country, Day, RecordId, Schema, Text


class RecordSchema(Schema):
    """The licence and other facts of a registry entry (PATCH-like: only the fields sent)."""

    licence_no = Text(max_length=60, allow_none=True)
    licence_status = Choice(LICENCE_STATUSES, allow_none=True)
    licence_status_on = Day(not_after="today", allow_none=True)
    licence_source = Text(max_length=300, allow_none=True)
    aliases = fields.List(fields.String(validate=lambda v: 0 < len(v) <= 200), allow_none=True)
    addresses = Text(max_length=2000, allow_none=True)
    country = Country(allow_none=True)
    notes = Text(max_length=5000, allow_none=True)

    @pre_load
    def _lines(self, data, **_kwargs):
        """A form's text box of other names, one per line, and empty fields as "not known"."""
        data = dict(data)
        if isinstance(data.get("aliases"), str):
            data["aliases"] = [line.strip() for line in data["aliases"].splitlines() if line.strip()]
        for key, value in list(data.items()):
            if value == "":
                data[key] = None
        return data


class RelationSchema(Schema):
    related_id = RecordId(required=True)
    role = Choice(RELATION_ROLES, required=True)


class EvidenceSchema(Schema):
    kind = Choice(EVIDENCE_KINDS, required=True)
    observed_on = Day(required=True, not_after="today")
    criterion = Text(max_length=30, allow_none=True)
    score = Count(low=1, high=3, allow_none=True, message=_l("A score from %(low)s to %(high)s."))
    summary = Text(required=True, max_length=5000)
    source = Text(max_length=300, allow_none=True)

    @pre_load
    def _empty(self, data, **_kwargs):
        return {key: (None if value == "" else value) for key, value in dict(data).items()}
