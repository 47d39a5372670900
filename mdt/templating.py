"""Template filters and globals: dates in the MDT's zone, labels, the policy."""

from __future__ import annotations

import re
from pathlib import Path

from babel import Locale
from flask import Flask, current_app
from flask_babel import format_number, get_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from mdt import formats, labels, policy
from mdt.legal import traces
from mdt.notifications.services import unread_count
from mdt.pdf import page_numbers_css
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
    # A value not set shows as nothing, never as the word "None" (a district left blank).
    app.jinja_env.finalize = lambda value: "" if value is None else value
    app.jinja_env.filters.update(
        dt=formats.datetime,
        d=formats.date,
        country=_country_name,
        money=_money,
        format_number=format_number,
        tm=formats.time,
        amount=formats.amount,
        month=formats.month,
        count=formats.count,
        filesize=formats.filesize,
        labelled=lambda values, kind: ", ".join(labels.label(kind, v) for v in values or ()),
    )
    app.jinja_env.globals.update(
        countries=lambda: country_choices(str(get_locale() or "en")),
        label=labels.label,
        labels=labels,
        can=policy.can,
        read_only=policy.read_only,
        volunteer=policy.volunteer,
        choices=lambda objs: [(o.id, o.name) for o in objs],
        form_digest=form_digest,
        icon=icon,
        trace_line=traces.readable,
        rule_title=lambda title: gettext(title) if title else "",
        page_numbers_css=page_numbers_css,
    )

    @app.context_processor
    def inject():
        return {
            "languages": current_app.config["MDT_LANGUAGES"],
            "current_locale": str(get_locale() or "en"),
            "user": current_user,
            "unread": _unread,
        }


_ICONS: dict[str, Markup] = {}


def icon(name: str) -> Markup:
    """A Lucide icon (vendored in static/icons, ISC licence) inlined as SVG, decorative: the text
    beside it says what it means."""
    if name not in _ICONS:
        path = Path(current_app.static_folder or "static") / "icons" / f"{name}.svg"
        svg = path.read_text(encoding="utf-8")
        svg = svg[svg.index("<svg") :]
        svg = re.sub(r'\s(width|height|class|xmlns)="[^"]*"', "", svg, count=4)
        svg = svg.replace(
            "<svg", '<svg class="icon" width="1em" height="1em" aria-hidden="true" focusable="false"', 1
        )
        _ICONS[name] = Markup(re.sub(r"\s+", " ", re.sub(r">\s+<", "><", svg)).strip())
    return _ICONS[name]


def _unread() -> int:
    """The bell's count, computed only when a page shows it."""

    if not getattr(current_user, "is_authenticated", False):
        return 0
    return unread_count(current_user)
