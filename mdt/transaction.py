"""One transaction boundary. Services only flush; a unit of work (a web request, an API call, a
CLI command, a Celery task) ends here, once:

- web and API requests: ``register(app)`` commits after the view has answered. A view that
  refuses input (a 422 or 409 page) rolls back first (``mdt.web.act``), so that only what
  happened after that, such as the audit row of the page that was read again, is kept. An
  unexpected error rolls back (``mdt.errors``) and nothing is kept.
- CLI commands and tasks: ``atomic`` commits when the function returns, rolls back if it raises.

``commit`` first writes the audit rows of the lists read during the unit (one row per list
action, with the ids shown, see ``mdt.audit.services.record_read``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Flask, Response, g, has_app_context

from mdt.audit.services import flush_reads
from mdt.extensions import db

P = ParamSpec("P")
T = TypeVar("T")


_AFTER = "mdt_after_commit"


def commit() -> None:
    """End the unit of work: write what it read, then commit everything it flushed, then run what
    waited for the commit (``after_commit``)."""
    flush_reads()
    db.session.commit()
    if has_app_context():
        for fn in g.pop(_AFTER, []):
            fn()


def after_commit(fn: Callable[[], object]) -> None:
    """Run ``fn`` once the unit of work has committed (a task handed to the worker must find the
    rows it names); dropped if the unit rolls back."""
    if not has_app_context():
        fn()
        return
    g.setdefault(_AFTER, []).append(fn)


def rollback() -> None:
    """Abandon what the unit of work wrote so far (reads already shown stay to be audited)."""
    db.session.rollback()
    if has_app_context():
        g.pop(_AFTER, None)


def atomic(fn: Callable[P, T]) -> Callable[P, T]:
    """Run ``fn`` as one unit of work: commit when it returns, roll back if it raises."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            rollback()
            raise
        commit()
        return result

    return run


def register(app: Flask) -> None:
    @app.after_request
    def end_of_request(response: Response) -> Response:
        commit()
        return response
