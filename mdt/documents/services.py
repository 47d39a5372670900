"""Documents: adding a file (sealed as it arrives, its type sniffed from the content, a
thumbnail made), new versions, reading it back (its SHA-256 checked before a byte is given), and
the chain of custody of every step.

Services only flush (``mdt.transaction``). A file is put in storage before the rows that name it
are committed; if the unit of work rolls back, the session's ``after_rollback`` deletes it, so
nothing is left half-stored."""

from __future__ import annotations

import hashlib
import io
import shutil
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case
from mdt.directory.models import Member
from mdt.documents import crypto, sniff
from mdt.documents.models import (
    DEFAULT_PART,
    FALLBACK_PART,
    CourtBundle,
    CustodyEvent,
    Document,
    DocumentVersion,
)
from mdt.documents.schemas import NO_FILE, DocumentSchema
from mdt.documents.spool import SealedSpool, spool_folder
from mdt.documents.storage import Storage, new_name, storage
from mdt.errors import Forbidden, NotFound, ValidationError, WorkflowError
from mdt.extensions import db
from mdt.legal.models import Hearing, LegalMatter
from mdt.meetings.models import AgendaItem, Meeting
from mdt.notifications.models import Notification
from mdt.referrals.models import Referral
from mdt.schema import load

THUMBNAIL = (320, 320)


# ---------------------------------------------------------------- keys


def master_key() -> crypto.MasterKey:
    return crypto.MasterKey.parse(current_app.config["MDT_FILES_KEY"])


def master_keys() -> dict[str, crypto.MasterKey]:
    """The current master key and those still read while rotating, by id."""
    keys = [master_key()] + [
        crypto.MasterKey.parse(text)
        for text in current_app.config.get("MDT_FILES_PREVIOUS_KEYS", "").split(",")
        if text.strip()
    ]
    return {key.id: key for key in keys}


def _file_key(version: DocumentVersion) -> bytes:
    key = master_keys().get(version.key_id)
    if key is None:
        raise crypto.Tampered(f"no master key {version.key_id} (set MDT_FILES_PREVIOUS_KEYS)")
    return key.unwrap(version.wrapped_key)


# ---------------------------------------------------------------- nothing half-stored

_PUT = "mdt_documents_put"


def _forget_put(session: Session) -> None:
    session.info.pop(_PUT, None)


def _delete_put(session: Session) -> None:
    for name in session.info.pop(_PUT, []):
        storage().delete(name)


event.listen(Session, "after_commit", _forget_put)
event.listen(Session, "after_rollback", _delete_put)


def _put(name: str, source: BinaryIO) -> None:
    storage().put(name, source)
    db.session.info.setdefault(_PUT, []).append(name)


# ---------------------------------------------------------------- custody


def _address() -> str | None:
    return request.remote_addr if has_request_context() else None


def custody(
    actor, document: Document, action: str, version: DocumentVersion | None = None, **detail
) -> CustodyEvent:
    """Append one custody event (and its audit row)."""
    version = version or document.current
    made = CustodyEvent(
        document_id=document.id,
        version_id=version.id if version is not None else None,
        at=clock.now(),
        actor_id=getattr(actor, "id", None),
        action=action,
        address=_address(),
        sha256=version.sha256 if version is not None else None,
        detail=detail or None,
    )
    db.session.add(made)
    record(
        actor,
        f"document.{action}",
        document,
        case=document.case,
        detail={"version": version.number if version else None, **detail},
    )
    return made


def custody_of(document: Document) -> list[CustodyEvent]:
    return list(
        db.session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.document_id == document.id)
            .order_by(CustodyEvent.at, CustodyEvent.id)
        )
    )


# ---------------------------------------------------------------- storing a file


@dataclass
class Stored:
    filename: str
    content_type: str
    size: int
    sha256: str
    blob: str
    thumbnail: str | None
    key_id: str
    wrapped_key: bytes
    pages: int | None
    location_removed: bool


def _spooled(stream: BinaryIO) -> SealedSpool:
    if isinstance(stream, SealedSpool):
        stream.seek(0)
        return stream
    spool = SealedSpool(spool_folder())
    shutil.copyfileobj(stream, spool, 1024 * 1024)
    spool.seek(0)
    return spool


def _file_error(message) -> ValidationError:
    return ValidationError(str(message), {"file": [str(message)]})


def _without_location(spool: SealedSpool, content_type: str) -> SealedSpool | None:
    """The photo again without its GPS data (the rest of its metadata, such as when it was taken,
    stays: it may matter as evidence); None when it had none."""
    from PIL import Image

    spool.seek(0)
    with Image.open(spool.file()) as image:
        exif = image.getexif()
        if 0x8825 not in exif:  # GPSInfo
            return None
        del exif[0x8825]
        out = SealedSpool(spool_folder())
        kept: dict[str, Any] = {"exif": exif.tobytes()}
        if content_type == "image/jpeg":
            kept["quality"] = "keep" if image.format == "JPEG" else 95
        image.save(out.file(), format=image.format, **kept)
    out.seek(0)
    return out


def _thumbnail(spool: SealedSpool, content_type: str) -> bytes | None:
    """A small PNG of a photo, or of the first image on a PDF's first page (a scan); None when
    there is none to make."""
    from PIL import Image, ImageOps

    spool.seek(0)
    try:
        if content_type in sniff.IMAGES:
            with Image.open(spool.file()) as image:
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail(THUMBNAIL)
                out = io.BytesIO()
                picture.convert("RGB").save(out, format="PNG")
                return out.getvalue()
        if content_type == "application/pdf":
            from pypdf import PdfReader

            page = PdfReader(spool.file(), strict=False).pages[0]
            for found in page.images:
                if found.image is None:
                    continue
                picture = found.image.copy()
                picture.thumbnail(THUMBNAIL)
                out = io.BytesIO()
                picture.convert("RGB").save(out, format="PNG")
                return out.getvalue()
    except Exception:  # noqa: BLE001  a thumbnail is a convenience: the file is kept without one
        current_app.logger.info("no thumbnail for a %s", content_type)
    return None


def store(upload_stream: BinaryIO, filename: str, remove_location: bool = False) -> Stored:
    """Check, seal and put one file (``ValidationError`` at ``file`` for an empty, too large or
    unwelcome one; nothing is stored then)."""
    limit = int(current_app.config["MDT_FILES_MAX_BYTES"])
    spool = _spooled(upload_stream)
    if spool.size == 0:
        raise _file_error(_l("The file is empty."))
    if spool.size > limit:
        raise _file_error(_l("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)))
    try:
        content_type, pages = sniff.sniff(spool.head, spool.file())
    except sniff.NotAllowed as exc:
        raise _file_error(str(exc)) from None
    removed = False
    if remove_location and content_type in ("image/jpeg", "image/png", "image/webp", "image/tiff"):
        stripped = _without_location(spool, content_type)
        if stripped is not None:
            spool, removed = stripped, True
    file_key = crypto.new_file_key()
    key = master_key()
    blob = new_name()
    with tempfile.TemporaryFile(dir=spool_folder()) as sealed:
        sealer = crypto.Sealer(file_key, sealed)
        spool.seek(0)
        shutil.copyfileobj(spool.file(), cast(BinaryIO, sealer), 1024 * 1024)
        sha256 = sealer.close()
        sealed.seek(0)
        _put(blob, sealed)
    thumbnail = None
    picture = _thumbnail(spool, content_type)
    if picture is not None:
        thumbnail = new_name()
        _put(thumbnail, io.BytesIO(crypto.seal_bytes(file_key, picture)))
    name = safe_name(filename, sniff.ALLOWED[content_type])
    return Stored(
        filename=name,
        content_type=content_type,
        size=sealer.size,
        sha256=sha256,
        blob=blob,
        thumbnail=thumbnail,
        key_id=key.id,
        wrapped_key=key.wrap(file_key),
        pages=pages,
        location_removed=removed,
    )


def safe_name(filename: str | None, extension: str) -> str:
    """The name a file is kept and given out under: the uploader's, without folders or control
    characters (a line break would break the download's header), and with the extension of what
    the file is (a script uploaded as ``payslip.bat`` comes back as ``payslip.txt``)."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    stem = base.rsplit(".", 1)[0].strip() if "." in base else base
    return f"{(stem or 'document')[:180]}.{extension}"


# ---------------------------------------------------------------- adding and versions


def _about(actor, document: Document, clean: dict) -> None:
    """Attach the hearing, referral, agenda item or original named, each of the same case or
    matter and visible to the actor (else "Choose from the list.", as for a missing one)."""
    errors: dict[str, list[str]] = {}
    checks = (
        (
            "hearing_id",
            Hearing,
            lambda h: h.matter_id == document.matter_id and policy.can(actor, "matter.view", h.matter),
        ),
        (
            "referral_id",
            Referral,
            lambda r: r.case_id == document.case_id and policy.can(actor, "referral.view", r),
        ),
        (
            "agenda_item_id",
            AgendaItem,
            lambda a: (
                a.case_id is not None
                and a.case_id == document.case_id
                and policy.can(actor, "meeting.view", db.session.get(Meeting, a.meeting_id))
            ),
        ),
        (
            "translation_of_id",
            Document,
            lambda d: (
                (d.case_id, d.matter_id) == (document.case_id, document.matter_id)
                and policy.can(actor, "document.view", d)
            ),
        ),
    )
    for field, model, fits in checks:
        ident = clean.get(field)
        if ident is None:
            continue
        found = db.session.get(model, ident)
        if found is None or not fits(found):
            errors[field] = [str(_l("Choose from the list."))]
        else:
            setattr(document, field, ident)
    if errors:
        raise ValidationError("Some fields are not valid.", errors)


def contexts(actor, target) -> dict[str, list]:
    """What a document added to ``target`` may also be about, as the add form offers it: the
    matter's hearings; the case's referrals and conference agenda items; the documents it may
    translate. Only what ``actor`` may see (``_about`` checks the same again)."""
    if isinstance(target, Case):
        referrals = db.session.scalars(
            select(Referral).where(Referral.case_id == target.id).order_by(Referral.created_at.desc())
        ).all()
        items = db.session.scalars(
            select(AgendaItem).where(AgendaItem.case_id == target.id).order_by(AgendaItem.id.desc())
        ).all()
        return {
            "hearings": [],
            "referrals": [r for r in referrals if policy.can(actor, "referral.view", r)],
            "agenda_items": [
                a for a in items if policy.can(actor, "meeting.view", db.session.get(Meeting, a.meeting_id))
            ],
            "originals": of_case(actor, target),
        }
    hearings = db.session.scalars(
        select(Hearing).where(Hearing.matter_id == target.id).order_by(Hearing.starts_at)
    ).all()
    return {
        "hearings": list(hearings),
        "referrals": [],
        "agenda_items": [],
        "originals": of_matter(actor, target),
    }


def add(actor, target, data: dict, upload: BinaryIO | None, filename: str | None) -> Document:
    """Add a document to ``target`` (a case or a legal matter) with its first version."""
    if not policy.can(actor, "document.add", target):
        raise Forbidden("You cannot add documents here.")
    clean = load(DocumentSchema, data, today=clock.today(actor.mdt))
    if upload is None:
        raise _file_error(NO_FILE)
    is_case = isinstance(target, Case)
    document = Document(
        mdt_id=target.mdt_id,
        case_id=target.id if is_case else None,
        matter_id=None if is_case else target.id,
        kind=clean["kind"],
        title=clean.get("title") or "",
        description=clean.get("description"),
        document_date=clean.get("document_date"),
        language=clean.get("language"),
        parts=sorted(set(clean.get("parts") or [DEFAULT_PART.get(clean["kind"], FALLBACK_PART)])),
        restricted=bool(clean.get("restricted")),
        created_by_id=actor.id,
    )
    document.case = target if is_case else None
    document.matter = None if is_case else target
    _about(actor, document, clean)
    if document.translation_of_id is not None:
        # A translation says what its original says: it belongs to the same parts, as restricted.
        original = db.session.get_one(Document, document.translation_of_id)
        document.parts = sorted(set(document.parts) | set(original.parts or []))
        document.restricted = document.restricted or original.restricted
    if not policy.can(actor, "document.view", document):
        # Filed under parts (or restricted) the adder could not see themselves.
        raise ValidationError(
            "Some fields are not valid.",
            {"parts": [str(_l("You can file a document only under parts of the case you can see."))]},
        )
    stored = store(upload, filename or "", remove_location=bool(clean.get("remove_location")))
    document.title = document.title or stored.filename
    db.session.add(document)
    db.session.flush()
    version = DocumentVersion(document_id=document.id, number=1, created_by_id=actor.id, **vars(stored))
    db.session.add(version)
    db.session.flush()
    db.session.refresh(document, ["versions"])
    custody(actor, document, "uploaded", version, size=stored.size, location_removed=stored.location_removed)
    return document


def add_version(
    actor, document: Document, upload: BinaryIO | None, filename: str | None, remove_location: bool = False
) -> DocumentVersion:
    """A new file for the same document: the old versions stay."""
    if not policy.can(actor, "document.version", document):
        raise Forbidden("You cannot add a version of this document.")
    if document.removed_at is not None:
        raise WorkflowError(str(_l("This document was removed under the retention rules.")))
    if upload is None:
        raise _file_error(NO_FILE)
    stored = store(upload, filename or "", remove_location=remove_location)
    number = (document.current.number if document.current else 0) + 1
    version = DocumentVersion(document_id=document.id, number=number, created_by_id=actor.id, **vars(stored))
    db.session.add(version)
    db.session.flush()
    db.session.refresh(document, ["versions"])
    custody(actor, document, "versioned", version, size=stored.size)
    return version


# ---------------------------------------------------------------- reading


def get(actor, document_id: int) -> Document:
    """A document the actor may see (any other, or none: ``NotFound``, like a hidden case)."""
    document = db.session.get(Document, document_id)
    if document is None or not policy.can(actor, "document.view", document):
        raise NotFound("No such document.")
    return document


def version_of(document: Document, number: int | None) -> DocumentVersion:
    if number is None:
        found = document.current
    else:
        found = next((v for v in document.versions if v.number == number), None)
    if found is None:
        raise NotFound("No such version.")
    return found


def _visible(actor, condition) -> list[Document]:
    found = db.session.scalars(
        select(Document).where(condition).order_by(Document.created_at.desc(), Document.id.desc())
    ).all()
    return [d for d in found if policy.can(actor, "document.view", d)]


def of_case(actor, case: Case) -> list[Document]:
    """The documents of a case the actor may see, newest first."""
    return _visible(actor, Document.case_id == case.id)


def of_matter(actor, matter: LegalMatter) -> list[Document]:
    """The documents of a legal matter itself (not its claimants' cases) the actor may see."""
    return _visible(actor, Document.matter_id == matter.id)


def _chunks(kept: Storage, key: bytes, name: str) -> Iterator[bytes]:
    """The plaintext of a stored blob. Needs no app context (a streamed response's body is read
    after the request has ended)."""
    blob = kept.open(name)
    try:
        yield from crypto.open_chunks(key, blob)
    finally:
        blob.close()


def _alert_admins(document: Document, version: DocumentVersion, why: str) -> None:
    for admin in db.session.scalars(
        select(Member).where(Member.mdt_id == document.mdt_id, Member.active.is_(True))
    ):
        if admin.has_role("admin"):
            db.session.add(
                Notification(member_id=admin.id, kind="document_tampered", case_id=document.case_id)
            )
    current_app.logger.error("document %s version %s failed its check: %s", document.id, version.id, why)


def open_file(
    actor, document: Document, number: int | None = None, action: str | None = "downloaded"
) -> tuple[DocumentVersion, Iterator[bytes]]:
    """The plaintext of a version, once its SHA-256 is checked against the one recorded at
    upload (a first pass that keeps nothing); a mismatch refuses it, records it in the custody
    chain and alerts the MDT's administrators."""
    version = version_of(document, number)
    if version.blob is None:
        raise WorkflowError(str(_l("This file was removed under the retention rules.")))
    try:
        key, kept = _file_key(version), storage()
        digest = hashlib.sha256()
        for piece in _chunks(kept, key, version.blob):
            digest.update(piece)
        if digest.hexdigest() != version.sha256:
            raise crypto.Tampered("the SHA-256 differs")
    except (crypto.Tampered, OSError) as exc:
        custody(actor, document, "hash_mismatch", version)
        _alert_admins(document, version, str(exc))
        raise Damaged(
            str(
                _l(
                    "This file no longer matches what was stored: it is not given out. "
                    "The administrators have been told."
                )
            )
        ) from None
    if action is not None:  # None: the caller records what the file was read for
        custody(actor, document, action, version)
        # A court bundle copies documents: each of them records that it went out in the bundle.
        copied = db.session.scalar(
            select(CourtBundle.document_ids).where(CourtBundle.document_id == document.id)
        )
        for inside in filter(None, (db.session.get(Document, i) for i in copied or [])):
            custody(actor, inside, action, in_bundle=document.id)
    return version, _chunks(kept, key, version.blob)


class Damaged(WorkflowError):
    """A stored file failed its check (kept apart so the caller can still commit its custody row)."""


def thumbnail(actor, document: Document) -> bytes | None:
    version = document.current
    if version is None or version.thumbnail is None:
        return None
    try:
        blob = storage().open(version.thumbnail)
        try:
            return crypto.open_bytes(_file_key(version), blob.read())
        finally:
            blob.close()
    except (crypto.Tampered, OSError):
        return None


# ---------------------------------------------------------------- keys and removal


def rotate_keys() -> int:
    """Re-wrap every file key under the current master key (the contents are not touched):
    after setting a new ``MDT_FILES_KEY`` with the old one in ``MDT_FILES_PREVIOUS_KEYS``."""
    current = master_key()
    done = 0
    for version in db.session.scalars(select(DocumentVersion).where(DocumentVersion.key_id != current.id)):
        file_key = _file_key(version)
        version.wrapped_key, version.key_id = current.wrap(file_key), current.id
        custody(None, version.document, "rewrapped", version, key_id=current.id)
        done += 1
    db.session.flush()
    return done


def _remove(document: Document, why: str) -> None:
    for version in document.versions:
        for name in (version.blob, version.thumbnail):
            if name:
                storage().delete(name)
        version.blob = version.thumbnail = None
        version.filename = "removed"  # a file's name may name the person
    document.removed_at = clock.now()
    document.description = None
    document.title = str(_l("Removed under the retention rules"))
    custody(None, document, "deleted", reason=why)


def remove_for_cases(case_ids: list[int], why: str) -> int:
    """Delete the files of the cases' documents (retention or erasure), and of the court bundles
    that copied any of them: the rows and their custody chain stay, saying when and why, with
    nothing that names the person (title and file names go too)."""
    removed = 0
    gone: set[int] = set()
    for document in db.session.scalars(
        select(Document).where(Document.case_id.in_(case_ids), Document.removed_at.is_(None))
    ):
        _remove(document, why)
        gone.add(document.id)
        removed += 1
    if gone:
        for made in db.session.scalars(select(CourtBundle).where(CourtBundle.document_id.is_not(None))):
            copy = db.session.get(Document, made.document_id)
            if copy is not None and copy.removed_at is None and gone & set(made.document_ids):
                _remove(copy, why)
                removed += 1
    db.session.flush()
    return removed
