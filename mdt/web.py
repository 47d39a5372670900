"""Small helpers shared by the web views."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from mdt import policy


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


def form_dict(form, lists: tuple[str, ...] = ()) -> dict:
    """A plain dict of a submitted form, without the CSRF token."""
    data = {k: v for k, v in form.items() if k != "csrf_token"}
    for key in lists:
        data[key] = form.getlist(key)
    return data


def act(work, *, success: str, done_url: str, page):
    """Run a service call for a POST: commit, flash and redirect when it works; on bad input
    render the page again (422) with the messages at their fields, on a workflow refusal (409)
    with the reason. Nothing is half-saved: the transaction is rolled back first."""
    from flask import flash, redirect

    from mdt.errors import ValidationError, WorkflowError
    from mdt.extensions import db

    try:
        work()
        db.session.commit()
        flash(success, "success")
        return redirect(done_url)
    except ValidationError as exc:
        db.session.rollback()
        return page(422, exc.errors)
    except WorkflowError as exc:
        db.session.rollback()
        return page(409, {"_": [exc.detail]})
