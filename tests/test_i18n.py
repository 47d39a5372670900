"""Every user-visible string is translated into Thai."""

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from mdt.extensions import db
from tests import factories as f

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("language", ["th", "fil"])
def test_catalog_complete_and_nothing_fuzzy(language):
    """The CI catalog check (issue 13): no untranslated or fuzzy message in Thai or Filipino."""
    template = read_po(open(ROOT / "mdt/translations/messages.pot", "rb"))
    catalog = read_po(open(ROOT / f"mdt/translations/{language}/LC_MESSAGES/messages.po", "rb"))
    missing = []
    for m in template:
        if not m.id:
            continue
        found = catalog.get(m.id)
        strings = [] if found is None else ([found.string] if isinstance(found.string, str) else found.string)
        if found is None or not all(strings) or found.fuzzy:
            missing.append(m.id)
    assert missing == []


def test_template_is_current():
    """The .pot holds every string in the code: regenerate with `make translations`."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fresh.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "-k",
                "N_",
                "--no-location",
                "--ignore-dirs=.venv tests migrations",
                "-o",
                str(out),
                ".",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        fresh = {m.id for m in read_po(open(out, "rb")) if m.id}
    stored = {m.id for m in read_po(open(ROOT / "mdt/translations/messages.pot", "rb")) if m.id}
    assert fresh - stored == set()


def test_dates_in_each_language_thai_in_the_buddhist_era(app):
    """Issue 13: Thai dates in the Buddhist era with Thai month names; English day-month-year."""
    from datetime import UTC, date, datetime

    from flask_babel import force_locale

    from mdt import formats

    day, moment = date(2027, 6, 30), datetime(2026, 11, 30, 2, 5, tzinfo=UTC)
    with app.test_request_context():
        with force_locale("th"):
            assert formats.date(day) == "30 มิ.ย. 2570"
            assert formats.date(day, "long") == "30 มิถุนายน พ.ศ. 2570"
            assert formats.date(day, "short") == "30/6/70"
            assert formats.datetime(moment, zone=ZoneInfo("Asia/Bangkok")) == "30 พ.ย. 2569 09:05 น."
            assert formats.year(2026) == 2569
        with force_locale("en"):
            assert formats.date(day) == "30 Jun 2027"
            assert formats.date(day, "long") == "30 June 2027"
            assert formats.datetime(moment, zone=ZoneInfo("Asia/Manila")) == "30 Nov 2026, 10:05"
            assert formats.items(["A", "B", "C"]) == "A, B and C"


@pytest.mark.parametrize(
    "typed, day",
    [
        ("2026-01-31", "2026-01-31"),
        ("31/01/2026", "2026-01-31"),
        ("2569-01-31", "2026-01-31"),  # the Buddhist era, as a Thai form may send it
        ("31/1/2569", "2026-01-31"),
        ("29/2/2567", "2024-02-29"),  # 2567 is 2024, a leap year
    ],
)
def test_a_day_typed_in_either_era_or_order(typed, day):
    from mdt.schema import parse_day

    assert parse_day(typed).isoformat() == day


def test_a_filipino_form_reads_the_month_first(app):
    from flask_babel import force_locale

    from mdt.schema import parse_day

    with app.test_request_context(), force_locale("fil"):
        assert parse_day("03/05/2026").isoformat() == "2026-03-05"
    with app.test_request_context(), force_locale("th"):
        assert parse_day("03/05/2026").isoformat() == "2026-05-03"
    assert parse_day("03/05/2026", month_first=True).isoformat() == "2026-03-05"


@pytest.mark.parametrize("typed", ["25690131", "2569-W05-1", "2026-1-31x", "31/13/2026", "2566-02-29"])
def test_other_forms_of_a_day_are_refused_not_misread(typed):
    from mdt.schema import parse_day

    with pytest.raises(ValueError):
        parse_day(typed)


def test_a_thai_form_accepts_a_buddhist_era_date_and_pages_show_it(world, client):
    from tests.support import confirmed

    case = f.case(world["social"])
    db.session.commit()
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    client.post("/language", data={"lang": "th", "next": "/"})
    data = {"purpose": "contact_sms", "given": "true", "expires_on": "2570-06-30"}
    r = client.post(f"/cases/{case.id}/consents", data=data)
    assert r.status_code == 200 and "30 มิถุนายน พ.ศ. 2570" in r.get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/consents", data=confirmed(data)).status_code == 302
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "30 มิ.ย. 2570" in html and "2027" not in html


def test_every_audited_action_has_a_label():
    """Issue 13: history lines read in the reader's language, never as a code like
    ``matter.claimant_update``."""
    import re

    from mdt import labels

    actions = set()
    for path in (ROOT / "mdt").rglob("*.py"):
        text = path.read_text()
        actions |= set(re.findall(r'record(?:_read)?\(\s*[\w\[\]"\.]+,\s*"([a-z_]+\.[a-z_]+)"', text))
    assert len(actions) > 50
    assert sorted(a for a in actions if a not in labels.AUDIT_ACTION) == []


# What the public complaint form shows besides its templates: its messages at fields and choices.
PUBLIC_MESSAGES = (
    "Tell us what happened.",
    "Choose the province where it happened, or the nearest.",
    "Choose from the list, or type the name.",
    "Phone call",
    "LINE",
    "Email",
    "Do not contact me",
    "Choose",
    "Please check the fields marked below. Nothing you typed was lost.",
    "At most %(n)s characters.",
    "Expected text.",
    "Choose from the list.",
)


@pytest.mark.parametrize("language", ["th", "fil", "my", "km", "lo"])
def test_the_public_complaint_form_is_translated(language):
    """Issue 16: /report in Thai, Filipino, Burmese, Khmer and Lao, every string of it."""
    from babel.messages.extract import extract_from_file

    ids = set(PUBLIC_MESSAGES)
    for template in sorted((ROOT / "templates/report").glob("*.html")):
        for found in extract_from_file("jinja2", template, options={"extensions": "jinja2.ext.do"}):
            message = found[1]
            ids.add(message if isinstance(message, str) else message[0])
    catalog = read_po(open(ROOT / f"mdt/translations/{language}/LC_MESSAGES/messages.po", "rb"))
    missing = sorted(
        i for i in ids if not (catalog.get(i) and catalog.get(i).string and not catalog.get(i).fuzzy)
    )
    assert len(ids) > 30 and missing == []
