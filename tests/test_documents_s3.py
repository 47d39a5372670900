"""Documents kept in an S3-compatible bucket: the same tests of the storage against a real S3
server on loopback (moto's stand-alone server, installed from PyPI with the dev dependencies; the
boto3 client speaks HTTP to it exactly as to MinIO or AWS). No plaintext reaches the bucket."""

from __future__ import annotations

import hashlib
import io
import socket
import subprocess
import sys
import time

import pytest

from mdt.documents import storage
from mdt.extensions import db
from tests import factories as f

MARKER = b"MARKER-s3-wage-slip-of-Somchai"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the S3 server did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def bucket(s3_server, app, web_app, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-only")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-only")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"mdt-test-{time.monotonic_ns()}"
    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket=name)
    for each in (app, web_app):
        each.config.update(MDT_FILES_S3_BUCKET=name, MDT_FILES_S3_ENDPOINT=s3_server)
        each.extensions.pop("mdt_files_storage", None)
    yield name
    for each in (app, web_app):
        each.config.update(MDT_FILES_S3_BUCKET=None, MDT_FILES_S3_ENDPOINT=None)
        each.extensions.pop("mdt_files_storage", None)


def test_files_go_sealed_to_the_bucket_and_come_back_whole(world, client, auth, bucket, s3_server):
    import boto3

    case = f.client_case(world)
    body = b"Pay slip. " + MARKER + b"\n" + b"z" * 700_000  # larger than one chunk, and than 500 kB
    auth.login("social@test.org")
    r = client.post(
        f"/cases/{case.id}/documents/new",
        data={"kind": "pay_slip", "file": (io.BytesIO(body), "slip.txt")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    kept = storage.storage()
    assert isinstance(kept, storage.S3Storage)
    client_s3 = boto3.client("s3", endpoint_url=s3_server)
    objects = client_s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert objects
    for item in objects:
        stored = client_s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        assert MARKER not in stored
    from sqlalchemy import select

    from mdt.documents.models import Document

    document = db.session.scalars(select(Document)).one()
    assert document.current.sha256 == hashlib.sha256(body).hexdigest()
    got = client.get(f"/documents/{document.id}/file")
    assert got.status_code == 200 and got.data == body
    # a refused upload leaves nothing in the bucket
    before = kept.names()
    r = client.post(
        f"/cases/{case.id}/documents/new",
        data={
            "kind": "other",
            "file": [(io.BytesIO(f.png()), "ok.png"), (io.BytesIO(b"MZ\x90\x00" * 10), "x.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and kept.names() == before
