"""Where sealed files are kept, behind one small interface: a folder (``instance/documents`` by
default) or an S3-compatible bucket (``MDT_FILES_S3_BUCKET``, with ``MDT_FILES_S3_ENDPOINT`` for
MinIO and others; credentials from boto3's usual sources). Only sealed bytes pass through here
(``crypto``): the storage never sees a plaintext."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app


class Storage(Protocol):
    def put(self, name: str, source: BinaryIO) -> None: ...

    def open(self, name: str) -> BinaryIO: ...

    def delete(self, name: str) -> None: ...

    def names(self) -> list[str]: ...


def new_name() -> str:
    """A storage name that says nothing about the file."""
    return secrets.token_hex(16)


class LocalStorage:
    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, name: str) -> Path:
        if not name.isalnum():
            raise ValueError("bad storage name")
        return self.root / name[:2] / name

    def put(self, name: str, source: BinaryIO) -> None:
        path = self._path(name)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        partial = path.with_suffix(".part")
        try:
            with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            partial.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
            raise
        os.replace(partial, path)  # all or nothing: never a half-written file under its name

    def open(self, name: str) -> BinaryIO:
        return open(self._path(name), "rb")

    def delete(self, name: str) -> None:
        self._path(name).unlink(missing_ok=True)

    def names(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("*/*") if p.suffix != ".part")


class S3Storage:
    def __init__(self, bucket: str, endpoint: str | None = None, prefix: str = "documents/"):
        import boto3

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client("s3", endpoint_url=endpoint)

    def put(self, name: str, source: BinaryIO) -> None:
        self.client.upload_fileobj(source, self.bucket, self.prefix + name)  # multipart, streamed

    def open(self, name: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"]

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + name)

    def names(self) -> list[str]:
        found: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        ):
            found += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        return sorted(found)


def storage() -> Storage:
    """The app's storage, made once per app."""
    made = current_app.extensions.get("mdt_files_storage")
    if made is None:
        bucket = current_app.config.get("MDT_FILES_S3_BUCKET")
        if bucket:
            made = S3Storage(bucket, current_app.config.get("MDT_FILES_S3_ENDPOINT"))
        else:
            made = LocalStorage(Path(current_app.instance_path) / "documents")
        current_app.extensions["mdt_files_storage"] = made
    return made
