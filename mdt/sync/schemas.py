"""The offline sync request and answer (``POST /api/v1/sync``, and the web app's twin)."""

from __future__ import annotations

from marshmallow import fields, validate

from mdt.schema import MAX_ID, Choice, List, Nested, RecordId, Schema, Text
from mdt.sync.models import ENTITIES, RESOLUTIONS

MAX_CHANGES = 200


class ChangeSchema(Schema):
    idempotency_key = Text(required=True, max_length=80)
    entity = Choice(ENTITIES, required=True)
    id = RecordId(metadata={"description": "the case changed (entity case); absent to create"})
    base_version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the case's version the change started from"},
    )
    values = fields.Dict(
        required=True, data_key="fields", metadata={"description": "as the entity's own endpoint takes them"}
    )


class SyncSchema(Schema):
    changes = List(Nested(ChangeSchema), required=True, validate=validate.Length(max=MAX_CHANGES))


class ConflictSchema(Schema):
    id = fields.Integer()
    field = fields.String(required=True)
    server = fields.Raw(allow_none=True)
    yours = fields.Raw(allow_none=True)


class ResultSchema(Schema):
    idempotency_key = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["applied", "duplicate", "conflict", "refused"]})
    id = fields.Integer(allow_none=True)
    version = fields.Integer(allow_none=True)
    conflicts = fields.List(fields.Nested(ConflictSchema))
    message = fields.String(metadata={"description": "why a change was refused (it stays on the device)"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class SyncAnswerSchema(Schema):
    results = fields.List(fields.Nested(ResultSchema), required=True)


class ResolveSchema(Schema):
    keep = Choice(
        RESOLUTIONS, required=True, metadata={"description": "server: the case's value; yours: the device's"}
    )
