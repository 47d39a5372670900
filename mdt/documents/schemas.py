"""The shapes of documents (see ``mdt.schema``): what is said of a file when it is added, and
what the API answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, fields

from mdt.consent import SHARE_PARTS
from mdt.documents.models import DOCUMENT_KINDS
from mdt.schema import Choice, Day, Flag, List, RecordId, Schema, Text


class FormFlag(Flag):
    """Yes or no, from a form or a multipart API request (which has no JSON true or false)."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0", "on", "yes", "no"}:
            return value.strip().lower() in {"true", "1", "on", "yes"}
        return super().deserialize(value, attr, data, **kwargs)


class DocumentSchema(Schema):
    """A document added (``multipart/form-data`` with its ``file``): ``kind``; ``title`` (the file's
    name when left out); ``description``; ``document_date`` (the date on the paper); ``language``;
    ``parts``: the parts of the case it belongs to (``person``, ``episodes``, ``assessment``,
    ``plan``, ``notes``; by its kind when left out: a medical paper to the assessment, an identity
    document to the person, a court paper to the plan, anything else to the episodes), so that
    consent scope applies to it; ``restricted``: the lead agency only; ``remove_location``: strip
    the location (GPS) from a photo before it is kept; and what else it is about:
    ``hearing_id``, ``referral_id``, ``agenda_item_id``, ``translation_of_id`` (the original of a
    translation)."""

    class Meta:
        unknown = EXCLUDE

    kind = Choice(DOCUMENT_KINDS, required=True)
    title = Text(max_length=200)
    description = Text(max_length=4000)
    document_date = Day(not_after="today")
    language = Text(max_length=35)
    parts = List(Choice(SHARE_PARTS, allow_none=False))
    restricted = FormFlag()
    remove_location = FormFlag()
    hearing_id = RecordId()
    referral_id = RecordId()
    agenda_item_id = RecordId()
    translation_of_id = RecordId()


class DocumentUploadSchema(DocumentSchema):
    """The multipart request that adds a document: the fields above and the ``file``."""

    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class DocumentOutSchema(Schema):
    """A document: its newest version's file name, size and SHA-256 (of the plaintext, checked
    at every download)."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    version = fields.Integer(required=True)
    case_id = fields.Integer(allow_none=True)
    matter_id = fields.Integer(allow_none=True)
    parts = fields.List(fields.String())
    restricted = fields.Boolean()
    document_date = fields.Date(allow_none=True)
    language = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


class CustodyActorSchema(Schema):
    id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)


class CustodyItemSchema(Schema):
    at = fields.DateTime(required=True)
    actor = fields.Nested(CustodyActorSchema, required=True)
    action = fields.String(required=True)
    sha256 = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)


NO_FILE = _l("Choose a file.")
