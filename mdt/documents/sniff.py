"""What a file is, from its content (never its name), against the allow-list of the kinds of file
evidence comes in: PDF, photos and scans, Word, Excel and OpenDocument files, plain text, and the
voice messages of chat apps. A PDF must open in pypdf and an image in Pillow: a file that only
starts like one (a program renamed ``.pdf``, a cut-short upload) is refused."""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

ALLOWED = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tif",
    "image/heic": "heic",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "text/plain": "txt",
    "audio/ogg": "ogg",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
}
IMAGES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff")
MAX_PIXELS = 50_000_000  # a 50-megapixel photo; beyond, decoding it would take too much memory


class NotAllowed(ValueError):
    """The file is not of a kind we keep (the message says what it looks like)."""


def _magic(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _looks_like(head: bytes) -> str:
    if (
        head.startswith(b"MZ")
        or head.startswith(b"\x7fELF")
        or head[:4] in (b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
    ):
        return str(_l("a program"))
    if head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"#!"):
        return str(_l("a script"))
    if head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(b"<"):
        return str(_l("a web page or a drawing (HTML, SVG, XML)"))
    if head.startswith(b"PK\x03\x04") or head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf"):
        return str(_l("a compressed archive"))
    return str(_l("a kind of file we do not keep"))


def _office(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if "xl/workbook.xml" in names:
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                with archive.open("mimetype") as member:  # never inflated beyond its 100 bytes
                    declared = member.read(100).strip()
                if declared == b"application/vnd.oasis.opendocument.text":
                    return "application/vnd.oasis.opendocument.text"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


MARKUP = (b"<", b"#!")  # HTML, SVG, XML and scripts are not "text" to keep


def _text(head: bytes) -> bool:
    if b"\x00" in head or head.lstrip(b" \t\r\n\xef\xbb\xbf").startswith(MARKUP):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # a character cut at the end of the first bytes
    return True


def _opens(content_type: str, stream: BinaryIO) -> int | None:
    """Check that the file opens as what it says; a PDF's page count."""
    stream.seek(0)
    if content_type == "application/pdf":
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            return len(PdfReader(stream, strict=False).pages) or _damaged()
        except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
            _damaged()
    if content_type in IMAGES:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(stream) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NotAllowed(str(_l("The picture is too large (more than 50 million pixels).")))
                _load_whole(image)  # decoded whole: a photo cut short fails here
        except NotAllowed:
            raise
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            _damaged()
    return None


def _load_whole(image) -> None:
    """Decode every pixel, refusing a picture cut short. WeasyPrint, once imported, tells Pillow to
    accept truncated images (for its own rendering); this check must not."""
    from PIL import ImageFile

    lenient = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient


def _damaged():
    raise NotAllowed(str(_l("The file cannot be opened: it may be damaged or cut short.")))


def sniff(head: bytes, stream: BinaryIO) -> tuple[str, int | None]:
    """(the content type, a PDF's page count) of the file, or ``NotAllowed``."""
    found = _magic(head)
    if found == "zip":
        found = _office(stream)
    elif found is None and head and _text(head):
        found = "text/plain"
    if found is None:
        raise NotAllowed(
            str(
                _l(
                    "This file is not a kind we keep (PDF, photo or scan, Word, Excel, text or a voice "
                    "message). It looks like %(what)s.",
                    what=_looks_like(head),
                )
            )
        )
    return found, _opens(found, stream)
