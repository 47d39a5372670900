"""API: documents (../shared/API.md, "Added in the second wave"). Hidden documents answer 404,
like hidden cases."""

from __future__ import annotations

from typing import BinaryIO, cast

from flask import request
from flask_login import current_user

from mdt import transaction
from mdt.api.base import api_bp, items_of, problems
from mdt.cases import services as cases
from mdt.documents import services as documents
from mdt.documents.http import file_response
from mdt.documents.schemas import CustodyItemSchema, DocumentOutSchema, DocumentUploadSchema


def shown(document) -> dict:
    version = document.current
    return {
        "id": document.id,
        "kind": document.kind,
        "title": document.title,
        "filename": version.filename,
        "content_type": version.content_type,
        "size": version.size,
        "sha256": version.sha256,
        "version": version.number,
        "case_id": document.case_id,
        "matter_id": document.matter_id,
        "parts": document.parts,
        "restricted": document.restricted,
        "document_date": document.document_date,
        "language": document.language,
        "description": document.description,
        "created_at": document.created_at,
    }


def _multipart(schema):
    """Document a ``multipart/form-data`` request body with ``schema`` (the service validates the
    form's fields with the schema it extends)."""
    return api_bp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": schema}}})


@api_bp.post("/cases/<int:case_id>/documents")
@_multipart(DocumentUploadSchema)
@api_bp.response(201, DocumentOutSchema)
@problems(400, 401, 403, 404, 413, 422)
def add_case_document(case_id: int):
    """Add a document to a case (``multipart/form-data``: ``file``, ``kind``, ``description``,
    ``parts`` (repeated, or separated by commas), ``restricted``, ``document_date``,
    ``language``...). The file's type is sniffed from its content; it is encrypted before it is
    kept; its SHA-256 is answered."""
    case = cases.get_case(current_user, case_id)
    data: dict[str, object] = {k: v for k, v in request.form.items() if k != "parts"}
    parts = [p.strip() for raw in request.form.getlist("parts") for p in raw.split(",") if p.strip()]
    if parts:
        data["parts"] = parts
    upload = request.files.get("file")
    document = documents.add(
        current_user,
        case,
        data,
        cast(BinaryIO, upload.stream) if upload else None,
        upload.filename if upload else None,
    )
    return shown(document)


@api_bp.get("/documents/<int:document_id>")
@api_bp.response(200, DocumentOutSchema)
@problems(401, 404)
def get_document(document_id: int):
    """A document's description and its newest version's file name, size and SHA-256."""
    document = documents.get(current_user, document_id)
    documents.custody(current_user, document, "viewed")
    return shown(document)


@api_bp.get("/documents/<int:document_id>/content")
@api_bp.doc(
    responses={
        "200": {
            "description": "The file's bytes, with its own content type",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@problems(401, 404, 409)
def document_content(document_id: int):
    """The bytes of the newest version (``?version=N`` for an older one), streamed, once their
    SHA-256 matches the one recorded at upload; 409 when it does not (the administrators are
    told)."""
    document = documents.get(current_user, document_id)
    try:
        return file_response(document)
    except documents.Damaged:
        transaction.commit()  # the custody row and the alert stay, whatever the error answer does
        raise


@api_bp.get("/documents/<int:document_id>/custody")
@api_bp.response(200, items_of(CustodyItemSchema))
@problems(401, 404)
def document_custody(document_id: int):
    """The document's chain of custody, oldest first: who, when, what, the file's SHA-256."""
    document = documents.get(current_user, document_id)
    return {
        "items": [
            {
                "at": event.at,
                "actor": {"id": event.actor_id, "name": event.actor.name if event.actor else None},
                "action": event.action,
                "sha256": event.sha256,
                "version": event.version.number if event.version else None,
                "address": event.address,
            }
            for event in documents.custody_of(document)
        ]
    }
