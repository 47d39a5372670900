"""Every user-visible string is translated into Thai."""

from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_thai_catalog_complete():
    template = read_po(open(ROOT / "mdt/translations/messages.pot", "rb"))
    thai = read_po(open(ROOT / "mdt/translations/th/LC_MESSAGES/messages.po", "rb"))
    missing = [m.id for m in template if m.id and (thai.get(m.id) is None or not thai.get(m.id).string)]
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
