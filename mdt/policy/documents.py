"""Documents: a document of a case opens to whoever the parts it belongs to open to (consent
scope and need-to-know, as for the case itself); a restricted one to the lead agency only, like a
restricted note. A document of a legal matter alone opens to whoever sees the matter (restricted:
to those who work on it), and a court bundle only to one who may see every document in it.
Adding one: whoever could see it once added."""

from __future__ import annotations

from sqlalchemy import select

from mdt.documents.models import FALLBACK_PART, CourtBundle, Document
from mdt.extensions import db
from mdt.policy.cases import shared_parts, works_on_cases
from mdt.policy.registry import RULES, rule


def _parts(document) -> set[str]:
    return set(document.parts or [FALLBACK_PART])


@rule("document.view", "document.custody")
def _view(user, document) -> bool:
    if document is None or document.mdt_id != user.mdt_id or not works_on_cases(user):
        return False
    if document.case is not None:
        if not _parts(document) <= shared_parts(user, document.case):
            return False
        return not document.restricted or document.case.lead_agency_id == user.agency_id
    if document.matter is not None:
        if not RULES["matter.view"](user, document.matter):
            return False
        if document.restricted and not RULES["matter.edit"](user, document.matter):
            return False
        # A court bundle holds claimants' case documents: it opens only to one who may see each.
        bundled = db.session.scalar(
            select(CourtBundle.document_ids).where(CourtBundle.document_id == document.id)
        )
        return bundled is None or all(_view(user, db.session.get(Document, i)) for i in bundled)
    return False


@rule("document.add")
def _add(user, target) -> bool:
    """``target``: the case or legal matter the document is added to (which parts, and whether
    restricted, is asked of the document itself: ``document.view``)."""
    if target is None or target.mdt_id != user.mdt_id or not works_on_cases(user):
        return False
    if target.__tablename__ == "case_file":
        return bool(shared_parts(user, target))
    return RULES["matter.edit"](user, target)


@rule("document.version")
def _version(user, document) -> bool:
    """A new version: one who may add it where it is, and see it."""
    target = (
        document.case
        if document is not None and document.case is not None
        else getattr(document, "matter", None)
    )
    return _view(user, document) and _add(user, target)
