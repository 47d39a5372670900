"""Issue 13, section 5: server-made PDFs are tagged (PDF/UA-1) with the document's language,
number their pages in the reader's language, and print Thai dates in the Buddhist era."""

from __future__ import annotations

import io

import pypdf

from mdt.extensions import db
from tests import factories as f


def _pdf(client, meeting_id):
    r = client.get(f"/meetings/{meeting_id}/agenda.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(r.data))
    return reader, " ".join(page.extract_text() for page in reader.pages)


def test_a_pdf_is_tagged_numbered_and_in_the_readers_language(world, client):
    meeting = f.meeting(world, title="Case conference")
    db.session.commit()
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    reader, text = _pdf(client, meeting.id)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en" and "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert f"Page 1 of {len(reader.pages)}" in text
    client.post("/language", data={"lang": "th", "next": "/"})
    reader, text = _pdf(client, meeting.id)
    assert reader.trailer["/Root"]["/Lang"] == "th"
    assert f"หน้า 1 จาก {len(reader.pages)}" in text.replace("\n", " ")
    year = meeting.starts_at.year
    assert str(year + 543) in text and f"{year} " not in text.replace("\n", " ")


def test_thai_text_reads_back_as_typed(world, client):
    """Issue 13: every "ำ" came out "า" ("จัดทำ" became "จัดทา"), and a later "า" came out "ำ"."""
    import unicodedata

    from mdt.meetings import services as meetings

    words = "จัดทำ น้ำ ทำงาน กำหนด คำขอ ค่าจ้าง"
    meeting = f.meeting(world, title="ประชุม")
    item = meetings.add_item(world["coordinator"], meeting, {"title": "ค่าจ้างค้างจ่าย"})
    meetings.save_minutes(world["coordinator"], meeting, item, {"decisions": words})
    db.session.commit()
    client.post("/login", data={"email": "coord@test.org", "password": f.PASSWORD})
    _reader, text = _pdf(client, meeting.id)
    read = unicodedata.normalize("NFKC", text)
    for word in words.split():
        assert unicodedata.normalize("NFKC", word) in read, word
    assert "ทำงำน" not in read and "จัดทา" not in read
