"""Benchmark: documents. A 25 MB file added and read back (time, and the peak of Python memory
allocated while doing it: it must stay flat, a few chunks, not the file), and a court bundle of
200 pages (time to make it).

    make bench-documents             # SQLite and the local folder; nothing else needed
    python benchmarks/bench_documents.py [--megabytes 25] [--pages 200]

Printed, not asserted. Memory is measured with tracemalloc around the service calls (the
test client's own copy of the request is not counted: the file is fed from a generator)."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402


class Generated(io.RawIOBase):
    """``size`` bytes of text made as they are read (never held whole)."""

    def __init__(self, size: int):
        super().__init__()
        self.left = size
        self.line = b"Pay slip line: wages 9,000 THB, deductions 4,500 THB, hours 84.\n"

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left)
        if n <= 0:
            return 0
        data = (self.line * (n // len(self.line) + 1))[:n]
        buffer[:n] = data
        self.left -= n
        return n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=25)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    os.environ.pop("MDT_BENCH_DATABASE_URL", None)  # files, not the database, are measured here
    app = create_app({"SQLALCHEMY_DATABASE_URI": fresh_database_url(), "MDT_ENV": "testing"})
    with app.app_context():
        from flask_migrate import upgrade
        from pypdf import PdfWriter

        from mdt.documents import bundle
        from mdt.documents import services as documents_services
        from mdt.legal import services as legal
        from tests import factories as f

        upgrade()
        world = f.World.build()
        case = f.client_case(world)
        matter = f.matter(world, [case])
        hearing = legal.schedule_hearing(
            world["lawyer"], matter, {"starts_at": f.at(20), "purpose": "Witnesses"}
        )
        db.session.commit()
        size = args.megabytes * 1024 * 1024
        app.config["MDT_FILES_MAX_BYTES"] = size + 1

        tracemalloc.start()
        start = time.perf_counter()
        document = documents_services.add(
            world["social"], case, {"kind": "pay_slip"}, io.BufferedReader(Generated(size)), "slips.txt"
        )
        db.session.commit()
        upload = time.perf_counter() - start
        _current, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        start = time.perf_counter()
        _version, chunks = documents_services.open_file(world["social"], document)
        read = sum(len(piece) for piece in chunks)
        db.session.commit()
        download = time.perf_counter() - start
        _current, download_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert read == size
        print(
            f"{args.megabytes} MB file: added in {upload:.2f} s "
            f"(peak Python memory {upload_peak / 1e6:.1f} MB), "
            f"checked and read back in {download:.2f} s (peak {download_peak / 1e6:.1f} MB)"
        )

        writer = PdfWriter()
        for _ in range(args.pages - 2):
            writer.add_blank_page(width=595, height=842)
        out = io.BytesIO()
        writer.write(out)
        many = documents_services.add(
            world["lawyer"], matter, {"kind": "court_paper"}, io.BytesIO(out.getvalue()), "record.pdf"
        )
        photo = documents_services.add(
            world["social"], case, {"kind": "photo"}, io.BytesIO(f.jpeg_with_location()), "room.jpg"
        )
        made = bundle.request_bundle(world["lawyer"], hearing, [many.id, photo.id])
        db.session.commit()
        start = time.perf_counter()
        bundle.make(made.id)
        db.session.commit()
        took = time.perf_counter() - start
        print(f"court bundle of {made.pages} pages ({args.pages - 1} of documents): made in {took:.1f} s")


if __name__ == "__main__":
    main()
