"""The application factory: a list of ``register_*`` steps (extensions, the transaction boundary,
cross-domain reactions, blueprints, error handlers, template helpers, security headers, commands,
logging)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_smorest import Api
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import mdt.reminders.sources  # noqa: F401  (the reminder sources subscribe to their signals)
from mdt import assets, cli, errors, models, templating, transaction  # noqa: F401  (models: every table)
from mdt.api import api_bp
from mdt.api.base import ProblemSchema
from mdt.api.public import public_bp
from mdt.auth import sessions
from mdt.auth.services import load_member
from mdt.auth.views import bp as auth_bp
from mdt.calendar.views import bp as calendar_bp
from mdt.cases.models import TRIGRAM_INDEXES
from mdt.cases.views import bp as cases_bp
from mdt.config import load_config
from mdt.directory.views import bp as directory_bp
from mdt.documents.spool import SealingRequest
from mdt.documents.views import bp as documents_bp
from mdt.extensions import babel, compress, csrf, db, login_manager, migrate
from mdt.field.views import bp as field_bp
from mdt.i18n import select_locale, select_timezone
from mdt.legal.views import bp as legal_bp
from mdt.meetings.views import bp as meetings_bp
from mdt.privacy.views import bp as privacy_bp
from mdt.referrals.views import bp as referrals_bp
from mdt.reminders.views import bp as reminders_bp
from mdt.reports.views import bp as reports_bp
from mdt.schema import MAX_ID
from mdt.sms.views import bp as sms_bp
from mdt.sync.views import bp as sync_bp
from mdt.triage.report_views import bp as report_bp
from mdt.triage.views import bp as triage_bp
from mdt.visits.views import bp as visits_bp
from mdt.web import read_only_gate
from workers.celery_app import celery_init_app

ROOT = Path(__file__).resolve().parent.parent


def migrations_own(obj, name, type_, reflected, compare_to) -> bool:
    """What Alembic compares with the models: all but the indexes only the migrations declare."""
    return not (type_ == "index" and name in TRIGRAM_INDEXES)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        "mdt",
        instance_path=os.environ.get("MDT_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
    )
    app.request_class = SealingRequest  # uploads are sealed as they arrive (mdt.documents.spool)
    app.url_map.converters["int"] = IdConverter
    app.config.from_mapping(load_config(app.instance_path, test_config))
    proxies = int(app.config["MDT_TRUSTED_PROXIES"])
    if proxies:  # the client's address and scheme as the configured proxies saw them, no further
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    transaction.register(app)
    register_blueprints(app)
    app.before_request(read_only_gate)
    errors.register_error_handlers(app)
    templating.register(app)
    register_security_headers(app)
    assets.register(app)
    compress.init_app(app)
    cli.register(app)
    register_logging(app)
    return app


# PostgreSQL's just-in-time compiler spends about a second compiling the dashboard's aggregates
# (estimated costly because of their per-case subqueries) to save a few milliseconds running them;
# an application of short queries is better off without it.
POSTGRES_OPTIONS = "-c jit=off"


def register_extensions(app: Flask) -> None:
    if str(app.config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options["connect_args"] = {**options.get("connect_args", {}), "options": POSTGRES_OPTIONS}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, include_object=migrations_own
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(ROOT / "mdt" / "translations"),
    )
    sessions.register(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # "basic": a phone whose address changes on a mobile network is not logged out every time.
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_member)
    login_manager.unauthorized_handler(_unauthorized)
    celery_init_app(app)


def _unauthorized():
    flash(_("Please log in to see this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


class IdConverter(IntegerConverter):
    """Ids in addresses run from 1 to 2**31 - 1 (32-bit on every backend). A number outside that
    becomes 0, an id nothing has: a 404 like any id that does not exist (refusing it in the
    converter instead makes Werkzeug answer 405 on addresses shared by several methods)."""

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_ID else 0


class OpenApi(Api):
    """flask-smorest writes the OpenAPI document from the schemas; errors stay problem+json,
    answered by ``mdt.errors`` (not by flask-smorest's own handlers)."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self):
        pass


def register_blueprints(app: Flask) -> None:
    for bp in (
        auth_bp,
        cases_bp,
        directory_bp,
        referrals_bp,
        reminders_bp,
        legal_bp,
        meetings_bp,
        privacy_bp,
        calendar_bp,
        reports_bp,
        documents_bp,
        visits_bp,
        sync_bp,
        triage_bp,
        report_bp,
        sms_bp,
        field_bp,
    ):
        app.register_blueprint(bp)
    app.config.update(
        API_TITLE="MDT Case Tracker API",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = OpenApi(app, spec_kwargs={"security": [{"bearer": []}]})
    api.register_converter(IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.response(
        "Problem",
        {
            "description": "A problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": ProblemSchema}},
        },
    )
    api.register_blueprint(api_bp)
    api.register_blueprint(public_bp)


def register_security_headers(app: Flask) -> None:
    production = app.config["MDT_ENV"] == "production"

    @app.context_processor
    def nonce():
        return {"csp_nonce": csp_nonce}

    @app.after_request
    def headers(response):
        h = response.headers
        # Scripts and styles from this site, or carrying this response's nonce; nothing inline
        # otherwise (no 'unsafe-inline'; htmx is configured to add no inline style).
        n = csp_nonce()
        h.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:; style-src 'self' 'nonce-{n}'; "
            f"script-src 'self' 'nonce-{n}'; object-src 'none'; base-uri 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if not request.path.startswith("/static/") and request.path != "/favicon.ico":
            # Pages about people, and the pages that show a secret to someone not signed in yet (an
            # authenticator key, a reset form), are never kept in shared caches or the
            # back-forward cache.
            h.setdefault("Cache-Control", "no-store")
        return response


def csp_nonce() -> str:
    """This response's nonce for the Content-Security-Policy (new for every request)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
