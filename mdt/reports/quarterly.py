"""The quarterly report to the governor, the ministries and donors: the dashboard's figures and
charts for a period, with a short table of contents, as a PDF in Thai or English, made in the
background (``workers.tasks.make_export``) with its progress shown and kept 24 hours for the
member who asked for it (the same record and rules as an export: ``mdt.reports.export``).

The figures are computed for the member who asked, so the small-count rule holds in the PDF as on
their screen."""

from __future__ import annotations

from flask import g, render_template
from flask_babel import force_locale, refresh
from sqlalchemy import select

from mdt import clock, formats
from mdt.audit.services import record
from mdt.directory.models import Mdt
from mdt.extensions import db
from mdt.pdf import render_pdf
from mdt.reports import charts, export
from mdt.reports import services as reports
from mdt.reports.models import Export
from mdt.reports.schemas import QuarterlySchema
from mdt.schema import load

LANGUAGES = ("th", "en")


def request_report(actor, data) -> Export:
    """Record a quarterly report asked for by ``actor`` (who may see these MDTs' figures); the
    worker makes it."""
    clean = load(QuarterlySchema, data)
    mdts = reports.scope(actor, clean.get("mdt_id"))
    made = Export(
        mdt_id=actor.mdt_id,
        scope_mdt_id=mdts[0].id if clean.get("mdt_id") is not None or len(mdts) == 1 else None,
        requested_by_id=actor.id,
        kind="quarterly",
        format="pdf",
        period_from=clean["from_"],
        period_to=clean["to"],
        language=clean["language"],
    )
    db.session.add(made)
    db.session.flush()
    record(actor, "report.requested", made, detail=_parameters(made))
    return made


def _parameters(made: Export) -> dict:
    return {
        "from": made.period_from.isoformat(),
        "to": made.period_to.isoformat(),
        "language": made.language,
        "mdt_id": made.scope_mdt_id,
    }


def make(export_id: int) -> Export | None:
    """Make the PDF of ``export_id`` (the task)."""
    made = db.session.get(Export, export_id)
    if made is None or made.status not in ("queued", "running", "failed"):
        return made
    export.progress(made.id, status="running", progress=5)
    user = made.requested_by
    mdts = (
        [made.scope_mdt]
        if made.scope_mdt_id is not None
        else list(db.session.scalars(select(Mdt).order_by(Mdt.name)))
    )
    period = reports.Period(made.period_from, made.period_to)
    data = reports.summary(user, mdts, period)
    export.progress(made.id, progress=50)
    g.mdt_timezone = user.mdt.timezone
    with force_locale(made.language or "en"):
        refresh()
        html = render_template(
            "pdf/quarterly.html",
            data=data,
            shown_period=period,
            made=clock.now(),
            bars=lambda rows: charts.bars(rows, formats.count),
            columns=lambda rows: charts.columns(rows, formats.count),
            links=False,
            filters={},
            open_cutoff=None,
            agencies=[],
        )
    export.progress(made.id, progress=70)
    body = render_pdf(html)
    export.store(made, body)
    record(None, "report.ready", made, detail={**_parameters(made), "bytes": len(body)})
    return made
