"""Every address the load test asks for, by name: one place the locustfile builds its requests from
and that tests/test_load_script.py checks against the app's routes (this module does not import
locust, so the check runs in the normal suite without it).

``ENDPOINTS[name] = (method, rule)`` where ``rule`` is written as in Flask (``<int:case_id>``).
``request(name, query, **values)`` gives the method, the concrete path and the name it is counted
under in locust's statistics (one row per route, not one per case id)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

ENDPOINTS: dict[str, tuple[str, str]] = {
    # signing in (every web user, once at start)
    "login_form": ("GET", "/login"),
    "login": ("POST", "/login"),
    # social workers: their cases, one case, a note
    "home": ("GET", "/"),
    "case_list": ("GET", "/cases"),
    "case_search": ("GET", "/cases"),
    "case_show": ("GET", "/cases/<int:case_id>"),
    "case_note": ("POST", "/cases/<int:case_id>/notes"),
    # lawyers: their hearings and deadlines, the calendar, their matters
    "legal_agenda": ("GET", "/my-legal"),
    "calendar": ("GET", "/calendar"),
    "matter_list": ("GET", "/matters"),
    "matter_show": ("GET", "/matters/<int:matter_id>"),
    # coordinators: a case conference and its agenda built from the cases
    "meeting_list": ("GET", "/meetings"),
    "meeting_form": ("GET", "/meetings/new"),
    "meeting_new": ("POST", "/meetings/new"),
    "meeting_show": ("GET", "/meetings/<int:meeting_id>"),
    "meeting_propose": ("POST", "/meetings/<int:meeting_id>/propose"),
    "triage_queue": ("GET", "/triage"),
    # the field app (a device's API token)
    "api_cases": ("GET", "/api/v1/cases"),
    "sync": ("POST", "/api/v1/sync"),
    # anyone, without an account
    "complaint": ("POST", "/public/complaints"),
    "complaint_status": ("GET", "/public/complaints/status"),
}

_PART = re.compile(r"<(?:\w+:)?(\w+)>")


def request(name: str, query: dict | None = None, **values: object) -> tuple[str, str, str]:
    """(method, path, statistics name) of endpoint ``name`` with its ``<parts>`` filled in."""
    method, rule = ENDPOINTS[name]
    path = _PART.sub(lambda m: str(values.pop(m.group(1))), rule)
    if values:
        raise TypeError(f"{name}: unused values {sorted(values)}")
    if query:
        path += "?" + urlencode(query)
    label = f"{method} {rule}" + (" (search)" if name == "case_search" else "")
    return method, path, label
