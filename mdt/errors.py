"""Errors raised by services, turned into pages or problem+json by one set of handlers."""

from __future__ import annotations

import errno

from flask import Flask, jsonify, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from mdt.extensions import db
from mdt.transaction import rollback


class ServiceError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or {}


class ValidationError(ServiceError):
    status = 422
    title = "Invalid fields"


class WorkflowError(ServiceError):
    """A rule of the workflow refuses (illegal stage change, missing consent)."""

    status = 409
    title = "Refused by the workflow"


class Review(ServiceError):
    """Not an error: what would be saved, read back to the member before they confirm it (the
    work is rolled back; ``detail`` is the sentence)."""

    status = 200
    title = "Read back before saving"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class NotFound(ServiceError):
    status = 404
    title = "Not found"


def get_or_404(model, ident, **match):
    """The ``model`` row with primary key ``ident`` whose attributes equal ``match`` (for example
    ``mdt_id=user.mdt_id`` or ``matter_id=matter.id``); otherwise NotFound, so a record of another
    MDT or another matter looks exactly like one that does not exist."""

    obj = db.session.get(model, ident)
    if obj is None or any(getattr(obj, key) != value for key, value in match.items()):
        raise NotFound(f"No such {model.__tablename__.replace('_', ' ')}.")
    return obj


def wants_problem_json() -> bool:
    return request.path.startswith(("/api/", "/public/"))


def problem(status: int, title: str, detail: str = "", errors: dict | None = None):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _messages(exc: HTTPException) -> dict | None:
    """The field messages of a query string flask-smorest refused (webargs, 422)."""
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if not messages:
        return None
    out: dict[str, list[str]] = {}
    for fields in messages.values():  # by location: query, json...
        for field, found in fields.items():
            out.setdefault(str(field), []).extend(
                str(m) for m in (found if isinstance(found, list) else [found])
            )
    return out


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):

        rollback()
        if wants_problem_json():
            return problem(exc.status, exc.title, exc.detail, exc.errors)
        generic = {
            403: _("You do not have access to this page."),
            404: _("Nothing was found at this address, or you do not have access to it."),
        }
        message = generic.get(exc.status) or exc.detail or exc.title
        return render_template("errors/error.html", status=exc.status, message=message), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # An error raised after the view, in an ``after_request`` hook (the request's commit,
        # ``mdt.transaction``), reaches Flask's handlers only as a 500 wrapping it: the database
        # gone at the commit is still a 503, a full disk still a 507.
        if isinstance(exc, InternalServerError):
            if isinstance(exc.original_exception, OperationalError):
                return database_unreachable(exc.original_exception)
            if isinstance(exc.original_exception, OSError):
                return disk_full(exc.original_exception)
        rollback()  # an abort after a write leaves nothing half-saved
        if wants_problem_json():
            response = problem(exc.code or 500, exc.name, exc.description or "", _messages(exc))
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value  # e.g. Allow, on 405
            return response
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have access to this page."),
            404: _("Nothing was found at this address, or you do not have access to it."),
            405: _("This action is not allowed here."),
            413: _("What you sent is too large."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        code = exc.code or 500
        message = messages.get(code, _("Something went wrong."))
        return render_template("errors/error.html", status=code, message=message), code

    @app.errorhandler(OperationalError)
    def database_unreachable(exc: OperationalError):
        """The database refused or dropped the connection (a restart, a failover): a 503 that
        says to try again, and one log line. Other operational errors stay 500s."""
        state = getattr(exc.orig, "sqlstate", "")  # psycopg: None when no server answered
        if not (exc.connection_invalidated or state is None or str(state).startswith(("08", "57P"))):
            return unexpected(exc)
        rollback()
        app.logger.error("Database out of reach on %s %s: %s", request.method, request.path, exc.orig)
        # The member's language without asking the database (mdt.i18n would load the member).
        languages = list(app.config["MDT_LANGUAGES"])
        chosen = session.get("lang")
        locale = chosen if chosen in languages else request.accept_languages.best_match(languages) or "en"
        with force_locale(locale):
            message = _(
                "The database cannot be reached for a moment. Nothing was saved. "
                "Please try again in a minute."
            )
            if wants_problem_json():
                response = problem(503, "Service unavailable", message)
            else:
                # No template: the app's context processors would ask for the member again.
                page = (
                    f'<!doctype html><html lang="{escape(locale)}"><head><meta charset="utf-8">'
                    f"<title>{escape(_('Error'))} 503</title></head><body><main>"
                    f"<h1>{escape(_('Sorry'))}</h1><p>{escape(message)}</p></main></body></html>"
                )
                response = app.make_response((page, 503))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(OSError)
    def disk_full(exc: OSError):
        """A full disk (the documents' store, the upload spool) is the operator's to fix, not a
        bug: a clear 507 and one log line instead of a 500 with a stack trace. What was being
        written is rolled back, and a stored file with it (``mdt.documents.services``)."""
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            return unexpected(exc)
        rollback()
        app.logger.error("No space left on the device on %s %s: %s", request.method, request.path, exc)
        message = _(
            "The storage for files is full. Nothing was saved. Please tell the administrator, "
            "and try again later."
        )
        if wants_problem_json():
            return problem(507, "Insufficient storage", message)
        return render_template("errors/error.html", status=507, message=message), 507

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):

        rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_problem_json():
            return problem(500, "Internal server error", "The error was logged.")
        return render_template(
            "errors/error.html",
            status=500,
            message=_("Something went wrong on our side. Nothing was saved. The error was logged."),
        ), 500
