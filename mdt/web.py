"""Small helpers shared by the web views."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, request
from flask_login import current_user, login_required

from mdt import policy, transaction
from mdt.errors import Review, ValidationError, WorkflowError
from mdt.schema import calendar_day, record_id

MAX_PAGE = 100_000


def require(action: str):
    """Decorator: the logged-in member must be allowed ``action`` (no object)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not policy.can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def read_only_gate():
    """Before every request: a read-only account (a viewer) opens only the pages the policy lets
    it open (``page.open``); anything else answers 403."""
    if request.endpoint is None or not getattr(current_user, "is_authenticated", False):
        return None
    if not policy.can(current_user, "page.open", request.endpoint):
        abort(403)
    return None


def local_path(target) -> str | None:
    r"""``target`` if it is a path on this site (for ``next`` after signing in, the language
    switch...), else None. Browsers drop tabs and line breaks from addresses and read a backslash
    as a slash, so ``/\t/evil.example`` is ``//evil.example``, another site: any control
    character or backslash is refused, as is anything with a scheme or a host."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# ---------------------------------------------------------------- what a page's address asks for
# Query strings and hand-typed form values: a value the page cannot use is read as not given (the
# page shows its default), never a server error.


def arg_id(name: str, values=None) -> int | None:
    """A record id from the query string (or ``values``), or None."""
    return record_id((request.args if values is None else values).get(name))


def arg_ids(name: str, values) -> list[int]:
    """The record ids among the values of ``name`` (a form's checkboxes)."""
    return [i for i in (record_id(raw) for raw in values.getlist(name)) if i is not None]


def arg_page(values=None) -> int:
    """The page number asked for: 1 when missing or not a page number."""
    return min(record_id((request.args if values is None else values).get("page")) or 1, MAX_PAGE)


def arg_day(name: str, default: date, values=None) -> tuple[date, bool]:
    """The date asked for, and whether it was usable: ``(default, False)`` when given but not a
    date a calendar holds; ``(default, True)`` when missing."""
    raw = (request.args if values is None else values).get(name)
    if not raw:
        return default, True
    day = calendar_day(raw)
    return (day, True) if day is not None else (default, False)


def form_dict(form, lists: tuple[str, ...] = ()) -> dict:
    """A plain dict of a submitted form, without the CSRF token."""
    data = {k: v for k, v in form.items() if k != "csrf_token"}
    for key in lists:
        data[key] = form.getlist(key)
    return data


def form_digest(form) -> str:
    """A short digest of what a form holds (not its CSRF token): a read-back confirmed is valid
    only for the values it read back (``read_back_confirmed``)."""

    keys = sorted(k for k in form if k not in ("csrf_token", "read_back"))
    items = [[k, sorted(form.getlist(k)) if hasattr(form, "getlist") else [str(form[k])]] for k in keys]
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()[:32]


def read_back_confirmed(form) -> bool:
    """True when the member confirmed the sentence read back for exactly these values."""

    return form.get("read_back") == form_digest(form)


def act(work, *, success, done_url, page, refusal_field: str = "_"):
    """Run a service call for a POST. When it works: flash ``success`` and redirect to
    ``done_url`` (each a string, or a function of what ``work`` returned); the request commits (see
    ``mdt.transaction``). On bad input: roll back and render ``page(422, errors)`` with the
    messages at their fields and everything the user typed kept (pages take their values from
    ``request.form``). On a workflow refusal: the same with ``page(409, {refusal_field:
    [reason]})``. Nothing is half-saved. A ``Review`` (read back before saving) rolls back too and
    renders ``page(200, {"_review": [sentence]})``: the form again, with the sentence to confirm."""
    try:
        result = work()
    except ValidationError as exc:
        transaction.rollback()
        return page(422, exc.errors)
    except WorkflowError as exc:
        transaction.rollback()
        return page(409, {refusal_field: [exc.detail]})
    except Review as exc:
        transaction.rollback()
        return page(200, {"_review": [exc.detail]})
    flash(success(result) if callable(success) else success, "success")
    return redirect(done_url(result) if callable(done_url) else done_url)


def form_view(*, initial, render, work, success, done_url, refusal_field: str = "_"):
    """A page with a form. GET: ``render(initial(), {}, 200)``. POST: ``act`` on ``work``, and on
    a refusal ``render(request.form, errors, status)``."""
    if request.method != "POST":
        return render(initial(), {}, 200)
    return act(
        work,
        success=success,
        done_url=done_url,
        refusal_field=refusal_field,
        page=lambda status, errors: render(request.form, errors, status),
    )
