"""Static files under content-hashed names, cached for a year (issue 13).

``url_for("static", filename="css/app.css")`` gives ``/static/css/app.<hash>.css``, where the hash
is the first 12 hex digits of the file's SHA-256 when the app started. That address is answered
with ``Cache-Control: public, max-age=31536000, immutable``: a browser never asks for it again,
and a new release names new files. The plain name still works (fonts referenced from a
stylesheet, old pages), with the default short cache.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask

HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
YEAR = 365 * 24 * 3600


def manifest(folder: Path) -> dict[str, str]:
    """Each file under ``folder`` (a path with "/") to its hashed name."""
    names = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            name = path.relative_to(folder).as_posix()
            names[name] = f"{name[: -len(path.suffix)] if path.suffix else name}.{digest}{path.suffix}"
    return names


def register(app: Flask) -> None:
    names = manifest(Path(app.static_folder or "static"))
    hashed = {v: k for k, v in names.items()}
    app.extensions["mdt_assets"] = names

    @app.url_defaults
    def _hashed_name(endpoint, values):
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = names[values["filename"]]

    plain = app.view_functions["static"]

    def static(filename: str):
        original = hashed.get(filename)
        if original is None:
            stale = HASHED.match(filename)
            if stale and f"{stale['stem']}{stale['ext']}" in names:
                # A page of the release before (open during a deploy) still gets its script and
                # style: today's file, not cached for long.
                return plain(filename=f"{stale['stem']}{stale['ext']}")
            return plain(filename=filename)
        response = app.send_static_file(original)
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
        return response

    app.view_functions["static"] = static

    def favicon():
        """Browsers ask for /favicon.ico whatever the page says (a 404 in every console otherwise)."""
        response = app.send_static_file("favicon.ico")
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = 7 * 24 * 3600
        return response

    app.add_url_rule("/favicon.ico", "favicon", favicon)
