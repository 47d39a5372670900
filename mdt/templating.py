"""Template filters and globals: dates in the MDT's zone, labels, the policy."""

from __future__ import annotations

from babel import Locale
from flask import Flask, current_app
from flask_babel import format_number, get_locale
from flask_login import current_user

from mdt import formats, labels, policy
from mdt.notifications.services import unread_count
from mdt.schema import country_choices
from mdt.web import form_digest


def _country_name(code: str | None) -> str:
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    return locale.territories.get(code, code)


def _money(amount, currency: str | None) -> str:
    if amount is None:
        return ""
    from flask_babel import format_currency

    return format_currency(amount, currency or "THB")


def register(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        dt=formats.datetime,
        d=formats.date,
        country=_country_name,
        money=_money,
        format_number=format_number,
        tm=formats.time,
        amount=formats.amount,
    )
    app.jinja_env.globals.update(
        countries=lambda: country_choices(str(get_locale() or "en")),
        label=labels.label,
        labels=labels,
        can=policy.can,
        choices=lambda objs: [(o.id, o.name) for o in objs],
        form_digest=form_digest,
    )

    @app.context_processor
    def inject():
        return {
            "languages": current_app.config["MDT_LANGUAGES"],
            "current_locale": str(get_locale() or "en"),
            "user": current_user,
            "unread": _unread,
        }


def _unread() -> int:
    """The bell's count, computed only when a page shows it."""

    if not getattr(current_user, "is_authenticated", False):
        return 0
    return unread_count(current_user)
