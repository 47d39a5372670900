"""The shapes of the directory: agencies, members and the MDT action plan (see ``mdt.schema``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, post_load, validates

from mdt.auth import passwords
from mdt.directory.models import AGENCY_KINDS, AGENCY_LEVELS, ROLES, Agency, Member
from mdt.schema import Choice, Flag, List, Ref, Schema, Text


class AgencySchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(required=True, max_length=200)
    kind = Choice(AGENCY_KINDS, required=True)
    level = Choice(AGENCY_LEVELS, load_default="province")
    area = Text(max_length=200)
    contact = Text(max_length=300)
    parent_id = Ref(Agency)
    focal_person_id = Ref(Member)

    @post_load
    def _ids(self, data, **_kwargs):
        for field in ("parent_id", "focal_person_id"):
            if field in data:
                data[field] = getattr(data[field], "id", None)
        return data


class MemberSchema(Schema):
    """A member of the MDT. ``password``: only when creating one (or setting a new one)."""

    id = fields.Integer(dump_only=True)
    email = Text(required=True, max_length=254)
    name = Text(required=True, max_length=200)
    agency_id = Ref(Agency, required=True, message=_l("Choose an agency."))
    roles = List(Choice(ROLES), load_default=lambda: ["member"])
    active = Flag(load_default=True)
    phone = Text(max_length=40)
    languages = Text(max_length=200)
    expertise = Text(max_length=300)
    password = fields.String(
        load_only=True, metadata={"minLength": passwords.MIN_LENGTH, "maxLength": passwords.MAX_LENGTH}
    )

    @validates("email")
    def _email(self, value, **_kwargs):
        if value and ("@" not in value or " " in value):
            raise ValidationError(str(_l("Enter a valid email address.")))

    @validates("password")
    def _password(self, value, **_kwargs):
        weak = passwords.problems(value)
        if weak:
            raise ValidationError(weak)

    @post_load
    def _tidy(self, data, **_kwargs):
        if data.get("email"):
            data["email"] = data["email"].lower()
        if "agency_id" in data:
            data["agency_id"] = data["agency_id"].id
        if "roles" in data:
            data["roles"] = sorted(set(data["roles"] or ["member"]))
            if "volunteer" in data["roles"] and len(data["roles"]) > 1:
                message = str(_l("A village volunteer's account has no other role."))
                raise ValidationError({"roles": [message]})
        return data


class ActionPlanEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    agency_id = Ref(Agency, required=True, message=_l("Choose an agency."))
    responsibility = Text(required=True, max_length=300)
    timing = Text(max_length=200)
    notes = Text(max_length=2000)


class MeSchema(Schema):
    """The caller."""

    id = fields.Integer()
    email = fields.String()
    name = fields.String()
    agency = fields.Nested(
        Schema.from_dict(
            {"id": fields.Integer(), "name": fields.String(), "kind": fields.String()}, name="MyAgency"
        )
    )
    roles = fields.List(fields.String(metadata={"enum": list(ROLES)}))
    mdt = fields.Nested(Schema.from_dict({"id": fields.Integer(), "name": fields.String()}, name="MyMdt"))
    language = fields.String(attribute="ui_language", allow_none=True)
