"""Drills (issue 17, section 3): nothing lost. Starts the production-shaped processes itself
(gunicorn, a Celery worker, Celery beat, an SMTP sink) on a PostgreSQL database and a Redis
database of its own, puts them under load (members signed in through the login form, API
clients with tokens), and breaks them one way at a time:

1. ``worker``: kill -9 a Celery worker in the middle of a batch of reminders, start a new one;
2. ``redis``: FLUSHDB of the broker's database while batches are queued;
3. ``postgres``: restart PostgreSQL (``pg_ctlcluster 15 main restart``; at most once a run);
4. ``gunicorn``: kill -9 a gunicorn worker (its master starts another);
5. ``disk``: fill the documents' store (a tmpfs of a few MB mounted on it) until uploads fail
   with ENOSPC, then free the space.

After each drill it checks with SQL that every reminder that was due ended sent, failed with a
reason or cancelled (none left pending or held past its lease), that the SMTP sink received no
reminder twice, that every note answered 2xx/3xx is in the database with its audit row, and that
every document version has its file and every file its version; and it measures how long the
load took to succeed again and how many requests failed. See benchmarks/drills/README.md.

    python benchmarks/drills/run.py [--quick] [--skip postgres] [--json results.json]

Run as root (tmpfs mount, pg_ctlcluster); PostgreSQL on 127.0.0.1:5432 (role ``mdt`` with
CREATEDB), Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from mdt import clock, create_app, policy  # noqa: E402
from mdt.cases.models import Case  # noqa: E402
from mdt.directory.models import Mdt, Member  # noqa: E402
from mdt.extensions import db  # noqa: E402
from mdt.meetings.models import ActionItem  # noqa: E402
from mdt.reminders import derive  # noqa: E402
from mdt.reminders.models import Reminder  # noqa: E402
from tests.smtp_sink import free_port  # noqa: E402

PASSWORD = "demo-password"
WEB_USERS = ["social@example.org", "coordinator@example.org"]
API_USERS = ["social@example.org", "lawyer@example.org"]
DRILLS = ("worker", "redis", "postgres", "gunicorn", "disk")
NOTE_PREFIX = "Drill note "


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------- the services


def prepare_database(url: str) -> None:
    """A new, empty database of the drills' own (dropped first if it exists), made by the role of
    ``url`` (CREATEDB) through the server's ``postgres`` database."""
    target = make_url(url)
    name = target.database
    if not name or not re.fullmatch(r"[a-z0-9_]+", name) or name in ("mdt", "mdt_test", "mdt_bench"):
        raise SystemExit(f"refusing to recreate database {name!r}: give the drills a database of their own")
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


@dataclass
class Stack:
    """The processes of one drill run, and where they keep things."""

    args: argparse.Namespace
    work: Path
    env: dict
    port: int
    smtp_port: int
    ids_file: Path
    lease: int
    procs: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)
    mounted: Path | None = None
    workers_started: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def documents(self) -> Path:
        return self.work / "instance" / "documents"

    def _start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        out = open(self.work / f"{name}.log", "ab")
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env or self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name], self.logs[name] = proc, out
        return proc

    def flask(self, *argv: str, mode: str = "production") -> str:
        env = {**self.env, "MDT_ENV": mode}
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "mdt", *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise SystemExit(f"flask {' '.join(argv)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start_web(self) -> None:
        workers = max(2, os.cpu_count() or 2)  # one per core (docs/deploy.md runs 4 on its server)
        self._start(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--threads",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "mdt:create_app()",
            ],
        )

    def start_worker(self) -> subprocess.Popen:
        self.workers_started += 1
        name = f"worker{self.workers_started}"
        return self._start(
            name,
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.worker",
                "worker",
                "--loglevel=WARNING",
                "--concurrency=2",
                "-n",
                f"{name}@%h",
            ],
        )

    def current_worker(self) -> str:
        return f"worker{self.workers_started}"

    def start_beat(self) -> None:
        self._start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.worker",
                "beat",
                "--loglevel=WARNING",
                "--schedule",
                str(self.work / "celerybeat-schedule"),
            ],
        )

    def start_sink(self) -> None:
        self._start(
            "smtp",
            [
                sys.executable,
                "-m",
                "tests.smtp_sink",
                "--port",
                str(self.smtp_port),
                "--ids",
                str(self.ids_file),
                "--delay",
                "0.05",  # a slow mail server: batches wait in the queue, a kill finds one in flight
            ],
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.get(name)
        if proc is None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM)
        for out in self.logs.values():
            out.close()
        if self.mounted is not None:
            subprocess.run(["umount", str(self.mounted)], check=False)

    def wait_up(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + "/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer in {timeout:.0f} s; see {self.work}/gunicorn.log")


def build(args: argparse.Namespace) -> Stack:
    work = Path(tempfile.mkdtemp(prefix="mdt-drills-"))
    (work / "instance").mkdir()
    port, smtp_port = free_port(), free_port()
    lease = 8 if args.quick else 20
    env = {
        **os.environ,
        "MDT_ENV": "production",
        "MDT_SECRET_KEY": secrets.token_hex(32),
        "MDT_FILES_KEY": secrets.token_hex(32),
        "MDT_DATABASE_URL": args.database_url,
        "MDT_REDIS_URL": args.redis_url,
        "MDT_INSTANCE_PATH": str(work / "instance"),
        "MDT_COOKIE_SECURE": "false",  # plain http on loopback
        "MDT_BASE_URL": f"http://127.0.0.1:{port}",
        "MDT_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MDT_SWEEP_SECONDS": "2",
        "MDT_REMINDER_LEASE_SECONDS": str(lease),
        "MDT_REMINDER_BATCH": "20",  # many small batches, so some are queued when Redis is flushed
        "MDT_HEARTBEAT_SECONDS": "5",
        "MDT_EXPIRY_SECONDS": "3600",
        "MDT_READ_ALERT_SECONDS": "3600",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("MDT_TEST_DATABASE_URL", None)
    return Stack(args, work, env, port, smtp_port, work / "sink-ids.txt", lease)


# ---------------------------------------------------------------- the load


@dataclass
class Call:
    who: str
    method: str
    path: str
    start: float
    end: float
    status: int  # -1: no answer (connection refused or reset, timeout)
    ok: bool
    marker: str | None = None
    why: str = ""


class Load:
    """Threads signing in as demo members and calling the web pages and the API, recording every
    request (method, path, status, and for notes the marker written into the note)."""

    def __init__(self, stack: Stack, plan: dict[str, list[int]], tokens: dict[str, str], threads: int):
        self.stack, self.plan, self.tokens = stack, plan, tokens
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []
        for n in range(threads):
            if n % 2 == 0:
                who = WEB_USERS[(n // 2) % len(WEB_USERS)]
                target = self._web
            else:
                who = API_USERS[(n // 2) % len(API_USERS)]
                target = self._api
            self.threads.append(threading.Thread(target=target, args=(n, who), daemon=True))

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)

    def _keep(self, call: Call) -> Call:
        with self.lock:
            self.calls.append(call)
        return call

    def _do(
        self, session, who, method, path, marker=None, ok=None, **kw
    ) -> tuple[Call, requests.Response | None]:
        start = time.time()
        try:
            r = session.request(method, self.stack.base + path, timeout=15, allow_redirects=False, **kw)
        except requests.RequestException as exc:
            return self._keep(
                Call(who, method, path, start, time.time(), -1, False, marker, type(exc).__name__)
            ), None
        location = r.headers.get("Location", "")
        signed_out = r.status_code in (301, 302, 303) and "/login" in location
        good = (ok(r) if ok else r.status_code < 400) and not signed_out
        why = "signed out" if signed_out else ("" if good else f"HTTP {r.status_code}")
        return self._keep(Call(who, method, path, start, time.time(), r.status_code, good, marker, why)), r

    @staticmethod
    def _csrf(page: str) -> str | None:
        found = re.search(r'name="csrf_token" value="([^"]+)"', page)
        return found.group(1) if found else None

    def _pause(self, rng: random.Random) -> None:
        self.stop.wait(rng.uniform(0.03, 0.12))

    def _web(self, n: int, who: str) -> None:
        rng = random.Random(n)
        cases = self.plan[who]
        session, csrf, seq = None, None, 0
        while not self.stop.is_set():
            if session is None:
                session = requests.Session()
                _, r = self._do(session, who, "GET", "/login")
                csrf = self._csrf(r.text) if r is not None and r.status_code == 200 else None
                if csrf is None:
                    session = None
                    self._pause(rng)
                    continue
                call, r = self._do(
                    session,
                    who,
                    "POST",
                    "/login",
                    data={"email": who, "password": PASSWORD, "csrf_token": csrf},
                    ok=lambda r: r.status_code == 302,
                )
                if not call.ok:
                    session = None
                    self._pause(rng)
                    continue
            pick = rng.random()
            case_id = rng.choice(cases)
            if pick < 0.3:
                call, r = self._do(session, who, "GET", "/cases")
            elif pick < 0.6 or csrf is None:
                call, r = self._do(session, who, "GET", f"/cases/{case_id}")
            else:
                seq += 1
                marker = f"drill-{self.stack.args.run_id}-w{n}-{seq}"
                call, r = self._do(
                    session,
                    who,
                    "POST",
                    f"/cases/{case_id}/notes",
                    marker=marker,
                    data={"body": NOTE_PREFIX + marker, "csrf_token": csrf},
                    ok=lambda r, c=case_id: (
                        r.status_code == 302 and f"/cases/{c}" in r.headers.get("Location", "")
                    ),
                )
            if r is not None and r.status_code == 200:
                csrf = self._csrf(r.text) or csrf
            if call.why in ("signed out",) or (call.status == 400 and call.method == "POST"):
                session = None  # signed out (sessions live in Redis) or the CSRF token is stale
            self._pause(rng)

    def _api(self, n: int, who: str) -> None:
        rng = random.Random(n)
        cases = self.plan[who]
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        seq = 0
        while not self.stop.is_set():
            case_id = rng.choice(cases)
            if rng.random() < 0.5:
                self._do(session, who, "GET", f"/api/v1/cases/{case_id}")
            else:
                seq += 1
                marker = f"drill-{self.stack.args.run_id}-a{n}-{seq}"
                self._do(
                    session,
                    who,
                    "POST",
                    f"/api/v1/cases/{case_id}/notes",
                    marker=marker,
                    json={"body": NOTE_PREFIX + marker},
                    ok=lambda r: r.status_code == 201,
                )
            self._pause(rng)

    def between(self, start: float, end: float) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if start <= c.start < end]

    def all(self) -> list[Call]:
        with self.lock:
            return list(self.calls)

    def recovered(self, since: float, window: float = 2.0, least: int = 8) -> bool:
        """The last ``window`` seconds all succeeded, with enough requests in them."""
        now = time.time()
        recent = self.between(max(since, now - window), now)
        return len(recent) >= least and all(c.ok for c in recent)


# ---------------------------------------------------------------- the app, in this process


class Data:
    """The drills' view of the database: seeding reminders and the SQL checks."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.engine = create_engine(stack.args.database_url, pool_pre_ping=True)
        self.due: set[int] = set()  # every reminder that was due when a drill began

    def app(self):
        return create_app(
            {
                "SQLALCHEMY_DATABASE_URI": self.stack.args.database_url,
                "MDT_ENV": "testing",
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            }
        )

    def plan(self) -> dict[str, list[int]]:
        """For each demo member of the load: the cases they may write notes on."""
        app = self.app()
        out: dict[str, list[int]] = {}
        with app.app_context():
            for email in {*WEB_USERS, *API_USERS}:
                member = db.session.scalars(select(Member).where(Member.email == email)).one()
                cases = db.session.scalars(select(Case).where(Case.mdt_id == member.mdt_id).order_by(Case.id))
                out[email] = [c.id for c in cases if policy.can(member, "case.note", c)][:25]
                if not out[email]:
                    raise SystemExit(f"{email} may write notes on no demo case")
            db.engine.dispose()
        return out

    def seed_reminders(self, items: int) -> int:
        """``items`` action items due yesterday, their reminders derived by the app's deriver as of
        two days ago: each owner agency's members get one due now (in the app and by email)."""
        app = self.app()
        with app.app_context():
            mdt = db.session.scalars(select(Mdt).where(Mdt.code == "PCB")).one()
            agencies = sorted(
                set(db.session.scalars(select(Member.agency_id).where(Member.mdt_id == mdt.id)))
            )
            coordinator = db.session.scalars(
                select(Member.id).where(Member.email == "coordinator@example.org")
            ).one()
            now = clock.now()
            yesterday = clock.today(mdt) - timedelta(days=1)
            ids = db.session.scalars(
                insert(ActionItem).returning(ActionItem.id),
                [
                    {
                        "mdt_id": mdt.id,
                        "title": f"Drill follow-up {n}",
                        "owner_agency_id": agencies[n % len(agencies)],
                        "due_on": yesterday,
                        "created_by_id": coordinator,
                        "created_at": now,
                    }
                    for n in range(items)
                ],
            ).all()
            derive.sync("action", ids, now=now - timedelta(days=2))
            db.session.commit()
            due = set(
                db.session.scalars(
                    select(Reminder.id).where(
                        Reminder.source_type == "action",
                        Reminder.source_id.in_(ids),
                        Reminder.scheduled_at <= now,
                    )
                )
            )
            db.engine.dispose()
        self.due |= due
        return len(due)

    def reminders_unsettled(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT count(*) FROM reminder WHERE id = ANY(:ids) AND status IN ('pending', 'sending')"
                ),
                {"ids": sorted(self.due)},
            ).scalar_one()

    def sink_ids(self) -> Counter:
        """Reminder ids the SMTP sink received, with how often (mail about a member's own account,
        a sign-in from a new browser, carries no reminder id and is left out)."""
        path = self.stack.ids_file
        return Counter(i for i in path.read_text().split() if i != "?") if path.exists() else Counter()

    def check(self, calls: list[Call]) -> dict:
        """Everything the SQL can say after a drill; cumulative over the run."""
        written = {c.marker for c in calls if c.marker and c.ok}
        answered_badly = {c.marker for c in calls if c.marker and not c.ok}
        with self.engine.connect() as conn:
            stored = {
                body[len(NOTE_PREFIX) :]
                for (body,) in conn.execute(
                    text("SELECT body FROM note WHERE body LIKE :p"), {"p": NOTE_PREFIX + "drill-%"}
                )
            }
            notes_without_audit = conn.execute(
                text(
                    "SELECT count(*) FROM note n WHERE n.body LIKE :p AND NOT EXISTS ("
                    " SELECT 1 FROM audit_event a WHERE a.action = 'note.create'"
                    " AND a.object_type = 'note' AND a.object_id = n.id)"
                ),
                {"p": NOTE_PREFIX + "drill-%"},
            ).scalar_one()
            statuses = dict(
                conn.execute(
                    text("SELECT status, count(*) FROM reminder WHERE id = ANY(:ids) GROUP BY status"),
                    {"ids": sorted(self.due)},
                ).all()
            )
            failed_without_reason = conn.execute(
                text(
                    "SELECT count(*) FROM reminder WHERE id = ANY(:ids) AND status = 'failed'"
                    " AND coalesce(last_error, '') = ''"
                ),
                {"ids": sorted(self.due)},
            ).scalar_one()
            stale = conn.execute(
                text(
                    "SELECT count(*) FROM reminder WHERE status = 'sending'"
                    " AND claimed_at < now() - make_interval(secs => :lease)"
                ),
                {"lease": self.stack.lease},
            ).scalar_one()
            emails_sent = {
                str(i)
                for (i,) in conn.execute(
                    text(
                        "SELECT id FROM reminder WHERE id = ANY(:ids)"
                        " AND channel = 'email' AND status = 'sent'"
                    ),
                    {"ids": sorted(self.due)},
                )
            }
            app_twice = conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT reminder_id FROM notification WHERE kind = 'reminder'"
                    " AND reminder_id IS NOT NULL GROUP BY reminder_id HAVING count(*) > 1) t"
                )
            ).scalar_one()
            versions = conn.execute(
                text("SELECT blob, thumbnail FROM document_version WHERE blob IS NOT NULL")
            ).all()
            documents_without_version = conn.execute(
                text(
                    "SELECT count(*) FROM document d WHERE NOT EXISTS"
                    " (SELECT 1 FROM document_version v WHERE v.document_id = d.id)"
                )
            ).scalar_one()
        named = {n for row in versions for n in row if n}
        on_disk = {p.name for p in self.stack.documents.glob("*/*") if p.suffix != ".part"}
        partial = [p.name for p in self.stack.documents.glob("*/*.part")]
        received = self.sink_ids()
        return {
            "writes_ok": len(written),
            "writes_lost": sorted(written - stored),
            "writes_refused_but_stored": len(answered_badly & stored),  # an answer lost, not the write
            "notes_without_audit": notes_without_audit,
            "reminders_due": len(self.due),
            "reminder_status": statuses,
            "reminders_unsettled": statuses.get("pending", 0) + statuses.get("sending", 0),
            "failed_without_reason": failed_without_reason,
            "held_past_lease": stale,
            "emails_sent_not_received": len(emails_sent - set(received)),
            "emails_sent_twice": sum(n - 1 for n in received.values() if n > 1),
            "app_notified_twice": app_twice,
            "versions_without_file": len({n for row in versions for n in row[:1] if n} - on_disk),
            "files_without_version": len(on_disk - named),
            "partial_files": len(partial),
            "documents_without_version": documents_without_version,
        }


def lost(check: dict) -> int:
    return (
        len(check["writes_lost"])
        + check["notes_without_audit"]
        + check["reminders_unsettled"]
        + check["failed_without_reason"]
        + check["held_past_lease"]
        + check["emails_sent_not_received"]
        + check["versions_without_file"]
        + check["files_without_version"]
        + check["partial_files"]
        + check["documents_without_version"]
    )


# ---------------------------------------------------------------- the drills


@dataclass
class Result:
    drill: str
    recover_s: float | None  # None: did not recover within the time allowed
    failed: int
    requests: int
    reminders_settled_s: float | None
    data_lost: int
    sent_twice: int
    note: str = ""
    check: dict = field(default_factory=dict)


def _wait(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _gunicorn_workers(stack: Stack) -> list[int]:
    master = stack.procs["gunicorn"].pid
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _upload(stack: Stack, token: str, case_id: int, size: int, n: int) -> requests.Response | None:
    body = (f"Drill upload {n}\n".encode() + os.urandom(size // 2).hex().encode())[:size]
    try:
        return requests.post(
            f"{stack.base}/api/v1/cases/{case_id}/documents",
            headers={"Authorization": f"Bearer {token}"},
            data={"kind": "other", "title": f"Drill upload {n}"},
            files={"file": (f"drill-{n}.txt", body, "text/plain")},
            timeout=30,
        )
    except requests.RequestException:
        return None


def fault_worker(stack: Stack, data: Data) -> str:
    before = sum(data.sink_ids().values())
    _wait(lambda: sum(data.sink_ids().values()) >= before + 3, 30, 0.02)
    name = stack.current_worker()
    stack.kill(name)  # kill -9 the worker and its pool, mid-batch
    sent = sum(data.sink_ids().values()) - before
    stack.start_worker()
    return f"killed {name} after {sent} emails of the batch; started another"


def fault_redis(stack: Stack, data: Data) -> str:
    broker = redis.Redis.from_url(stack.args.redis_url)
    _wait(lambda: (broker.llen("celery") or 0) >= 3, 10, 0.01)
    queued = broker.llen("celery") or 0
    broker.flushdb()
    return f"FLUSHDB with {queued} send batches queued (and every session)"


def fault_postgres(stack: Stack, data: Data) -> str:
    started = time.time()
    subprocess.run(["pg_ctlcluster", "15", "main", "restart"], check=True)
    return f"pg_ctlcluster 15 main restart took {time.time() - started:.1f} s"


def fault_gunicorn(stack: Stack, data: Data) -> str:
    pid = random.choice(_gunicorn_workers(stack))
    os.kill(pid, signal.SIGKILL)
    return f"kill -9 of gunicorn worker {pid}"


def fault_disk(stack: Stack, data: Data, token: str, case_id: int) -> tuple[str, float | None, int]:
    """Fill the store with ballast, upload until ENOSPC, free the ballast, upload again.
    Returns the note, the seconds from freeing the space to the first upload that succeeded,
    and the number of uploads that failed other than with a clear 507."""
    if stack.mounted is None:
        return "skipped: no small filesystem mounted on the store (needs root)", 0.0, 0
    stat = os.statvfs(stack.documents)
    free = stat.f_bavail * stat.f_frsize
    ballast = stack.documents / "ballast"  # not a storage name (those are two levels down)
    with open(ballast, "wb") as out:
        out.write(b"\0" * max(0, free - 1_500_000))
    statuses: Counter = Counter()
    bad = 0
    for n in range(8):
        r = _upload(stack, token, case_id, 400_000, n)
        status = r.status_code if r is not None else -1
        statuses[status] += 1
        if status not in (201, 507):
            bad += 1
        if status == 507 and "storage for files is full" not in r.json().get("detail", ""):  # type: ignore[union-attr]
            bad += 1
    ballast.unlink()
    freed = time.time()
    back = None
    for n in range(8, 20):
        r = _upload(stack, token, case_id, 400_000, n)
        if r is not None and r.status_code == 201:
            back = time.time() - freed
            break
        time.sleep(0.5)
    shown = ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items()))
    return (
        f"uploads while full answered {{{shown}}}; "
        f"after freeing space: {'201' if back is not None else 'none'}",
        back,
        bad,
    )


def run_drill(name: str, stack: Stack, load: Load, data: Data, quick: bool, extra: dict) -> Result:
    before = data.check(load.all())  # what earlier drills left: each row counts its own drill only
    log(f"drill {name}: seeding reminders")
    # Flushing Redis needs send batches waiting in the queue: more of them for that drill.
    seeded = data.seed_reminders((150 if quick else 400) if name == "redis" else (40 if quick else 150))
    if name != "redis":  # that one strikes as soon as batches are queued
        time.sleep(1.0 if quick else 3.0)  # load and sending under way
    start = time.time()
    recover_s = None
    if name == "disk":
        note, recover_s, bad = fault_disk(stack, data, extra["token"], extra["case"])
        failed_extra = bad
    else:
        note = {
            "worker": fault_worker,
            "redis": fault_redis,
            "postgres": fault_postgres,
            "gunicorn": fault_gunicorn,
        }[name](stack, data)
        failed_extra = 0
    log(f"drill {name}: {note}")
    allowed = 60 if quick else 120
    came_back = _wait(lambda: load.recovered(start), allowed, 0.2)
    settle_start = time.time()
    settled = _wait(lambda: data.reminders_unsettled() == 0, stack.lease * 3 + 45, 0.5)
    reminders_s = time.time() - start if settled else None
    time.sleep(max(0.0, (2.0 if quick else 5.0) - (time.time() - settle_start)))  # see the load steady
    calls = load.between(start - 0.001, time.time())
    failures = [c for c in calls if not c.ok]
    if name != "disk":
        recover_s = max((c.end for c in failures), default=start) - start if came_back else None
    check = data.check(load.all())
    result = Result(
        name,
        recover_s,
        len(failures) + failed_extra,
        len(calls),
        reminders_s,
        lost(check) - lost(before),
        check["emails_sent_twice"]
        + check["app_notified_twice"]
        - before["emails_sent_twice"]
        - before["app_notified_twice"],
        f"{note}; {seeded} reminders due; failures: {dict(Counter(c.why for c in failures))}",
        check,
    )
    log(
        f"drill {name}: recovered in {_s(result.recover_s)}, {result.failed} of {result.requests} requests "
        f"failed, reminders settled in {_s(reminders_s)}, data lost {result.data_lost}, "
        f"sent twice {result.sent_twice}"
    )
    return result


def _s(seconds: float | None) -> str:
    return "not recovered" if seconds is None else f"{seconds:.1f} s"


def table(results: list[Result]) -> str:
    lines = [
        "| drill | time to recover | requests failed | reminders settled | data lost | sent twice |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.drill} | {_s(r.recover_s)} | {r.failed} of {r.requests} | {_s(r.reminders_settled_s)} "
            f"| {r.data_lost} | {r.sent_twice} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="short drills (CI): fewer reminders, shorter lease"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "MDT_DRILLS_DATABASE_URL", "postgresql+psycopg://mdt:mdt-test-only@127.0.0.1:5432/mdt_drills"
        ),
        help="a database of the drills' own: DROPPED and created again",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("MDT_DRILLS_REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    parser.add_argument(
        "--only", nargs="*", choices=DRILLS, help="run only these drills (in the usual order)"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=DRILLS, help="leave these drills out")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--keep", action="store_true", help="keep the working folder (logs)")
    args = parser.parse_args(argv)
    args.run_id = secrets.token_hex(3)
    chosen = [d for d in DRILLS if (not args.only or d in args.only) and d not in args.skip]

    stack = build(args)
    log(
        f"working folder {stack.work}; database {make_url(args.database_url).database}; "
        f"redis {args.redis_url}"
    )
    results: list[Result] = []
    load = None
    try:
        prepare_database(args.database_url)
        redis.Redis.from_url(args.redis_url).flushdb()
        if os.geteuid() == 0 and "disk" in chosen:
            stack.documents.mkdir(parents=True)
            mounted = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(stack.documents)],
                capture_output=True,
                text=True,
            )
            if mounted.returncode == 0:
                stack.mounted = stack.documents
            else:
                log(f"could not mount a tmpfs on the store: {mounted.stderr.strip()}")
        stack.flask("db", "upgrade")
        stack.flask("demo", "load", mode="development")
        tokens = {
            email: stack.flask("tokens", "create", email, "--name", "drills").strip() for email in API_USERS
        }
        data = Data(stack)
        plan = data.plan()
        stack.start_sink()
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        stack.wait_up()
        log(f"gunicorn on {stack.base}, worker, beat and SMTP sink up; load starting")
        load = Load(stack, plan, tokens, threads=4 if args.quick else 6)
        load.start()
        time.sleep(3 if args.quick else 10)
        extra = {"token": tokens[API_USERS[0]], "case": plan[API_USERS[0]][0]}
        for name in chosen:
            results.append(run_drill(name, stack, load, data, args.quick, extra))
        load.finish()
        final = data.check(load.all())
    finally:
        if load is not None:
            load.finish()
        stack.stop_all()
        if not args.keep and all(r.data_lost == 0 for r in results):
            subprocess.run(["rm", "-rf", str(stack.work)], check=False)
    total = len(load.calls) if load else 0
    print()
    print(table(results))
    print()
    for r in results:
        print(f"- {r.drill}: {r.note}")
    print(f"\n{total} requests in all; final check: {json.dumps(final, default=str)}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"results": [vars(r) for r in results], "final": final, "requests": total},
                indent=2,
                default=str,
            )
        )
    ok = all(r.data_lost == 0 and r.recover_s is not None for r in results) and lost(final) == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
