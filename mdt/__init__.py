"""MDT Case Tracker: the application factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, request
from flask_login import current_user

from mdt.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("MDT_INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_mapping(load_config(app.instance_path, test_config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_transaction(app)
    register_reactions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    register_logging(app)
    return app


def register_extensions(app: Flask) -> None:
    from mdt import models  # noqa: F401  (every model registered before mappers configure)
    from mdt.extensions import babel, csrf, db, limiter, login_manager, migrate
    from mdt.i18n import select_locale, select_timezone
    from workers.celery_app import celery_init_app

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
    celery_init_app(app)

    from mdt.auth.services import load_member

    login_manager.user_loader(load_member)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for
        from flask_babel import gettext as _

        flash(_("Please log in to see this page."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def register_transaction(app: Flask) -> None:
    from mdt.transaction import register

    register(app)


def register_reactions(app: Flask) -> None:
    """Cross-domain reactions subscribe to the signals their sources declare (``mdt.signals``):
    the reminder sources follow meetings, hearings, deadlines, action items, referrals, consents
    and the person's contact details, in the same transaction."""
    import mdt.reminders.sources  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from mdt.api import api_bp
    from mdt.auth.views import bp as auth_bp
    from mdt.calendar.views import bp as calendar_bp
    from mdt.cases.views import bp as cases_bp
    from mdt.directory.views import bp as directory_bp
    from mdt.legal.views import bp as legal_bp
    from mdt.meetings.views import bp as meetings_bp
    from mdt.referrals.views import bp as referrals_bp
    from mdt.reminders.views import bp as reminders_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(legal_bp)
    app.register_blueprint(meetings_bp)
    app.register_blueprint(calendar_bp)
    app.register_blueprint(api_bp)


def register_error_handlers(app: Flask) -> None:
    from mdt.errors import register_error_handlers as register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from mdt.templating import register

    register(app)


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


def register_commands(app: Flask) -> None:
    from mdt.cli import register

    register(app)


def register_logging(app: Flask) -> None:
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
