"""Server-made PDFs with WeasyPrint. Pages are rendered from the same templates as the printable
HTML; the only resources WeasyPrint may load are files in the app's static folder (the print
stylesheet and the shipped Sarabun font, so Thai renders without any system font)."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import current_app


def _fetcher(root: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith("file:"):
                raise ValueError("PDFs load nothing from the network.")
            path = Path(URLFetcherResponse(url).path).resolve()
            if root not in path.parents:
                raise ValueError("PDFs load only the app's static files.")
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind}, 200)

    return StaticOnly()


def page_numbers_css() -> str:
    """The @page rule numbering pages "Page 2 of 5" in the reader's language (a CSS string with
    the page counters where the translation puts them)."""
    from flask_babel import gettext

    text = gettext("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    content = '"' + quoted.replace("\x00", '" counter(page) "').replace("\x01", '" counter(pages) "') + '"'
    return "@page { @bottom-center { content: " + content + "; font-size: 9pt; } }"


def render_pdf(html: str) -> bytes:
    """The page as a tagged PDF (PDF/UA-1: structure, the document's language from ``<html
    lang>``, its title), loading only the app's static files."""
    from weasyprint import HTML

    root = Path(current_app.static_folder or "static").resolve()
    # SARA AM (ำ) is drawn as two glyphs, NIKHAHIT and SARA AA; a PDF maps each glyph to one text,
    # so the SARA AA of every later "า" was read back as "ำ" ("ทำงาน" came out "ทำงำน") and
    # "น้ำ" lost its tone mark. Written as its two parts (its Unicode compatibility
    # decomposition), every word reads back right: the same text under NFKC, as search and
    # screen readers compare it.
    html = html.replace("\u0e33", "\u0e4d\u0e32")
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=_fetcher(root))
    return document.write_pdf(pdf_variant="pdf/ua-1")
