"""A person's copy of their data (issue 12, section 3): a PDF in Thai or English of everything held
about them, restricted parts marked, made in the background with its progress shown,
downloadable once."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from mdt.extensions import db
from mdt.privacy.models import DataCopy
from tests import factories as f


def _text(body: bytes) -> str:
    # NFKC: a PDF reads "ำ" back as its two parts (mdt.pdf), as search and screen readers compare.
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    return unicodedata.normalize("NFKC", text)


@pytest.fixture
def case(world):
    from mdt.cases import services as cases

    made = f.case(world["social"], given="Pranee", family="Kongkaew", person={"phone": "0812345678"})
    cases.add_note(world["social"], made, "Wants sewing training.")
    cases.add_note(world["social"], made, "The broker still holds her land title.", restricted=True)
    db.session.commit()
    return made


def _make(copy_id):
    from workers.tasks import make_data_copy

    return make_data_copy(copy_id)


@pytest.mark.parametrize("language, heading", [("en", "What the MDT holds about you"), ("th", None)])
def test_a_copy_is_made_in_the_background_and_downloaded_once(world, client, case, language, heading):
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    r = client.post(f"/privacy/cases/{case.id}/copy", data={"language": language})
    assert r.status_code == 302
    copy = db.session.scalars(select(DataCopy)).one()
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Being made: 0%" in page and 'hx-trigger="every 2s"' in page

    assert _make(copy.id) == 100
    page = client.get(f"/privacy/copies/{copy.id}").get_data(as_text=True)
    assert "Download the PDF" in page and "hx-trigger" not in page
    r = client.post(f"/privacy/copies/{copy.id}/download")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = _text(r.data)
    assert "Pranee" in text and "0812345678" in text and "sewing training" in text
    assert "land title" in text and ("restricted note" in text if language == "en" else "land title" in text)
    if heading:
        assert heading in text
    else:
        assert (
            "ข้อมูลที่ MDT เก็บไว้เกี่ยวกับคุณ" in text and unicodedata.normalize("NFKC", "บันทึกจำกัด") in text
        )  # Thai, in the shipped font
    again = client.post(f"/privacy/copies/{copy.id}/download")
    assert again.status_code == 410 and "no longer on the server" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(DataCopy, copy.id).status == "downloaded"


def test_only_the_member_who_asked_downloads_it(world, web_app, case):
    asker = web_app.test_client()
    asker.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    asker.post(f"/privacy/cases/{case.id}/copy", data={"language": "en"})
    copy = db.session.scalars(select(DataCopy)).one()
    _make(copy.id)
    colleague = web_app.test_client()
    colleague.post("/login", data={"email": "social2@test.org", "password": f.PASSWORD})
    assert colleague.get(f"/privacy/copies/{copy.id}").status_code == 404
    assert colleague.post(f"/privacy/copies/{copy.id}/download").status_code == 404
    assert asker.post(f"/privacy/copies/{copy.id}/download").status_code == 200


def test_only_the_lead_agency_asks_and_in_a_known_language(world, web_app, case):
    lawyer = web_app.test_client()
    lawyer.post("/login", data={"email": "police@test.org", "password": f.PASSWORD})
    assert lawyer.post(f"/privacy/cases/{case.id}/copy", data={"language": "en"}).status_code == 404
    social = web_app.test_client()
    social.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    r = social.post(f"/privacy/cases/{case.id}/copy", data={"language": "fr"}, follow_redirects=True)
    assert "Choose Thai or English." in r.get_data(as_text=True)
    assert db.session.scalars(select(DataCopy)).all() == []


def test_the_progress_shows_while_the_copy_is_made(world, web_app, case, monkeypatch):
    """While the task runs, what it did so far is committed on its own connection, so the status
    page (another process, another connection) shows it."""
    from sqlalchemy import create_engine, text

    from mdt.privacy import copies

    asker = web_app.test_client()
    asker.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    asker.post(f"/privacy/cases/{case.id}/copy", data={"language": "en"})
    copy = db.session.scalars(select(DataCopy)).one()
    seen = []
    real = copies.render_pdf
    other = create_engine(db.engine.url)

    def render_and_look(html):
        with other.connect() as conn:
            seen.append(conn.execute(text("SELECT status, progress FROM data_copy")).one())
        return real(html)

    monkeypatch.setattr(copies, "render_pdf", render_and_look)
    _make(copy.id)
    other.dispose()
    assert tuple(seen[0]) == ("running", 80)


def test_a_copy_left_for_a_week_is_deleted(world, client, case, travel):
    from datetime import UTC, datetime, timedelta

    from mdt.privacy import copies
    from workers.tasks import apply_retention

    start = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    with travel(start):
        client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
        client.post(f"/privacy/cases/{case.id}/copy", data={"language": "en"})
        copy = db.session.scalars(select(DataCopy)).one()
        _make(copy.id)
        db.session.expire_all()
        path = copies.folder() / db.session.get(DataCopy, copy.id).filename
        assert path.exists()
    with travel(start + timedelta(days=8)):
        assert apply_retention()["_expired_copies"] == 1
    assert not path.exists()
    db.session.expire_all()
    assert db.session.get(DataCopy, copy.id).status == "expired"
