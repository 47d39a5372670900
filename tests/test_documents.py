"""Documents (issue 15): files sealed before they touch the disk, their type sniffed from the
content, versions kept, the SHA-256 checked at every download, the chain of custody of every
step, and access as the parts of the case they belong to open."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from mdt.documents import crypto, storage
from mdt.documents import services as documents
from mdt.documents.models import CustodyEvent, Document, DocumentVersion
from mdt.errors import ValidationError
from mdt.extensions import db
from mdt.notifications.models import Notification
from tests import factories as f

MARKER = b"MARKER-7f3a-the-contract-of-Malee"


def _text_file(size: int = 0) -> bytes:
    body = b"Employment contract. " + MARKER + b"\n"
    return body + b"x" * max(0, size - len(body))


def _upload(client, case_id, files, **data):
    form = {"kind": "contract", **data, "file": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(f"/cases/{case_id}/documents/new", data=form, content_type="multipart/form-data")


def _everything_on_disk(app) -> list[Path]:
    root = Path(app.instance_path)
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_file_is_sealed_before_it_touches_the_disk(world, client, auth, web_app):
    """A file bigger than Werkzeug's in-memory limit (it spools those to a temporary file) with a
    marker: no file under the instance folder holds the marker, and the file comes back whole."""
    case = f.client_case(world)
    body = _text_file(3 * 1024 * 1024)
    auth.login("social@test.org")
    r = _upload(client, case.id, [("contract.txt", body)], title="Contract", language="Thai")
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    for path in _everything_on_disk(web_app):
        assert MARKER not in path.read_bytes(), path
    document = db.session.scalars(select(Document)).one()
    version = document.current
    assert (version.size, version.sha256) == (len(body), hashlib.sha256(body).hexdigest())
    assert version.content_type == "text/plain" and document.parts == ["episodes"]
    got = client.get(f"/documents/{document.id}/file")
    assert got.status_code == 200 and got.data == body
    assert "attachment" in got.headers["Content-Disposition"]
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert version.sha256 in page and "Chain of custody" in page
    actions = [e.action for e in db.session.scalars(select(CustodyEvent).order_by(CustodyEvent.id))]
    assert actions == ["uploaded", "downloaded", "viewed"]


def test_the_api_adds_reads_and_tells_the_custody(world, client):
    case = f.client_case(world)
    headers = {"Authorization": f"Bearer {f.token(world['lawyer'])}"}
    pdf = f.pdf(3, "payslips")
    r = client.post(
        f"/api/v1/cases/{case.id}/documents",
        data={"file": (io.BytesIO(pdf), "payslips.pdf"), "kind": "pay_slip", "parts": "episodes,plan"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["filename"] == "payslips.pdf" and made["size"] == len(pdf)
    assert made["sha256"] == hashlib.sha256(pdf).hexdigest() and made["kind"] == "pay_slip"
    assert {"id", "created_at"} <= made.keys() and made["parts"] == ["episodes", "plan"]
    one = client.get(f"/api/v1/documents/{made['id']}", headers=headers)
    assert one.status_code == 200 and one.get_json()["sha256"] == made["sha256"]
    content = client.get(f"/api/v1/documents/{made['id']}/content", headers=headers)
    assert content.status_code == 200 and content.data == pdf
    assert content.headers["Content-Type"] == "application/pdf"
    chain = client.get(f"/api/v1/documents/{made['id']}/custody", headers=headers).get_json()["items"]
    assert [i["action"] for i in chain] == ["uploaded", "viewed", "downloaded"]
    assert chain[0]["actor"]["name"] == world["lawyer"].name and chain[0]["sha256"] == made["sha256"]
    assert db.session.get(DocumentVersion, 1).pages == 3


def test_hidden_documents_answer_404_and_consent_scope_applies(world, client):
    """The legal aid NGO's consent opens every part but the assessment: a medical report (filed
    with the assessment) stays with social welfare; when the consent is withdrawn the NGO loses
    the contract at once."""
    from mdt.referrals import services as referrals

    case = f.client_case(world)
    sharing = next(c for c in case.consents if c.purpose == "share_with_agency")
    social = world["social"]
    contract = documents.add(social, case, {"kind": "contract"}, io.BytesIO(f.pdf()), "contract.pdf")
    medical = documents.add(social, case, {"kind": "medical"}, io.BytesIO(f.pdf()), "clinic.pdf")
    restricted = documents.add(
        social, case, {"kind": "other", "restricted": True}, io.BytesIO(f.pdf()), "notes.pdf"
    )
    db.session.commit()
    assert medical.parts == ["assessment"]
    lawyer = {"Authorization": f"Bearer {f.token(world['lawyer'])}"}
    police = {"Authorization": f"Bearer {f.token(world['police'])}"}
    # narrow the NGO's consent to everything but the assessment
    referrals.record_consent(
        social,
        case,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": world.agencies["legal"].id,
            "scope": ["person", "episodes", "plan", "notes"],
        },
    )
    db.session.commit()
    assert client.get(f"/api/v1/documents/{contract.id}", headers=lawyer).status_code == 200
    for hidden in (medical, restricted):
        assert client.get(f"/api/v1/documents/{hidden.id}", headers=lawyer).status_code == 404
        assert client.get(f"/api/v1/documents/{hidden.id}/content", headers=lawyer).status_code == 404
    for each in (contract, medical, restricted):
        assert client.get(f"/api/v1/documents/{each.id}/content", headers=police).status_code == 404
    latest = max((c for c in case.consents if c.purpose == "share_with_agency"), key=lambda c: c.id)
    assert latest.id != sharing.id
    referrals.withdraw_consent(social, latest, "She asked")
    db.session.commit()
    assert client.get(f"/api/v1/documents/{contract.id}", headers=lawyer).status_code == 404
    assert client.get(f"/api/v1/documents/{contract.id}/custody", headers=lawyer).status_code == 404


@pytest.mark.parametrize(
    "name,body,message",
    [
        ("empty.pdf", b"", "The file is empty."),
        ("too-big.txt", b"y" * 4096, "larger than"),
        ("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "It looks like a program"),
        ("cut.pdf", f.pdf(2)[:300], "cannot be opened"),
        ("photo.jpg", f.png()[:60], "cannot be opened"),
    ],
)
def test_bad_files_get_a_clear_message_and_nothing_is_stored(
    world, client, auth, web_app, name, body, message
):
    case = f.client_case(world)
    web_app.config["MDT_FILES_MAX_BYTES"] = 2048
    before = storage.storage().names()
    auth.login("social@test.org")
    r = _upload(client, case.id, [("fine.png", f.png()), (name, body)], description="Kept when refused")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and message in page and "Kept when refused" in page
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert storage.storage().names() == before  # the first file, stored before the second failed, is gone


def test_a_file_that_no_longer_matches_is_refused_and_the_admins_are_told(world, client, auth):
    case = f.client_case(world)
    document = documents.add(world["social"], case, {"kind": "receipt"}, io.BytesIO(f.pdf()), "fee.pdf")
    db.session.commit()
    version = document.current
    keep = storage.storage()
    sealed = bytearray(keep.open(version.blob).read())
    sealed[-20] ^= 0x01  # one bit flipped on the disk
    keep.put(version.blob, io.BytesIO(bytes(sealed)))
    auth.login("social@test.org")
    r = client.get(f"/documents/{document.id}/file")
    assert r.status_code == 409 and "no longer matches" in r.get_data(as_text=True)
    actions = db.session.scalars(
        select(CustodyEvent.action).where(CustodyEvent.document_id == document.id)
    ).all()
    assert "hash_mismatch" in actions and "downloaded" not in actions
    told = db.session.scalars(
        select(Notification.member_id).where(Notification.kind == "document_tampered")
    ).all()
    assert told == [world["admin"].id]
    api = client.get(
        f"/api/v1/documents/{document.id}/content",
        headers={"Authorization": f"Bearer {f.token(world['social'])}"},
    )
    assert api.status_code == 409


def test_versions_keep_the_old_file_and_photos_lose_their_location_on_request(world, client, auth):
    case = f.client_case(world)
    photo = f.jpeg_with_location()
    auth.login("social@test.org")
    r = _upload(client, case.id, [("dorm.jpg", photo)], kind="photo", remove_location="on")
    assert r.status_code == 302
    document = db.session.scalars(select(Document)).one()
    first = client.get(f"/documents/{document.id}/file").data
    image = Image.open(io.BytesIO(first))
    assert 0x8825 not in image.getexif() and image.getexif()[0x0132] == "2026:03:04 10:11:12"
    assert document.current.location_removed
    assert client.get(f"/documents/{document.id}/thumbnail").headers["Content-Type"] == "image/png"
    second = f.png(colour=(1, 2, 3))
    r = client.post(
        f"/documents/{document.id}/versions",
        data={"file": (io.BytesIO(second), "dorm-2.png")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    db.session.refresh(document)
    assert [v.number for v in document.versions] == [1, 2]
    assert client.get(f"/documents/{document.id}/file").data == second
    assert client.get(f"/documents/{document.id}/file?version=1").data == first


def test_the_custody_chain_cannot_be_changed(world):
    case = f.client_case(world)
    documents.add(world["social"], case, {"kind": "receipt"}, io.BytesIO(f.pdf()), "fee.pdf")
    db.session.commit()
    for statement in ("UPDATE custody_event SET action = 'viewed'", "DELETE FROM custody_event"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def test_sealed_files_resist_tampering_and_keys_rotate(world, app):
    key = crypto.new_file_key()
    for size in (0, 1, crypto.CHUNK - 1, crypto.CHUNK, crypto.CHUNK + 1, 3 * crypto.CHUNK):
        body = bytes(range(256)) * (size // 256) + b"z" * (size % 256)
        sealed = io.BytesIO()
        sealer = crypto.Sealer(key, sealed)
        sealer.write(body)
        assert sealer.close() == hashlib.sha256(body).hexdigest()
        blob = sealed.getvalue()
        assert b"".join(crypto.open_chunks(key, io.BytesIO(blob))) == body
        reader = crypto.SealedReader(key, io.BytesIO(blob), size)
        reader.seek(max(0, size - 5))
        assert reader.read() == body[-5:] if size else reader.read() == b""
        if size > crypto.CHUNK:  # cut after a whole chunk: the tag of the new "last" chunk fails
            with pytest.raises(crypto.Tampered):
                b"".join(
                    crypto.open_chunks(
                        key, io.BytesIO(blob[: len(crypto.MAGIC) + crypto.PREFIX + crypto.CHUNK + crypto.TAG])
                    )
                )
    case = f.client_case(world)
    paper = f.pdf(2)
    document = documents.add(world["social"], case, {"kind": "receipt"}, io.BytesIO(paper), "fee.pdf")
    db.session.commit()
    old = app.config["MDT_FILES_KEY"]
    app.config.update(MDT_FILES_KEY="ef" * 32, MDT_FILES_PREVIOUS_KEYS=old)
    try:
        assert documents.rotate_keys() == 1
        db.session.commit()
        app.config["MDT_FILES_PREVIOUS_KEYS"] = ""  # the old key is gone: the file still opens
        _version, chunks = documents.open_file(world["social"], document)
        assert b"".join(chunks) == paper
        assert document.current.key_id == crypto.MasterKey.parse("ef" * 32).id
    finally:
        app.config.update(MDT_FILES_KEY=old, MDT_FILES_PREVIOUS_KEYS="")


def test_adding_needs_the_right_and_parts_one_can_see(world):
    case = f.client_case(world)
    with pytest.raises(ValidationError) as refused:
        # the NGO's consent opens no restricted part: it cannot file one
        documents.add(
            world["lawyer"], case, {"kind": "other", "restricted": True}, io.BytesIO(f.pdf()), "x.pdf"
        )
    assert "parts" in refused.value.errors


def test_retention_removes_the_files_and_keeps_the_chain(world):
    from mdt.privacy.retention import _deidentify_cases

    case = f.client_case(world)
    document = documents.add(world["social"], case, {"kind": "photo"}, io.BytesIO(f.png()), "room.png")
    db.session.commit()
    names = [document.current.blob, document.current.thumbnail]
    assert all(names) and set(names) <= set(storage.storage().names())
    _deidentify_cases([case.id])
    db.session.commit()
    assert not set(names) & set(storage.storage().names())
    assert document.removed_at is not None and document.current.blob is None
    actions = db.session.scalars(
        select(CustodyEvent.action).where(CustodyEvent.document_id == document.id)
    ).all()
    assert actions == ["uploaded", "deleted"]
    with pytest.raises(documents.WorkflowError):
        documents.open_file(world["social"], document)


def test_the_rotate_key_command(world, app, runner):
    case = f.client_case(world)
    paper = f.pdf()
    document = documents.add(world["social"], case, {"kind": "receipt"}, io.BytesIO(paper), "fee.pdf")
    db.session.commit()
    old = app.config["MDT_FILES_KEY"]
    app.config.update(MDT_FILES_KEY="12" * 32, MDT_FILES_PREVIOUS_KEYS=old)
    try:
        result = runner.invoke(args=["files", "rotate-key"])
        assert result.exit_code == 0 and "1 file key(s) re-wrapped" in result.output, result.output
        db.session.expire_all()
        app.config["MDT_FILES_PREVIOUS_KEYS"] = ""
        assert b"".join(documents.open_file(world["social"], document)[1]) == paper
    finally:
        app.config.update(MDT_FILES_KEY=old, MDT_FILES_PREVIOUS_KEYS="")


# ---------------------------------------------------------------- bundle, checklist, custody PDF


def _matter_with_documents(world):
    from mdt.legal import services as legal

    case = f.client_case(world)
    matter = f.matter(world, [case])
    hearing = legal.schedule_hearing(world["lawyer"], matter, {"starts_at": f.at(20), "purpose": "Witnesses"})
    lawyer = world["lawyer"]
    complaint = documents.add(
        lawyer,
        matter,
        {"kind": "court_paper", "title": "Complaint", "language": "Thai"},
        io.BytesIO(f.pdf(2)),
        "c.pdf",
    )
    photo = documents.add(
        world["social"], case, {"kind": "photo", "title": "Dormitory"}, io.BytesIO(f.png()), "dorm.png"
    )
    english = documents.add(
        lawyer,
        matter,
        {"kind": "translation", "title": "Complaint (English)", "translation_of_id": complaint.id},
        io.BytesIO(b"The complaint, in English.\n"),
        "complaint-en.txt",
    )
    db.session.commit()
    return case, matter, hearing, complaint, photo, english


def test_a_court_bundle_has_an_index_running_numbers_and_its_own_custody(world, client, auth):
    from pypdf import PdfReader

    from mdt.documents import bundle
    from mdt.documents.models import CourtBundle

    _case, matter, hearing, complaint, photo, english = _matter_with_documents(world)
    auth.login("lawyer@test.org")
    form = client.get(f"/hearings/{hearing.id}/bundle").get_data(as_text=True)
    assert "Complaint (English)" in form and "Dormitory" in form
    r = client.post(
        f"/hearings/{hearing.id}/bundle",
        data={"documents": [str(english.id), str(photo.id), str(complaint.id)], "language": "en"},
    )
    assert r.status_code == 302
    made = db.session.scalars(select(CourtBundle)).one()
    bundle.make(made.id)
    db.session.commit()
    assert made.status == "ready" and made.progress == 100
    result = db.session.get(Document, made.document_id)
    assert result.matter_id == matter.id and result.hearing_id == hearing.id
    _v, chunks = documents.open_file(world["lawyer"], result)
    reader = PdfReader(io.BytesIO(b"".join(chunks)))
    db.session.commit()
    total = len(reader.pages)
    assert made.pages == total
    front = "".join(reader.pages[i].extract_text() for i in range(total - 4))  # 4 pages of documents
    # the complaint (2 pages), then its translation, then the photo, each with its SHA-256
    for document in (complaint, english, photo):
        assert document.current.sha256 in front.replace("\n", "")
    # in the order chosen, but a translation right after its original: photo, complaint, English
    index = front[front.index("Index") :]
    assert index.index("Dormitory") < index.index("Complaint") < index.index("Complaint (English)")
    for n in (1, total // 2, total):
        assert f"Page {n} of {total}" in reader.pages[n - 1].extract_text()
    assert "The complaint, in English." in reader.pages[total - 1].extract_text()
    assert all(abs(float(p.mediabox.width) - 595.28) < 1 for p in reader.pages)
    bundled = db.session.scalars(
        select(CustodyEvent.document_id).where(CustodyEvent.action == "bundled")
    ).all()
    assert sorted(bundled) == sorted([complaint.id, english.id, photo.id])
    assert [e.action for e in documents.custody_of(result)] == ["uploaded", "downloaded"]
    status = client.get(f"/bundles/{made.id}").get_data(as_text=True)
    assert "Download the bundle" in status
    # the bundle is not offered for the next bundle; nobody else makes one
    assert result.id not in [d.id for d in bundle.choices(world["lawyer"], hearing)]
    auth.logout()
    auth.login("social@test.org")
    assert client.get(f"/hearings/{hearing.id}/bundle").status_code == 403


def test_the_evidence_checklist_shows_what_is_missing(world, client, auth):
    case, matter, _hearing, _complaint, _photo, _english = _matter_with_documents(world)
    documents.add(world["social"], case, {"kind": "contract"}, io.BytesIO(f.pdf()), "contract.pdf")
    db.session.commit()
    from mdt.documents import checklist

    _items, rows = checklist.check(world["lawyer"], matter, matter.claimants)
    claimant, itself = rows
    assert claimant.held["contract"] and not claimant.held["pay_slip"]
    assert "pay_slip" in claimant.missing and "identity_document" in claimant.missing
    assert itself.held == {"court_paper": True}
    auth.login("lawyer@test.org")
    page = client.get(f"/matters/{matter.id}").get_data(as_text=True)
    assert "Evidence checklist" in page and "Still missing" in page and "Pay slip" in page


def test_the_chain_of_custody_as_a_signed_pdf(world, client, auth):
    from pypdf import PdfReader

    case = f.client_case(world)
    document = documents.add(world["social"], case, {"kind": "receipt"}, io.BytesIO(f.pdf()), "fee.pdf")
    db.session.commit()
    auth.login("social@test.org")
    r = client.get(f"/documents/{document.id}/custody.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    assert "/MDTSignature" in str(reader.get_fields() or {}) or reader.get_fields()
    text = reader.pages[0].extract_text()
    assert document.current.sha256[:20] in text.replace("\n", "")
    exported = [e for e in documents.custody_of(document) if e.action == "exported"]
    assert len(exported) == 1 and exported[0].detail["digest"]
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    signature = PdfFileReader(io.BytesIO(r.data)).embedded_signatures[0]
    status = validate_pdf_signature(signature)
    assert status.intact and status.valid  # the bytes are those signed (the signer is self-signed)


def test_the_add_form_offers_what_a_document_may_be_about(world, client, auth):
    """A translation of a complaint, for a hearing, added from the matter's page."""
    _case, matter, hearing, complaint, _photo, _english = _matter_with_documents(world)
    auth.login("lawyer@test.org")
    page = client.get(f"/matters/{matter.id}/documents/new").get_data(as_text=True)
    assert "For the hearing of" in page and "A translation of" in page and "Witnesses" in page
    r = client.post(
        f"/matters/{matter.id}/documents/new",
        data={
            "kind": "translation",
            "hearing_id": str(hearing.id),
            "translation_of_id": str(complaint.id),
            "file": (io.BytesIO(b"In English again.\n"), "again.txt"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    made = db.session.scalars(select(Document).order_by(Document.id.desc())).first()
    assert (made.hearing_id, made.translation_of_id) == (hearing.id, complaint.id)
    # another MDT's record, or nothing: "Choose from the list.", nothing stored
    r = client.post(
        f"/matters/{matter.id}/documents/new",
        data={"kind": "translation", "hearing_id": "999999", "file": (io.BytesIO(b"x\n"), "x.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "Choose from the list." in r.get_data(as_text=True)


def test_an_upload_cut_short_is_refused_and_nothing_is_stored(world, client, auth):
    """The connection dropped mid-file: the multipart body ends before its closing boundary."""
    case = f.client_case(world)
    auth.login("social@test.org")
    page = client.get(f"/cases/{case.id}/documents/new")
    assert page.status_code == 200
    before = storage.storage().names()
    boundary = "cutcutcut"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncontract\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + f.pdf(3)[:400]
    r = client.post(
        f"/cases/{case.id}/documents/new",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert r.status_code in (400, 422), r.status_code
    text_ = r.get_data(as_text=True)
    assert "Choose a file." in text_ or "cut short" in text_ or "What you sent" in text_
    assert "error was logged" not in text_
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert storage.storage().names() == before


def test_a_bundle_opens_only_to_one_who_may_see_every_document_in_it(world, client):
    """Security: a court bundle is a document of the matter, and the matter is seen by the team
    of any claimant's case. The social worker of one claimant must not read, through the bundle,
    another claimant's papers (led by the labour office)."""
    from mdt.cases import services as cases
    from mdt.documents import bundle
    from mdt.legal import services as legal
    from mdt.referrals import services as referrals

    mine = f.client_case(world)
    labour, legal_aid = world["labour"], world.agencies["legal"].id
    theirs = f.case(labour, given="Somchai", family="Other")
    referrals.record_consent(
        labour,
        theirs,
        {"purpose": "share_with_agency", "given": True, "agency_id": legal_aid, "scope": f.ALL_PARTS},
    )
    cases.set_team(labour, theirs, [legal_aid], [])
    referrals.record_consent(labour, theirs, {"purpose": "legal_action", "given": True})
    db.session.commit()
    matter = f.matter(world, [mine, theirs])
    hearing = legal.schedule_hearing(world["lawyer"], matter, {"starts_at": f.at(20), "purpose": "Witnesses"})
    slip = documents.add(labour, theirs, {"kind": "pay_slip"}, io.BytesIO(f.pdf()), "slip.pdf")
    contract = documents.add(world["social"], mine, {"kind": "contract"}, io.BytesIO(f.pdf()), "contract.pdf")
    made = bundle.request_bundle(world["lawyer"], hearing, [slip.id, contract.id])
    db.session.commit()
    bundle.make(made.id)
    db.session.commit()
    for who, status in (("lawyer", 200), ("social", 404), ("labour", 404)):
        headers = {"Authorization": f"Bearer {f.token(world[who])}"}
        assert (
            client.get(f"/api/v1/documents/{made.document_id}/content", headers=headers).status_code == status
        ), who


def test_a_full_disk_gets_a_clear_answer_and_leaves_nothing_half_written(world, client, auth, monkeypatch):
    """Issue 17 (drills): the documents' store runs out of space mid-file (ENOSPC). The member
    and the API get a clear answer, not a 500; no half-written file, no document row, no audit
    row is left; once space is freed the same upload goes through."""
    import errno

    case = f.client_case(world)
    auth.login("social@test.org")
    root = Path(storage.storage().root)  # type: ignore[attr-defined]
    before = sorted(p.name for p in root.rglob("*") if p.is_file())

    real_fsync = storage.os.fsync

    def disk_full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)  # the bytes were written, then no space
    r = _upload(client, case.id, [("contract.txt", _text_file(4096))], title="Contract")
    assert r.status_code == 507, r.status_code
    page = r.get_data(as_text=True)
    assert "storage for files is full" in page and "error was logged" not in page
    headers = {"Authorization": f"Bearer {f.token(world['social'])}"}
    r = client.post(
        f"/api/v1/cases/{case.id}/documents",
        data={"file": (io.BytesIO(_text_file(4096)), "c.txt"), "kind": "contract"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert r.status_code == 507 and r.mimetype == "application/problem+json"
    assert "storage for files is full" in r.get_json()["detail"]
    assert sorted(p.name for p in root.rglob("*") if p.is_file()) == before  # no .part left
    assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    assert db.session.scalar(select(func.count()).select_from(DocumentVersion)) == 0
    assert db.session.scalar(text("SELECT count(*) FROM audit_event WHERE action LIKE 'document.%'")) == 0
    monkeypatch.setattr(storage.os, "fsync", real_fsync)  # space freed
    r = _upload(client, case.id, [("contract.txt", _text_file(4096))], title="Contract")
    assert r.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1
