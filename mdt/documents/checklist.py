"""The evidence checklist of a legal matter: per matter kind and jurisdiction
(``checklists.json``), which documents each claimant's case and the matter itself should hold,
and what is still missing, as far as the reader can see."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import or_, select

from mdt import policy
from mdt.documents.models import Document
from mdt.extensions import db


@cache
def checklists() -> dict:
    return json.loads((Path(__file__).parent / "checklists.json").read_text(encoding="utf-8"))


def items_for(kind: str, jurisdiction: str) -> list[dict]:
    return checklists().get(jurisdiction, {}).get(kind, [])


@dataclass
class Row:
    """One claimant (or the matter itself: ``claimant`` None): each kind looked for, held or not."""

    claimant: object | None
    held: dict[str, bool] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [kind for kind, found in self.held.items() if not found]


def check(actor, matter, claimants) -> tuple[list[dict], list[Row]]:
    """(the checklist's items, a row per claimant the reader sees and one for the matter)."""
    items = items_for(matter.kind, matter.jurisdiction)
    case_ids = [c.case_id for c in claimants]
    found = db.session.scalars(
        select(Document).where(
            or_(Document.matter_id == matter.id, Document.case_id.in_(case_ids)),
            Document.removed_at.is_(None),
        )
    ).all()
    visible = [d for d in found if policy.can(actor, "document.view", d)]
    by_case: dict[int, set[str]] = {}
    on_matter: set[str] = set()
    for document in visible:
        if document.case_id is not None:
            by_case.setdefault(document.case_id, set()).add(document.kind)
        else:
            on_matter.add(document.kind)
    rows = [
        Row(
            claimant,
            {
                i["kind"]: i["kind"] in by_case.get(claimant.case_id, set())
                for i in items
                if i["per"] == "claimant"
            },
        )
        for claimant in claimants
    ]
    rows.append(Row(None, {i["kind"]: i["kind"] in on_matter for i in items if i["per"] == "matter"}))
    return items, rows
