"""The court bundle: the documents a lawyer chose for a hearing, in one paginated PDF. A cover,
an index (each document's title, date, page range and SHA-256), then the documents, a
translation right after its original, and "page n of N" on every page. Made by a Celery task
with its progress shown; the bundle is itself a document of the matter, with its own custody
record, and each document put in it gets a "bundled" custody event."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from mdt import clock, policy
from mdt.documents import services as documents
from mdt.documents.models import CourtBundle, Document
from mdt.errors import Forbidden, NotFound, ValidationError
from mdt.extensions import db
from mdt.pdf import render_pdf

A4 = (595.28, 841.89)
PRINTABLE = (
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/tiff",
    "text/plain",
)


def choices(actor, hearing) -> list[Document]:
    """The documents the lawyer may put in a bundle for ``hearing``: the matter's own and its
    claimants' cases', as far as they may see them, files not removed."""
    matter = hearing.matter
    case_ids = [c.case_id for c in matter.claimants]
    found = db.session.scalars(
        select(Document)
        .where(
            (Document.matter_id == matter.id) | (Document.case_id.in_(case_ids)),
            Document.removed_at.is_(None),
            Document.id.not_in(select(CourtBundle.document_id).where(CourtBundle.document_id.is_not(None))),
        )
        .order_by(Document.document_date, Document.id)
    ).all()
    return [d for d in found if policy.can(actor, "document.view", d)]


def request_bundle(actor, hearing, document_ids: list[int], language: str = "en") -> CourtBundle:
    if not policy.can(actor, "matter.edit", hearing.matter):
        raise Forbidden("Only those who work on the matter make its bundles.")
    allowed = {d.id: d for d in choices(actor, hearing)}
    chosen = [i for i in dict.fromkeys(document_ids) if i in allowed]
    if not chosen:
        raise ValidationError(
            str(_l("Choose the documents to put in the bundle.")),
            {"documents": [str(_l("Choose the documents to put in the bundle."))]},
        )
    made = CourtBundle(
        mdt_id=hearing.matter.mdt_id,
        matter_id=hearing.matter_id,
        hearing_id=hearing.id,
        requested_by_id=actor.id,
        document_ids=chosen,
        language=language if language in ("en", "th") else "en",
    )
    db.session.add(made)
    db.session.flush()
    return made


def of_matter(matter, limit: int = 10) -> list[CourtBundle]:
    return list(
        db.session.scalars(
            select(CourtBundle)
            .where(CourtBundle.matter_id == matter.id)
            .order_by(CourtBundle.id.desc())
            .limit(limit)
        )
    )


def queue(bundle_id: int) -> None:
    if current_app.config.get("MDT_ACCOUNT_MAIL_INLINE"):
        return
    current_app.extensions["celery"].send_task("workers.tasks.make_bundle", args=[bundle_id])


def get_bundle(actor, bundle_id: int) -> CourtBundle:
    made = db.session.get(CourtBundle, bundle_id)
    if made is None or made.mdt_id != actor.mdt_id or not policy.can(actor, "matter.view", made.matter):
        raise NotFound("No such bundle.")
    return made


def _progress(bundle_id: int, **values) -> None:
    """Written on a connection of its own, so that the page sees it while the task runs."""
    with db.engine.begin() as conn:
        conn.execute(update(CourtBundle).where(CourtBundle.id == bundle_id).values(**values))


@dataclass
class Part:
    document: Document
    pages: int
    first: int = 0


def _as_pdf(document: Document, actor) -> bytes:
    """The newest version of ``document`` as PDF pages: a PDF as it is, a photo or scan on a
    page, text set in a page; anything else (a spreadsheet, a voice message) as a page saying it
    is supplied apart, with its SHA-256."""
    try:
        version, chunks = documents.open_file(actor, document, action=None)
    except documents.Damaged:
        db.session.commit()  # the failed check's custody row and the administrators' alert stay
        raise
    content = b"".join(chunks)
    if version.content_type == "application/pdf":
        return content
    if version.content_type in PRINTABLE and version.content_type.startswith("image/"):
        from PIL import Image, ImageOps

        with Image.open(io.BytesIO(content)) as image:
            picture = ImageOps.exif_transpose(image).convert("RGB")
            out = io.BytesIO()
            picture.save(out, format="PDF", resolution=150.0)
            return out.getvalue()
    text = content.decode("utf-8", errors="replace") if version.content_type == "text/plain" else None
    return render_pdf(render_template("pdf/bundle_item.html", document=document, version=version, text=text))


def _on_a4(page):
    """The page scaled (never enlarged) and centred on an A4 sheet, as courts print them."""
    from pypdf import PageObject, Transformation

    width, height = float(page.mediabox.width), float(page.mediabox.height)
    scale = min(A4[0] / width, A4[1] / height, 1.0)
    sheet = PageObject.create_blank_page(width=A4[0], height=A4[1])
    dx, dy = (A4[0] - width * scale) / 2, (A4[1] - height * scale) / 2
    sheet.merge_transformed_page(page, Transformation().scale(scale).translate(dx, dy))
    return sheet


def fail(bundle_id: int, error: str) -> None:
    _progress(bundle_id, status="failed", error=error[:500])


def make(bundle_id: int) -> CourtBundle | None:
    """Build the bundle (the task)."""
    from pypdf import PdfReader, PdfWriter

    made = db.session.get(CourtBundle, bundle_id)
    if made is None or made.status not in ("queued", "running", "failed"):
        return made
    actor = made.requested_by
    _progress(made.id, status="running", progress=2)
    found = [db.session.get(Document, i) for i in made.document_ids]
    wanted: list[Document] = [
        d for d in found if d is not None and policy.can(actor, "document.view", d) and d.removed_at is None
    ]
    # A translation goes right after its original (when both are chosen).
    originals = [d for d in wanted if d.translation_of_id not in {w.id for w in wanted}]
    ordered: list[Document] = []
    for document in originals:
        ordered.append(document)
        ordered += [t for t in wanted if t.translation_of_id == document.id]
    bodies: list[tuple[Document, bytes]] = []
    for n, document in enumerate(ordered, 1):
        bodies.append((document, _as_pdf(document, actor)))
        _progress(made.id, progress=2 + int(60 * n / max(len(ordered), 1)))
    parts = [Part(d, len(PdfReader(io.BytesIO(b)).pages)) for d, b in bodies]
    with force_locale(made.language):
        context = {
            "bundle": made,
            "matter": made.matter,
            "hearing": made.hearing,
            "parts": parts,
            "zone": clock.zone(clock.COURT_ZONES[made.matter.jurisdiction]),
        }
        # The cover and index are laid out twice: the first time to learn how many pages they take.
        front_pages = len(
            PdfReader(io.BytesIO(render_pdf(render_template("pdf/bundle_front.html", **context)))).pages
        )
        first = front_pages + 1
        for part in parts:
            part.first, first = first, first + part.pages
        total = first - 1
        front = render_pdf(render_template("pdf/bundle_front.html", **context, total=total))
        numbers = render_pdf(render_template("pdf/bundle_numbers.html", total=total, title=made.matter.title))
    _progress(made.id, progress=70)
    writer = PdfWriter()
    stamps = PdfReader(io.BytesIO(numbers)).pages
    sources = [PdfReader(io.BytesIO(front))] + [PdfReader(io.BytesIO(b)) for _d, b in bodies]
    n = 0
    for reader in sources:
        for page in reader.pages:
            sheet = _on_a4(page)
            sheet.merge_page(stamps[n])
            writer.add_page(sheet)
            n += 1
    _progress(made.id, progress=90)
    out = io.BytesIO()
    writer.write(out)
    body = out.getvalue()
    hearing = made.hearing
    day = clock.local_date(hearing.starts_at, clock.COURT_ZONES[made.matter.jurisdiction]).isoformat()
    with force_locale(made.language):
        title = str(_l("Court bundle: %(title)s, hearing of %(day)s", title=made.matter.title, day=day))
    result = documents.add(
        actor,
        made.matter,
        {"kind": "court_paper", "title": title[:200], "hearing_id": hearing.id},
        io.BytesIO(body),
        f"bundle-{made.matter_id}-{hearing.id}-{made.id}.pdf",
    )
    for document in ordered:
        documents.custody(actor, document, "bundled", bundle=result.id)
    made.document_id, made.status, made.progress, made.pages = result.id, "ready", 100, total
    db.session.flush()
    return made
