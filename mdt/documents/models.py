"""Documents: the evidence and papers of a case or a legal matter, each file encrypted at rest,
kept in versions, with an append-only chain of custody."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt import clock
from mdt.extensions import Model
from mdt.timeutil import UTCDateTime

DOCUMENT_KINDS = (
    "contract",
    "pay_slip",
    "receipt",
    "loan_agreement",
    "title_deed",
    "identity_document",
    "photo",
    "message_capture",
    "medical",
    "court_paper",
    "translation",
    "other",
)

# The part of a case a kind of document belongs to unless the uploader says otherwise: consent
# scope and need-to-know apply to it as to that part (a medical report never travels with a
# referral for legal aid that opens only the migration episodes).
DEFAULT_PART = {
    "identity_document": "person",
    "medical": "assessment",
    "court_paper": "plan",
    "translation": "episodes",
}
FALLBACK_PART = "episodes"

CUSTODY_ACTIONS = (
    "uploaded",
    "versioned",
    "viewed",
    "downloaded",
    "exported",
    "bundled",
    "hash_mismatch",
    "deleted",
    "rewrapped",
)


class Document(Model):
    """One paper or piece of evidence: what it is, whom it concerns (a case, a legal matter, and
    perhaps a hearing, referral or agenda item of theirs), the parts of the case it belongs to,
    and its versions (the newest is the document)."""

    __tablename__ = "document"
    __table_args__ = (Index("ix_document_case", "case_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("legal_matter.id"), index=True)
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearing.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    translation_of_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    document_date: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(35))
    parts: Mapped[list] = mapped_column(JSON, default=list)
    restricted: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # retention or erasure

    case = relationship("Case")
    matter = relationship("LegalMatter")
    hearing = relationship("Hearing")
    referral = relationship("Referral")
    agenda_item = relationship("AgendaItem")
    created_by = relationship("Member")
    translation_of = relationship("Document", remote_side=[id])
    versions = relationship(
        "DocumentVersion", back_populates="document", order_by="DocumentVersion.number", lazy="selectin"
    )

    @property
    def current(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None


class DocumentVersion(Model):
    """One file of a document: where its sealed bytes are kept, the key that opens them (wrapped
    by the master key ``key_id``), and the SHA-256 of its plaintext, checked at every download."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    blob: Mapped[str | None] = mapped_column(String(80))  # the storage name; None once removed
    thumbnail: Mapped[str | None] = mapped_column(String(80))
    key_id: Mapped[str] = mapped_column(String(8))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary(40))
    pages: Mapped[int | None]
    location_removed: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    document = relationship("Document", back_populates="versions")
    created_by = relationship("Member")


class CustodyEvent(Model):
    """Who did what to a document's file, when, from which address, and the hash the file had:
    append-only (the database refuses UPDATE and DELETE, like the audit trail)."""

    __tablename__ = "custody_event"
    __table_args__ = (Index("ix_custody_document_at", "document_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("document_version.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    action: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("Member")
    version = relationship("DocumentVersion")


BUNDLE_STATUSES = ("queued", "running", "ready", "failed")


class CourtBundle(Model):
    """A court bundle asked for a hearing: the documents chosen, in order; made in the background
    into a document of the matter (``document_id``)."""

    __tablename__ = "court_bundle"
    id: Mapped[int] = mapped_column(primary_key=True)
    mdt_id: Mapped[int] = mapped_column(ForeignKey("mdt.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("legal_matter.id"), index=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    document_ids: Mapped[list] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(5), default="en")
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    matter = relationship("LegalMatter")
    hearing = relationship("Hearing")
    requested_by = relationship("Member")
    document = relationship("Document")
