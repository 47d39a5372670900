"""Files encrypted at rest: AES-256-GCM in chunks, a fresh key per file, that key wrapped by the
master key (``MDT_FILES_KEY``) with AES key wrap (RFC 3394).

The file is cut into chunks of ``CHUNK`` bytes, each sealed on its own (the STREAM construction of
Hoang, Reyhanitabar, Rogaway and Vizár, as in Tink's streaming AEAD): the nonce of chunk ``i`` is
a random 7-byte prefix of the file, ``i`` on 4 bytes, and a last-chunk flag, so chunks cannot be
reordered, dropped or the file cut short without the tag failing. A file of any size is written
and read with one chunk in memory; the plaintext never touches the disk.

A blob is ``MAGIC`` (4 bytes), the prefix (7 bytes), then the sealed chunks (each ``CHUNK`` + 16
bytes, the last one shorter). An empty plaintext is one sealed empty last chunk.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

MAGIC = b"MDF1"
PREFIX = 7
CHUNK = 256 * 1024
TAG = 16
KEY_BYTES = 32


class Tampered(Exception):
    """The stored bytes are not what was sealed (a tag failed, the blob is cut short, or its key
    does not unwrap)."""


@dataclass(frozen=True)
class MasterKey:
    """A master key and its id (the first 8 hex digits of its SHA-256): each file records the id
    of the key that wraps its own, so that ``rotate-key`` knows which to re-wrap."""

    key: bytes

    @property
    def id(self) -> str:
        return hashlib.sha256(b"mdt-files-key:" + self.key).hexdigest()[:8]

    @classmethod
    def parse(cls, text: str) -> MasterKey:
        """A key as written in ``MDT_FILES_KEY``: 64 hex digits (``python -c "import secrets;
        print(secrets.token_hex(32))"``)."""
        try:
            key = bytes.fromhex(text.strip())
        except ValueError:
            raise ValueError("MDT_FILES_KEY must be 64 hexadecimal digits (32 bytes).") from None
        if len(key) != KEY_BYTES:
            raise ValueError("MDT_FILES_KEY must be 64 hexadecimal digits (32 bytes).")
        return cls(key)

    def wrap(self, file_key: bytes) -> bytes:
        return aes_key_wrap(self.key, file_key)

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self.key, wrapped)
        except InvalidUnwrap:
            raise Tampered("the file's key does not unwrap with this master key") from None


def new_file_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class Sealer:
    """Encrypts a plaintext written to it piece by piece into ``out`` (a binary file), counting
    its size and its SHA-256 as it goes."""

    def __init__(self, key: bytes, out: BinaryIO):
        self._aead = AESGCM(key)
        self._prefix = secrets.token_bytes(PREFIX)
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.closed = False
        out.write(MAGIC + self._prefix)

    def write(self, data: bytes) -> int:
        if self.closed:
            raise ValueError("the file is sealed already")
        self.size += len(data)
        self.sha256.update(data)
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is flagged
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, chunk: bytes, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._prefix, self._index, last), chunk, None))
        self._index += 1

    def close(self) -> str:
        """Seal what is left as the last chunk; the plaintext's SHA-256 in hex."""
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True
        return self.sha256.hexdigest()


def open_chunks(key: bytes, blob: BinaryIO) -> Iterator[bytes]:
    """The plaintext of a sealed blob, a chunk at a time (``Tampered`` when anything is off)."""
    head = blob.read(len(MAGIC) + PREFIX)
    if len(head) != len(MAGIC) + PREFIX or not head.startswith(MAGIC):
        raise Tampered("not a sealed file")
    prefix, aead, index = head[len(MAGIC) :], AESGCM(key), 0
    sealed = blob.read(CHUNK + TAG)
    while True:
        following = blob.read(CHUNK + TAG)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, index, last), sealed, None)
        except InvalidTag:
            raise Tampered(f"chunk {index} does not open") from None
        if last:
            return
        sealed, index = following, index + 1


def seal_bytes(key: bytes, data: bytes) -> bytes:
    """A small plaintext sealed at once (a thumbnail)."""
    out = io.BytesIO()
    sealer = Sealer(key, out)
    sealer.write(data)
    sealer.close()
    return out.getvalue()


def open_bytes(key: bytes, blob: bytes) -> bytes:
    return b"".join(open_chunks(key, io.BytesIO(blob)))


def chunk_count(size: int) -> int:
    return max(1, -(-size // CHUNK))


class SealedReader(io.RawIOBase):
    """Random access to the plaintext of a sealed blob kept in a seekable file, one chunk in
    memory at a time (pypdf and Pillow seek about a file as they read it)."""

    def __init__(self, key: bytes, blob: BinaryIO, size: int):
        super().__init__()
        blob.seek(0)
        head = blob.read(len(MAGIC) + PREFIX)
        if not head.startswith(MAGIC):
            raise Tampered("not a sealed file")
        self._aead, self._prefix, self._blob, self.size = AESGCM(key), head[len(MAGIC) :], blob, size
        self._pos, self._cached = 0, (-1, b"")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _chunk(self, index: int) -> bytes:
        if self._cached[0] != index:
            self._blob.seek(len(MAGIC) + PREFIX + index * (CHUNK + TAG))
            sealed = self._blob.read(CHUNK + TAG)
            last = index == chunk_count(self.size) - 1
            try:
                self._cached = (index, self._aead.decrypt(_nonce(self._prefix, index, last), sealed, None))
            except InvalidTag:
                raise Tampered(f"chunk {index} does not open") from None
        return self._cached[1]

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.size - self._pos
        out = bytearray()
        while n > 0 and self._pos < self.size:
            index, offset = divmod(self._pos, CHUNK)
            piece = self._chunk(index)[offset : offset + n]
            out += piece
            self._pos += len(piece)
            n -= len(piece)
        return bytes(out)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
