"""The load test (issue 17): MDT Case Tracker as production runs it (gunicorn, a Celery worker and
beat as separate processes, on PostgreSQL and Redis) under locust's simulated users, at several
numbers of users at once; a table of requests per second, p50/p95/p99 per endpoint and errors.

    make bench-load                                   # PostgreSQL and Redis from .ci/services.sh
    python benchmarks/load/run.py --database-url URL --redis-url URL [--fresh] [--cases 100000]
    python benchmarks/load/run.py --database-url URL --redis-url URL --no-load   # a database as it is

Without --no-load the database is migrated and given the demo MDT plus --cases synthetic cases
(``flask demo load``, which refuses a database that has data: --fresh empties it first). Every
process started here is stopped at the end, on an error and on Ctrl-C. See README.md here."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")
DEMO_SOCIAL = "social@example.org,police@example.org,labour@example.org"


@dataclass
class Step:
    users: int
    rows: list[dict] = field(default_factory=list)  # locust's rows, the last one "Aggregated"
    failures: list[dict] = field(default_factory=list)
    logins: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)
    seconds: float = 0.0


# ---------------------------------------------------------------- processes


class Processes:
    """Everything started here, each in its own process group, stopped in reverse order."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")
        proc = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.running.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen, grace: float = 20.0) -> None:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.running = [(n, p) for n, p in self.running if p is not proc]

    def stop_all(self) -> None:
        for _name, proc in reversed(list(self.running)):
            self.stop(proc)


def _stop_on_sigterm(_signum, _frame):
    raise KeyboardInterrupt


def flask(args: list[str], env: dict) -> str:
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "mdt", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped while starting; see its log")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    sys.exit("gunicorn did not answer within two minutes")


# ---------------------------------------------------------------- CPU


def _proc_table() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, command name, CPU ticks used) of every process now."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        table[int(entry.name)] = (int(rest[1]), name, int(rest[11]) + int(rest[12]))
    return table


def _tree_ticks(table: dict, root: int) -> int:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _n, _t) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            total += table[pid][2]
        todo.extend(children.get(pid, []))
    return total


def _machine() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def cpu_sample(roots: dict[str, int]) -> dict:
    table = _proc_table()
    sample = {name: _tree_ticks(table, pid) for name, pid in roots.items()}
    sample["postgres"] = {pid: t for pid, (_pp, n, t) in table.items() if n.startswith("postgres")}
    sample["machine_busy"], sample["machine_total"] = _machine()
    sample["at"] = time.monotonic()
    return sample


def cpu_used(before: dict, after: dict) -> dict:
    wall = after["at"] - before["at"]
    out = {
        name: (after[name] - before[name]) / TICKS / wall
        for name in before
        if name not in ("machine_busy", "machine_total", "at", "postgres")
    }
    # PostgreSQL's backends come and go (every client's, not only ours): what each one that is
    # still there used since the first sample (a backend that ended meanwhile is not counted).
    pg_before, pg_after = before["postgres"], after["postgres"]
    out["postgres"] = sum(t - pg_before.get(pid, 0) for pid, t in pg_after.items()) / TICKS / wall
    total = after["machine_total"] - before["machine_total"]
    busy = (after["machine_busy"] - before["machine_busy"]) / max(total, 1)
    # What else ran meanwhile (other people's work on a shared machine): busy cores minus ours.
    out["other"] = max(0.0, busy * (os.cpu_count() or 1) - sum(out.values()))
    out["machine_busy_pct"] = 100.0 * busy
    return out


# ---------------------------------------------------------------- one step


def run_step(args, procs: Processes, base: str, users: int, env: dict, out: Path, roots: dict) -> Step:
    rate = args.spawn_rate
    ramp = math.ceil(users / rate)
    prefix = out / f"u{users}"
    logins = out / f"u{users}_logins.json"
    marker = out / f"u{users}_measuring"
    step_env = {
        **env,
        "MDT_LOAD_LOGINS": str(logins),
        "MDT_LOAD_MEASURE": str(args.duration),
        "MDT_LOAD_STARTED": str(marker),
    }
    argv = [
        str(BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        base,
        "-u",
        str(users),
        "-r",
        f"{rate:g}",
        # The locustfile starts the statistics again once every user has signed in and stops
        # --duration seconds later; this is only the limit if that never happens.
        "-t",
        f"{ramp + args.duration + 600}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    print(
        f"-- {users} users: started at {rate:g}/s for {ramp} s, then {args.duration} s measured", flush=True
    )
    started = time.monotonic()
    locust = procs.start(f"locust-u{users}", argv, step_env)
    # CPU over the measured part: from the moment every user has signed in to just before the end.
    roots = {**roots, "locust": locust.pid}
    while not marker.exists() and locust.poll() is None:
        time.sleep(0.2)
    if locust.poll() is not None:
        sys.exit(f"locust stopped before every user had started; see {procs.logs}/locust-u{users}.log")
    print(f"   every user started after {time.monotonic() - started:.0f} s; measuring", flush=True)
    before = cpu_sample(roots)
    time.sleep(max(args.duration - 3, 1))
    after = cpu_sample(roots)
    try:
        locust.wait(timeout=args.duration + 120)
    except subprocess.TimeoutExpired:
        print(f"locust did not stop by itself for {users} users; stopping it", file=sys.stderr)
    procs.stop(locust)
    step = Step(users=users, seconds=time.monotonic() - started, cpu=cpu_used(before, after))
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        sys.exit(f"locust wrote no statistics for {users} users; see {procs.logs}/locust-u{users}.log")
    with stats.open() as f:
        step.rows = list(csv.DictReader(f))
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        with failures.open() as f:
            step.failures = list(csv.DictReader(f))
    if logins.exists():
        step.logins = json.loads(logins.read_text())
    return step


# ---------------------------------------------------------------- report


def _ms(row: dict, column: str) -> str:
    value = row.get(column, "")
    return "-" if value in ("", "N/A") else f"{float(value):.0f}"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(steps: list[Step], args, out: Path, gunicorn_errors: int) -> str:
    lines = [
        f"gunicorn: {args.workers} workers x {args.threads} threads (gthread); "
        f"{os.cpu_count()} CPUs; users started at {args.spawn_rate:g}/s; {args.duration} s measured once all "
        "had signed in; "
        f"members pause {args.think.replace(',', '-')} s between clicks, devices and the public 10-30 s",
        "",
        "| users | requests/s | p50 ms | p95 ms | p99 ms | max ms | requests | errors | CPU busy | "
        "gunicorn cores | celery cores | postgres cores | locust cores | other cores | sign-in p50/p95 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in steps:
        agg = next(r for r in s.rows if r["Name"] == "Aggregated")
        times = s.logins.get("times_ms", [])
        login = f"{_percentile(times, 0.5):.0f}/{_percentile(times, 0.95):.0f}" if times else "-"
        if s.logins.get("failures"):
            login += f" ({len(s.logins['failures'])} failed)"
        lines.append(
            f"| {s.users} | {float(agg['Requests/s']):.1f} | {_ms(agg, '50%')} | {_ms(agg, '95%')} | "
            f"{_ms(agg, '99%')} | {_ms(agg, 'Max Response Time')} | {agg['Request Count']} | "
            f"{agg['Failure Count']} | {s.cpu['machine_busy_pct']:.0f}% | {s.cpu['gunicorn']:.2f} | "
            f"{s.cpu['celery'] + s.cpu['beat']:.2f} | {s.cpu['postgres']:.2f} | {s.cpu['locust']:.2f} | "
            f"{s.cpu['other']:.2f} | {login} |"
        )
    for s in steps:
        lines += [
            "",
            f"{s.users} users, per endpoint:",
            "",
            "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in s.rows:
            if r["Name"] == "Aggregated" or r["Request Count"] == "0":
                continue  # a request made only while the users started (before the reset)
            lines.append(
                f"| {r['Name']} | {r['Request Count']} | {float(r['Requests/s']):.2f} | {_ms(r, '50%')} | "
                f"{_ms(r, '95%')} | {_ms(r, '99%')} | {_ms(r, 'Max Response Time')} | {r['Failure Count']} |"
            )
        for f in s.failures[:10]:
            lines.append(f"  error: {f['Method']} {f['Name']}: {f['Error'][:160]} x{f['Occurrences']}")
        for why in sorted(set(s.logins.get("failures", [])))[:5]:
            lines.append(f"  sign-in: {why}")
    lines += ["", f"gunicorn log: {gunicorn_errors} error lines; files in {out}"]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def prepare(args, env: dict) -> None:
    if args.fresh:
        engine = create_engine(args.database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    dev = {**env, "MDT_ENV": "development"}  # demo data refuses to load in production mode
    started = time.monotonic()
    flask(["db", "upgrade"], dev)
    print(flask(["demo", "load", "--cases", str(args.cases)], dev) or "demo loaded", flush=True)
    print(f"database prepared in {time.monotonic() - started:.0f} s", flush=True)


def team_of(database_url: str, email: str) -> int | None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        found = conn.scalar(text("SELECT mdt_id FROM member WHERE lower(email) = :e"), {"e": email.lower()})
    engine.dispose()
    return found


def sqlalchemy_url(url: str) -> str:
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    return url


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress, even into a file
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("MDT_LOAD_DATABASE_URL") or os.environ.get("MDT_BENCH_DATABASE_URL"),
        help="PostgreSQL (default: $MDT_LOAD_DATABASE_URL, else $MDT_BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("MDT_LOAD_REDIS_URL") or os.environ.get("MDT_TEST_REDIS_URL"),
        help="Redis: broker and sessions (default: $MDT_LOAD_REDIS_URL, else $MDT_TEST_REDIS_URL)",
    )
    parser.add_argument("--no-load", action="store_true", help="use the database as it is")
    parser.add_argument("--fresh", action="store_true", help="empty the database first (drops its schema)")
    parser.add_argument("--cases", type=int, default=100_000, help="synthetic cases added to the demo")
    parser.add_argument("--users", default="50,200,500", help="simulated users at once, one step each")
    parser.add_argument("--duration", type=int, default=60, help="seconds measured per step")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=5,
        help="users started (and signed in) a second; a sign-in costs ~0.1 s of CPU (scrypt)",
    )
    parser.add_argument("--think", default="5,15", help="a member's pause between clicks: min,max seconds")
    parser.add_argument("--workers", type=int, default=2 * cores + 1, help="gunicorn workers (2*CPUs+1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--social", default=DEMO_SOCIAL, help="social workers' emails (field devices too)")
    parser.add_argument("--lawyers", default="lawyer@example.org")
    parser.add_argument("--coordinators", default="coordinator@example.org")
    parser.add_argument("--password", default="demo-password", help="the accounts' password")
    parser.add_argument("--out", help="where locust's CSV files and the logs go (default: a new temp dir)")
    args = parser.parse_args()
    if not args.database_url or not args.redis_url:
        parser.error("--database-url and --redis-url are needed (PostgreSQL and Redis, as in production)")
    if args.no_load and args.fresh:
        parser.error("--no-load keeps the database as it is; --fresh would empty it")
    args.database_url = sqlalchemy_url(args.database_url)
    out = Path(args.out or tempfile.mkdtemp(prefix="mdt-load-"))
    out.mkdir(parents=True, exist_ok=True)
    instance = out / "instance"
    instance.mkdir(exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "MDT_ENV": "production",
        "MDT_SECRET_KEY": "load-test-only-" + "k" * 40,
        "MDT_FILES_KEY": "1c" * 32,
        "MDT_DATABASE_URL": args.database_url,
        "MDT_REDIS_URL": args.redis_url,
        "MDT_INSTANCE_PATH": str(instance),
        "MDT_BASE_URL": base,
        # Plain http on loopback (production sits behind TLS): cookies without the Secure flag.
        "MDT_COOKIE_SECURE": "false",
        # Many simulated people share a few accounts and one address: the per-address and
        # per-account limits (sign-in, public complaints) and the unusual-reading alert would
        # otherwise answer the load test instead of the app.
        "MDT_COMPLAINT_LIMIT": "1000000",
        "MDT_STATUS_CHECK_LIMIT": "1000000",
        "MDT_LOGIN_ACCOUNT_LIMIT": "1000000",
        "MDT_LOGIN_ADDRESS_LIMIT": "1000000",
        "MDT_READ_ALERT_CASES": "1000000",
        "MDT_READ_ALERT_OUTSIDE": "1000000",
    }
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    procs = Processes(out)
    steps: list[Step] = []
    try:
        if not args.no_load:
            prepare(args, env)
        socials = [e.strip() for e in args.social.split(",") if e.strip()]
        tokens = [flask(["tokens", "create", email, "--name", "load test"], env) for email in socials]
        team = team_of(args.database_url, socials[0])
        env.update(
            {
                "MDT_LOAD_SOCIAL": ",".join(socials),
                "MDT_LOAD_LAWYERS": args.lawyers,
                "MDT_LOAD_COORDINATORS": args.coordinators,
                "MDT_LOAD_PASSWORD": args.password,
                "MDT_LOAD_TOKENS": ",".join(tokens),
                "MDT_LOAD_MDT_ID": str(team or ""),
                "MDT_LOAD_THINK": args.think,
            }
        )
        server = procs.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(args.threads),
                "--timeout",
                "120",
                # Longer than any user's pause: a connection the server closed while the client
                # thought about its next click reads as "connection reset" (nginx in front would
                # keep the browser's connection open this long; its default is 75 s too).
                "--keep-alive",
                "75",
                "--access-logfile",
                "-",
                "mdt:create_app()",
            ],
            env,
        )
        worker = procs.start(
            "celery-worker",
            [str(BIN / "celery"), "-A", "workers.worker", "worker", "--loglevel=INFO", "--concurrency=2"],
            env,
        )
        beat = procs.start(
            "celery-beat",
            [
                str(BIN / "celery"),
                "-A",
                "workers.worker",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                str(instance / "celerybeat-schedule"),
            ],
            env,
        )
        wait_healthy(base, server)
        print(f"gunicorn on {base} ({args.workers} workers x {args.threads} threads); logs in {out}")
        roots = {"gunicorn": server.pid, "celery": worker.pid, "beat": beat.pid}
        for users in [int(u) for u in args.users.split(",")]:
            for name, proc in (("gunicorn", server), ("celery worker", worker), ("celery beat", beat)):
                if proc.poll() is not None:
                    sys.exit(f"{name} stopped (exit {proc.returncode}); see its log in {out}")
            steps.append(run_step(args, procs, base, users, env, out, roots))
    except KeyboardInterrupt:
        print("\ninterrupted: stopping everything", file=sys.stderr)
    finally:
        procs.stop_all()
    if not steps:
        sys.exit(1)
    log = (out / "gunicorn.log").read_text(errors="replace")
    errors = sum(1 for line in log.splitlines() if "[ERROR]" in line or "Traceback" in line)
    table = report(steps, args, out, errors)
    (out / "report.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
