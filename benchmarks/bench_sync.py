"""Benchmark: offline sync under load. 200 devices (one member each) send 20 changes at once to
gunicorn on PostgreSQL: 10 new cases, 5 notes and 5 changes to one of 20 cases they all share
(made from the version they saw before anyone synced, so most clash). A tenth of the devices
"lose the answer" and send the same batch again. Then SQL checks that nothing was lost or applied
twice: one key per change, every new case there once, every note once, every clash held.

    make bench-sync                   # PostgreSQL and Redis from .ci/services.sh
    python benchmarks/bench_sync.py [--devices 200] [--changes 20] [--workers 4]

Printed, not asserted (the checks print FAILED and the script exits 1 when they fail)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("MDT_INSTANCE_PATH", tempfile.mkdtemp(prefix="mdt-bench-"))

from benchmarks._db import fresh_database_url  # noqa: E402
from mdt import create_app  # noqa: E402
from mdt.extensions import db  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SHARED = 20


def setup(app, devices: int) -> tuple[list[str], list[tuple[int, int]]]:
    from flask_migrate import upgrade

    from mdt.auth.services import create_token
    from mdt.cases import services as cases
    from mdt.directory.models import Agency, Mdt, Member

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        mdt = Mdt(name="Bench Province MDT", code="BEN")
        db.session.add(mdt)
        db.session.flush()
        agency = Agency(mdt_id=mdt.id, name="Social Welfare Office", kind="social_welfare", level="province")
        db.session.add(agency)
        db.session.flush()
        members = [
            Member(
                mdt_id=mdt.id,
                agency_id=agency.id,
                email=f"worker{n}@bench.org",
                name=f"Worker {n}",
                roles=["member"],
                password_hash="!",
            )
            for n in range(devices)
        ]
        db.session.add_all(members)
        db.session.flush()
        tokens = [create_token(m, "device")[1] for m in members]
        shared = [
            cases.create_case(
                members[n % len(members)],
                {"source": "outreach", "person": {"given_name": f"Shared{n}", "sex": "female"}},
            )
            for n in range(SHARED)
        ]
        db.session.commit()
        return tokens, [(c.id, c.version) for c in shared]


def batch(device: int, changes: int, shared: list[tuple[int, int]]) -> list[dict]:
    rng = random.Random(device)
    out = []
    for n in range(changes):
        key = str(uuid.uuid4())
        kind = n % 4
        case_id, version = shared[rng.randrange(len(shared))]
        if kind in (0, 1):
            out.append(
                {
                    "idempotency_key": key,
                    "entity": "case",
                    "fields": {
                        "person": {"given_name": f"D{device}C{n}", "family_name": "Bench", "sex": "male"},
                        "source": "outreach",
                    },
                }
            )
        elif kind == 2:
            out.append(
                {
                    "idempotency_key": key,
                    "entity": "note",
                    "fields": {"case_id": case_id, "body": f"{device}/{n}"},
                }
            )
        else:
            out.append(
                {
                    "idempotency_key": key,
                    "entity": "case",
                    "id": case_id,
                    "base_version": version,
                    "fields": {"summary": f"Seen by device {device}", "person": {"phone": f"08{device:08d}"}},
                }
            )
    return out


def post(base: str, token: str, changes: list[dict]) -> tuple[float, list[dict]]:
    request = urllib.request.Request(
        f"{base}/api/v1/sync",
        method="POST",
        data=json.dumps({"changes": changes}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as answer:
        body = json.loads(answer.read())
    return time.perf_counter() - started, body["results"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    args = parser.parse_args()
    url = fresh_database_url()
    redis = os.environ.get("MDT_TEST_REDIS_URL")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MDT_ENV": "testing"})
    tokens, shared = setup(app, args.devices)
    port = 18000 + os.getpid() % 1000
    env = dict(os.environ)
    env.update(
        {
            "MDT_ENV": "production",
            "MDT_SECRET_KEY": "bench-only-" + "x" * 40,
            "MDT_FILES_KEY": "0b" * 32,
            "MDT_DATABASE_URL": url,
            "MDT_BASE_URL": f"http://127.0.0.1:{port}",
        }
    )
    if redis:
        env["MDT_REDIS_URL"] = redis
    log = open(Path(os.environ["MDT_INSTANCE_PATH"]) / "gunicorn.log", "w")
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "300",
            "mdt:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        batches = [batch(d, args.changes, shared) for d in range(args.devices)]
        first: dict[int, list[dict]] = {}
        again: dict[int, list[dict]] = {}
        times: list[float] = []
        errors: list[str] = []
        gate = threading.Barrier(args.devices)

        def device(d: int) -> None:
            gate.wait()
            try:
                took, results = post(base, tokens[d], batches[d])
                times.append(took)
                first[d] = results
                if d % 10 == 0:  # the answer was lost: the whole batch comes again
                    again[d] = post(base, tokens[d], batches[d])[1]
            except Exception as exc:  # noqa: BLE001  (counted and printed)
                errors.append(f"device {d}: {exc}")

        started = time.perf_counter()
        threads = [threading.Thread(target=device, args=(d,)) for d in range(args.devices)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    report(app, args, batches, first, again, times, errors, wall)


def report(app, args, batches, first, again, times, errors, wall) -> None:
    from sqlalchemy import func, select

    from mdt.cases.models import Note, Person
    from mdt.sync.models import SyncChange, SyncConflict

    total = args.devices * args.changes
    statuses: dict[str, int] = {}
    for results in first.values():
        for r in results:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    resent_ok = all(
        r["status"] == "duplicate" and r["id"] == o["id"]
        for d, results in again.items()
        for r, o in zip(results, first[d], strict=True)
    )
    with app.app_context():
        keys = db.session.scalar(select(func.count()).select_from(SyncChange))
        distinct_keys = db.session.scalar(select(func.count(func.distinct(SyncChange.idempotency_key))))
        created = db.session.scalar(
            select(func.count()).select_from(Person).where(Person.family_name == "Bench")
        )
        notes = db.session.scalar(select(func.count()).select_from(Note))
        held = db.session.scalar(select(func.count()).select_from(SyncConflict))
    expected_new = sum(1 for b in batches for c in b if c["entity"] == "case" and "id" not in c)
    expected_notes = sum(1 for b in batches for c in b if c["entity"] == "note")
    clashes = sum(len(r.get("conflicts", [])) for results in first.values() for r in results)
    checks = {
        "every change answered once": sum(len(v) for v in first.values()) == total and not errors,
        "one key per change": keys == distinct_keys == total,
        "every new case there once": created == expected_new,
        "every note there once": notes == expected_notes,
        "every clash held": held == clashes,
        "a resent batch changes nothing": resent_ok,
    }
    print(
        f"devices {args.devices} x changes {args.changes} = {total} changes; gunicorn workers {args.workers}"
    )
    print(f"wall time {wall:.1f} s; {total / wall:.0f} changes/s")
    if len(times) > 1:
        qs = statistics.quantiles(times, n=100)
        print(f"batch time p50 {statistics.median(times):.2f} s, p95 {qs[94]:.2f} s, max {max(times):.2f} s")
    elif times:
        print(f"batch time {times[0]:.2f} s")
    print("first answers:", statuses, f"resent batches: {len(again)}")
    for name, ok in checks.items():
        print(f"  {'ok    ' if ok else 'FAILED'} {name}")
    for e in errors[:5]:
        print("  error:", e)
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
