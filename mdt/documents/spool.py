"""Uploads that never touch the disk in the clear. Werkzeug writes a file part of a form bigger
than 500 KB to a temporary file; the app's request class hands it a ``SealedSpool`` instead: what
is written is sealed with a key that lives only in memory, into an anonymous temporary file, and
read back (and sought about) through ``SealedReader``. The spool also counts the size, the SHA-256
and keeps the first bytes, to sniff the type."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import BinaryIO, cast

from flask import Request, current_app

from mdt.documents.crypto import SealedReader, Sealer, new_file_key

HEAD = 8192


class SealedSpool(io.RawIOBase):
    def __init__(self, folder: str | None = None):
        super().__init__()
        self._key = new_file_key()
        self._file = tempfile.TemporaryFile(dir=folder)  # unlinked at once: nothing to clean up
        self._sealer: Sealer | None = Sealer(self._key, self._file)
        self._reader: SealedReader | None = None
        self.head = b""
        self.sha256 = ""

    @property
    def size(self) -> int:
        return self._reader.size if self._reader is not None else self._sealer.size  # type: ignore[union-attr]

    def writable(self) -> bool:
        return self._sealer is not None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self._sealer is None:
            raise io.UnsupportedOperation("the upload is complete")
        data = bytes(data)
        if len(self.head) < HEAD:
            self.head += data[: HEAD - len(self.head)]
        return self._sealer.write(data)

    def _finish(self) -> SealedReader:
        if self._reader is None:
            assert self._sealer is not None
            self.sha256 = self._sealer.close()
            self._file.flush()
            self._reader = SealedReader(self._key, self._file, self._sealer.size)
            self._sealer = None
        return self._reader

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._finish().seek(offset, whence)

    def tell(self) -> int:
        return self._reader.tell() if self._reader is not None else self.size

    def read(self, n: int = -1) -> bytes:
        return self._finish().read(n)

    def readinto(self, buffer) -> int:
        return self._finish().readinto(buffer)

    def file(self) -> BinaryIO:
        """This spool, as the binary file Pillow, pypdf and shutil take."""
        return cast(BinaryIO, self)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()


def spool_folder() -> str:
    path = Path(current_app.instance_path) / "tmp"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return str(path)


MAX_FILES = 20  # files in one upload
# The routes that take files: they may receive MAX_FILES files of the largest size. The limit is
# known before anything reads the body (Flask-WTF's CSRF check reads the form before the view).
UPLOAD_ENDPOINTS = frozenset(
    {"documents.add_to_case", "documents.add_to_matter", "documents.add_version", "api.add_case_document"}
)


class SealingRequest(Request):
    """The app's request class: file parts of forms go to a ``SealedSpool``; the upload routes
    take more than the small global ``MAX_CONTENT_LENGTH``."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and self.endpoint in UPLOAD_ENDPOINTS:
            return MAX_FILES * int(current_app.config["MDT_FILES_MAX_BYTES"]) + 1024 * 1024
        return Request.max_content_length.fget(self)  # type: ignore[attr-defined]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return SealedSpool(spool_folder())


def spool_of(data: bytes) -> SealedSpool:
    """A spool holding ``data`` (the CLI, demo data and tests hand bytes to the services)."""
    spool = SealedSpool(spool_folder())
    spool.write(data)
    spool.seek(0)
    return spool
