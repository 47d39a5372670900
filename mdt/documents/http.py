"""What the web pages and the API share about documents over HTTP: room in a request for the
files, and a file streamed out."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, request
from flask_login import current_user

from mdt.documents import services as documents
from mdt.schema import record_id


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_response(document) -> Response:
    """The file (``?version=N``, else the newest), streamed, never held whole in memory. Its
    custody row is committed with the request, before the first byte goes out (a streamed body
    is read after the request has ended). ``documents.Damaged`` when its check fails."""
    version, chunks = documents.open_file(current_user, document, record_id(request.args.get("version")))
    response = Response(chunks, mimetype=version.content_type)
    response.headers["Content-Disposition"] = _disposition(version.filename)
    response.headers["Content-Length"] = str(version.size)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
