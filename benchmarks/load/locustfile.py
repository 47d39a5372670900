"""Locust users of MDT Case Tracker, one class per kind of client, each doing what that client does
on a working day (benchmarks/load/README.md; run by benchmarks/load/run.py).

- Social workers (web, session cookie): list their cases, search, open a case, write a note.
- Lawyers (web): their hearings and deadlines, the calendar, their legal matters.
- Coordinators (web): create a case conference, read it, build its agenda from the cases again,
  look at the triage queue.
- Field devices (API token, as the installable app's partner clients do): learn their cases, then
  send offline changes to ``POST /api/v1/sync`` (a new case, notes, a change that may clash).
- The public (no account): send a complaint, sometimes check its status.

Web users sign in once at start through the login form (with its CSRF token), as a browser does;
the accounts come from a pool (the demo's by default) shared by many simulated users.
Configured by environment variables that run.py sets:

    MDT_LOAD_SOCIAL, MDT_LOAD_LAWYERS, MDT_LOAD_COORDINATORS   comma-separated emails
    MDT_LOAD_PASSWORD                                          their password
    MDT_LOAD_TOKENS                                            comma-separated API tokens
    MDT_LOAD_MDT_ID                                            the team public complaints go to
    MDT_LOAD_THINK                                             a member's pause: "min,max" seconds
    MDT_LOAD_LOGINS                                            a JSON file for the sign-ins' times
    MDT_LOAD_MEASURE, MDT_LOAD_STARTED                         seconds measured; a file marking the start

Every address comes from ``paths.py`` (checked against the app's routes by the test suite)."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
import uuid
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paths import request  # noqa: E402

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)"')
MATTER_LINK = re.compile(r'href="/matters/(\d+)"')
HOST_AGENCY = re.compile(r'name="host_agency_id"[^>]*>.*?<option value="(\d+)"', re.S)
SEARCH_TERMS = ["malee", "suda", "somchai", "srisawat", "kongkaew", "phromma", "wongsa1", "nok", "anan"]


def _emails(variable: str, default: str) -> list[str]:
    return [e.strip() for e in os.environ.get(variable, default).split(",") if e.strip()]


PASSWORD = os.environ.get("MDT_LOAD_PASSWORD", "demo-password")
SOCIAL = _emails("MDT_LOAD_SOCIAL", "social@example.org,police@example.org,labour@example.org")
LAWYERS = _emails("MDT_LOAD_LAWYERS", "lawyer@example.org")
COORDINATORS = _emails("MDT_LOAD_COORDINATORS", "coordinator@example.org")
TOKENS = _emails("MDT_LOAD_TOKENS", "")
MDT_ID = os.environ.get("MDT_LOAD_MDT_ID")
# A member's pause between two clicks (reading a case file, typing a note), in seconds.
THINK = tuple(float(x) for x in os.environ.get("MDT_LOAD_THINK", "5,15").split(","))
_turn = {name: itertools.count() for name in ("social", "lawyer", "coordinator", "device")}


def _next(pool: list[str], kind: str) -> str:
    if not pool:
        raise StopUser(f"no {kind} accounts configured")
    return pool[next(_turn[kind]) % len(pool)]


# The table is the steady state: the statistics start again once every user has started (and
# every web user has signed in, which takes a while when the sign-ins queue), and the test stops
# MDT_LOAD_MEASURE seconds later. The sign-ins' own times are kept here and written at the end.
_logins: dict[str, list] = {"times_ms": [], "failures": []}
_started = itertools.count(1)
MEASURE = float(os.environ.get("MDT_LOAD_MEASURE", "0"))


def _one_more_started(environment) -> None:
    runner = environment.runner
    if runner is None or next(_started) != runner.target_user_count:
        return
    environment.stats.reset_all()
    marker = os.environ.get("MDT_LOAD_STARTED")
    if marker:
        Path(marker).write_text(str(time.time()))
    if MEASURE:
        gevent.spawn_later(MEASURE, runner.quit)


@events.quitting.add_listener
def _write_logins(environment, **_kw) -> None:
    target = os.environ.get("MDT_LOAD_LOGINS")
    if target:
        Path(target).write_text(json.dumps(_logins))


class WebUser(HttpUser):
    """A member in a browser: signs in once, then keeps the session cookie and the CSRF token."""

    abstract = True
    wait_time = between(THINK[0], THINK[1])
    network_timeout = 60.0
    connection_timeout = 10.0
    pool: list[str] = []
    kind = ""

    def on_start(self) -> None:
        try:
            self.sign_in()
        finally:
            _one_more_started(self.environment)

    def sign_in(self) -> None:
        self.email = _next(self.pool, self.kind)
        self.csrf = ""
        method, path, label = request("login_form")
        page = self.client.request(method, path, name=label)
        self._keep_csrf(page.text)
        method, path, label = request("login")
        started = time.perf_counter()
        with self.client.request(
            method,
            path,
            name=label,
            data={"csrf_token": self.csrf, "email": self.email, "password": PASSWORD},
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            went = answer.headers.get("Location", "")
            if answer.status_code != 302 or "login" in went:
                why = f"{self.email}: sign-in answered {answer.status_code}"
                answer.failure(why)
            elif "second-step" in went or "two-step" in went or "mfa" in went:
                why = f"{self.email}: the MDT asks this account for a second step (MFA); not simulated"
                answer.failure(why)
            else:
                why = ""
        _logins["times_ms"].append((time.perf_counter() - started) * 1000)
        if why:
            _logins["failures"].append(why)
            raise StopUser(why)
        self.get("home")  # where the sign-in leads; also the session's new CSRF token

    def _keep_csrf(self, html: str) -> None:
        found = CSRF.search(html)
        if found:
            self.csrf = found.group(1)

    def get(self, name: str, query: dict | None = None, **values):
        method, path, label = request(name, query, **values)
        answer = self.client.request(method, path, name=label)
        if answer.ok:
            self._keep_csrf(answer.text)
        return answer

    def post_form(self, name: str, data: dict, **values):
        """A form sent from a page: answered by a redirect (303/302) when done."""
        method, path, label = request(name, **values)
        with self.client.request(
            method,
            path,
            name=label,
            data={"csrf_token": self.csrf, **data},
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code not in (302, 303):
                answer.failure(f"expected a redirect, got {answer.status_code}")
            return answer


class SocialWorker(WebUser):
    weight = 10
    pool = SOCIAL
    kind = "social"
    cases: list[int] = []

    def sign_in(self) -> None:
        self.cases = []
        super().sign_in()
        self.list_cases()

    def _seen(self, html: str) -> None:
        found = [int(n) for n in CASE_LINK.findall(html)]
        if found:
            self.cases = found

    @task(3)
    def list_cases(self) -> None:
        answer = self.get("case_list", {"page": random.randint(1, 10)} if random.random() < 0.5 else None)
        if answer.ok:
            self._seen(answer.text)

    @task(1)
    def search(self) -> None:
        answer = self.get("case_search", {"q": random.choice(SEARCH_TERMS)})
        if answer.ok:
            self._seen(answer.text)

    @task(4)
    def open_case(self) -> None:
        if self.cases:
            self.get("case_show", case_id=random.choice(self.cases))

    @task(1)
    def write_note(self) -> None:
        if self.cases:
            body = f"Load test: phoned the person, follow-up next week ({uuid.uuid4().hex[:8]})."
            self.post_form("case_note", {"body": body}, case_id=random.choice(self.cases))

    @task(1)
    def home(self) -> None:
        self.get("home")


class Lawyer(WebUser):
    weight = 3
    pool = LAWYERS
    kind = "lawyer"
    matters: list[int] = []

    def sign_in(self) -> None:
        self.matters = []
        super().sign_in()

    @task(3)
    def my_legal(self) -> None:
        self.get("legal_agenda")

    @task(2)
    def month(self) -> None:
        self.get("calendar")

    @task(1)
    def week(self) -> None:
        self.get("calendar", {"view": "week"})

    @task(1)
    def matter_list(self) -> None:
        answer = self.get("matter_list")
        if answer.ok:
            self.matters = [int(n) for n in MATTER_LINK.findall(answer.text)] or self.matters

    @task(2)
    def matter(self) -> None:
        if self.matters:
            self.get("matter_show", matter_id=random.choice(self.matters))
        else:
            self.matter_list()


class Coordinator(WebUser):
    weight = 1
    pool = COORDINATORS
    kind = "coordinator"
    meeting: int | None = None

    def sign_in(self) -> None:
        self.meeting = None
        super().sign_in()
        form = self.get("meeting_form")
        host = HOST_AGENCY.search(form.text) if form.ok else None
        if host is None:
            return
        # A conference a week from now, in the MDT's own time (the form's datetime-local field).
        starts = time.strftime("%Y-%m-%dT09:30", time.gmtime(time.time() + 7 * 86400))
        answer = self.post_form(
            "meeting_new",
            {
                "title": f"Load test case conference {uuid.uuid4().hex[:6]}",
                "kind": "case_conference",
                "starts_at": starts,
                "host_agency_id": host.group(1),
            },
        )
        found = re.search(r"/meetings/(\d+)", answer.headers.get("Location", ""))
        self.meeting = int(found.group(1)) if found else None

    @task(3)
    def read_agenda(self) -> None:
        if self.meeting:
            self.get("meeting_show", meeting_id=self.meeting)

    @task(1)
    def propose_again(self) -> None:
        if self.meeting:
            self.post_form("meeting_propose", {}, meeting_id=self.meeting)

    @task(1)
    def meetings(self) -> None:
        self.get("meeting_list")

    @task(1)
    def triage(self) -> None:
        self.get("triage_queue")

    @task(1)
    def home(self) -> None:
        self.get("home")


class FieldDevice(HttpUser):
    """The field app of a social worker: back in signal, it sends what was typed offline: a new
    case, and notes and changes on the cases it opened earlier (the case as the device last saw
    it: its version)."""

    weight = 3
    wait_time = between(10, 30)
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        token = _next(TOKENS, "device")
        self.client.headers["Authorization"] = f"Bearer {token}"
        self.versions: dict[int, int] = {}  # cases this device opened: id -> version last seen
        method, path, label = request("api_cases", {"per_page": 50})  # what the app shows first
        try:
            self.client.request(method, path, name=label)
        finally:
            _one_more_started(self.environment)

    @task
    def sync(self) -> None:
        new_key = str(uuid.uuid4())
        changes: list[dict] = [
            {
                "idempotency_key": new_key,
                "entity": "case",
                "fields": {
                    "source": "outreach",
                    "person": {
                        "given_name": random.choice(["Malee", "Suda", "Anan", "Prasit"]),
                        "family_name": "Field",
                        "sex": random.choice(["female", "male"]),
                    },
                    "summary": "Met at the village meeting; back from abroad last month.",
                },
            }
        ]
        known = sorted(self.versions)
        for case_id in random.sample(known, min(2, len(known))):
            changes.append(
                {
                    "idempotency_key": str(uuid.uuid4()),
                    "entity": "note",
                    "fields": {"case_id": case_id, "body": "Home visit: the family is well."},
                }
            )
        if known:
            case_id = random.choice(known)
            changes.append(
                {
                    "idempotency_key": str(uuid.uuid4()),
                    "entity": "case",
                    "id": case_id,
                    "base_version": self.versions[case_id],
                    "fields": {"summary": f"Visited again ({uuid.uuid4().hex[:6]})."},
                }
            )
        method, path, label = request("sync")
        with self.client.request(
            method, path, name=label, json={"changes": changes}, catch_response=True
        ) as answer:
            if not answer.ok:
                answer.failure(f"sync answered {answer.status_code}: {answer.text[:200]}")
                return
            for result in answer.json()["results"]:
                if result["status"] not in ("applied", "duplicate", "conflict"):
                    answer.failure(f"a change was refused: {json.dumps(result)[:200]}")
                elif result["idempotency_key"] == new_key or result["id"] in known:
                    self.versions[result["id"]] = result["version"]


class Public(HttpUser):
    """Someone with no account sends a complaint from the public form's API."""

    weight = 1
    wait_time = between(10, 30)
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        _one_more_started(self.environment)

    @task
    def complain(self) -> None:
        body = {
            "what_happened": "The agency kept my passport and I paid a fee twice. I am back home now.",
            "where": "Lom Sak",
            "language": "th",
        }
        if MDT_ID:
            body["mdt_id"] = int(MDT_ID)
        method, path, label = request("complaint")
        answer = self.client.request(method, path, name=label, json=body)
        if answer.status_code == 201 and random.random() < 0.3:
            receipt = answer.json()
            method, path, label = request(
                "complaint_status", {"code": receipt["tracking_code"], "phrase": receipt["phrase"]}
            )
            self.client.request(method, path, name=label)
