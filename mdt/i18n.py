"""Locale and time zone selection."""

from __future__ import annotations

from flask import current_app, g, has_app_context, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["MDT_LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    user = current_user if current_user else None
    if user is not None and getattr(user, "is_authenticated", False) and user.ui_language in languages:
        return user.ui_language
    return request.accept_languages.best_match(list(languages)) or "en"


def select_timezone() -> str:
    if not has_request_context():
        # A task formatting for one MDT (a person's copy of their data) names its zone in ``g``.
        return g.get("mdt_timezone", "UTC") if has_app_context() else "UTC"
    user = current_user if current_user else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user.mdt.timezone
    return "Asia/Bangkok"
