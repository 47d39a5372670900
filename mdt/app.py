"""The application factory: a list of ``register_*`` steps (extensions, the transaction boundary,
cross-domain reactions, blueprints, error handlers, template helpers, security headers, commands,
logging)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import mdt.reminders.sources  # noqa: F401  (the reminder sources subscribe to their signals)
from mdt import cli, errors, models, templating, transaction  # noqa: F401  (models: every table)
from mdt.api import api_bp
from mdt.auth.services import load_member
from mdt.auth.views import bp as auth_bp
from mdt.calendar.views import bp as calendar_bp
from mdt.cases.views import bp as cases_bp
from mdt.config import load_config
from mdt.directory.views import bp as directory_bp
from mdt.extensions import babel, csrf, db, limiter, login_manager, migrate
from mdt.i18n import select_locale, select_timezone
from mdt.legal.views import bp as legal_bp
from mdt.meetings.views import bp as meetings_bp
from mdt.referrals.views import bp as referrals_bp
from mdt.reminders.views import bp as reminders_bp
from workers.celery_app import celery_init_app

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        "mdt",
        instance_path=os.environ.get("MDT_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(load_config(app.instance_path, test_config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    transaction.register(app)
    register_blueprints(app)
    errors.register_error_handlers(app)
    templating.register(app)
    register_security_headers(app)
    cli.register(app)
    register_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(ROOT / "mdt" / "translations"),
    )
    limiter.init_app(app)
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


def register_blueprints(app: Flask) -> None:
    for bp in (
        auth_bp,
        cases_bp,
        directory_bp,
        referrals_bp,
        reminders_bp,
        legal_bp,
        meetings_bp,
        calendar_bp,
        api_bp,
    ):
        app.register_blueprint(bp)


def register_security_headers(app: Flask) -> None:
    production = app.config["MDT_ENV"] == "production"

    @app.after_request
    def headers(response):
        h = response.headers
        h.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            "script-src 'self'; object-src 'none'; base-uri 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and getattr(current_user, "is_authenticated", False):
            # Pages about people are never kept in shared caches or the back-forward cache.
            h.setdefault("Cache-Control", "no-store")
        return response


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
