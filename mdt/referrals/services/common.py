"""What the referral services share: a reason given as text (the web forms, the CLI, tests) or as
the request's data (the JSON API, whose unknown fields the schema refuses)."""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema

from mdt.schema import load


def load_reason(schema: type[Schema], reason: str | Mapping | None) -> str | None:
    """The reason, validated by ``schema`` (``{"reason": ...}``)."""
    data = reason if isinstance(reason, Mapping) else {"reason": reason}
    return load(schema, data).get("reason")
