"""Issue 13, section 5: compressed responses, static files under content-hashed names cached
for a year, a favicon; no request the browser makes answers 404."""

from __future__ import annotations

import re

import brotli

from tests import factories as f


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_and_static_files_are_compressed(client):
    r = client.get("/login", headers={"Accept-Encoding": "br, gzip"})
    assert r.headers["Content-Encoding"] == "br" and "Accept-Encoding" in r.headers["Vary"]
    html = brotli.decompress(r.data).decode()
    assert "<form" in html and len(r.data) < len(html.encode()) / 2
    plain = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert plain.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/login").headers  # a client that takes neither


def test_static_files_have_hashed_names_and_a_year_of_cache(client):
    html = client.get("/login").get_data(as_text=True)
    names = _assets(html)
    assert {n.split("/")[-1].split(".")[0] for n in names} >= {"app", "htmx", "favicon"}
    for name in names:
        assert re.search(r"\.[0-9a-f]{12}\.[a-z0-9]+$", name), name
        r = client.get(name)
        assert r.status_code == 200, name
        cache = r.headers["Cache-Control"]
        assert "immutable" in cache and "max-age=31536000" in cache and "no-cache" not in cache
        r.close()
    # Another release's name (a page open during a deploy) gets today's file, briefly cached; the
    # plain name still answers (fonts named in a stylesheet).
    r = client.get("/static/css/app.0123456789ab.css")
    assert r.status_code == 200 and "immutable" not in r.headers.get("Cache-Control", "")
    r.close()
    assert client.get("/static/css/nothing.0123456789ab.css").status_code == 404
    r = client.get("/static/css/app.css")
    assert r.status_code == 200 and "immutable" not in r.headers.get("Cache-Control", "")
    r.close()


def test_the_favicon_answers(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert r.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    r.close()


def test_a_signed_in_page_is_still_no_store_when_compressed(world, client):
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    r = client.get("/", headers={"Accept-Encoding": "br"})
    assert r.headers["Content-Encoding"] == "br" and r.headers["Cache-Control"] == "no-store"
