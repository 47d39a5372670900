"""The de-identified export for national and international data pools.

One row per person-episode (a case's migration episode; a case without one gives one row), with
no name, contact, exact date, free text or id that leads back to the record: dates are years,
ages are bands, places are a province and a destination country. The columns and their
counterparts in the Human Trafficking Case Data Standard are in docs/deidentified-export.md.

k-anonymity: on the quasi-identifiers ``QUASI`` (sex, age band, nationality, destination, sector,
province, year) every combination present in the file is shared by at least ``k`` rows. Rows in
a smaller group are generalised step by step (``LADDER``: the age band widened, the destination
to its region, then values replaced by ``*``), only as far as they need; rows that still stand in
a group under ``k`` with every quasi-identifier hidden are left out. The file's header says how
many rows were generalised and how many left out.

The export is a right of its own (``export.deidentified``), audited with its parameters and its
row count, made by a worker (``workers.tasks.make_export``) with its progress shown, and kept
for ``KEEP_HOURS`` hours for the member who asked for it.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import cast

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, select, update

from mdt import clock, policy
from mdt.audit.services import record
from mdt.cases.models import Case, Episode, EpisodeIntermediary, Intermediary, Person
from mdt.directory.models import Mdt
from mdt.errors import Forbidden, NotFound, WorkflowError
from mdt.extensions import db
from mdt.formats import spreadsheet_cell, spreadsheet_row
from mdt.legal.models import Claimant
from mdt.referrals.models import Referral
from mdt.reports import bands
from mdt.reports.models import Export
from mdt.reports.schemas import ExportSchema
from mdt.schema import load
from mdt.timeutil import age_on

KEEP_HOURS = 24
DEFAULT_K = 5
QUASI = ("sex", "age_band", "nationality", "destination_country", "sector", "province", "year")
COLUMNS = QUASI + (
    "minor",
    "destination_region",
    "source",
    "channel",
    "intermediaries",
    "recruitment_fee_paid",
    "debt",
    "documents_withheld",
    "wages_owed",
    "services_received",
    "legal_action",
    "claim_outcome",
    "debt_relief",
    "case_stage",
)
SUPPRESSED = bands.SUPPRESSED
BATCH = 2000
MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def folder() -> Path:
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def default_k() -> int:
    return int(current_app.config.get("MDT_EXPORT_K", DEFAULT_K))


# ---------------------------------------------------------------- asking for one


def may_export(actor) -> bool:
    """May ``actor`` ask for an export at all (of their own MDT, or as a national viewer)?"""
    return policy.can(actor, "export.deidentified", actor.mdt) or policy.can(actor, "report.national")


def request_export(actor, data) -> Export:
    """Validate and record an export asked for by ``actor`` (``NotFound`` for an unknown MDT,
    ``Forbidden`` without the right); the worker makes it (``queue``)."""
    if not may_export(actor):
        raise Forbidden("A de-identified export needs its own right (the MDT's coordinators).")
    clean = load(ExportSchema, data)
    mdt = None
    if clean.get("mdt_id") is not None:
        mdt = db.session.get(Mdt, clean["mdt_id"])
        if mdt is None:
            raise NotFound("No such MDT.")
    elif not policy.can(actor, "report.national"):
        mdt = actor.mdt
    if not policy.can(actor, "export.deidentified", mdt):
        raise Forbidden("A de-identified export needs its own right (the MDT's coordinators).")
    export = Export(
        mdt_id=actor.mdt_id,
        scope_mdt_id=mdt.id if mdt is not None else None,
        requested_by_id=actor.id,
        kind=clean["kind"],
        format=clean["format"],
        period_from=clean["from_"],
        period_to=clean["to"],
        k=clean.get("k") or default_k(),
    )
    db.session.add(export)
    db.session.flush()
    record(actor, "export.requested", export, detail=_parameters(export))
    return export


def _parameters(export: Export) -> dict:
    return {
        "kind": export.kind,
        "format": export.format,
        "from": export.period_from.isoformat(),
        "to": export.period_to.isoformat(),
        "k": export.k,
        "mdt_id": export.scope_mdt_id,
    }


def queue(export_id: int) -> None:
    """Hand the export to the worker (the tests run ``make`` themselves)."""
    if current_app.config.get("MDT_ACCOUNT_MAIL_INLINE"):
        return
    current_app.extensions["celery"].send_task("workers.tasks.make_export", args=[export_id])


def get_export(actor, export_id: int) -> Export:
    """One of ``actor``'s own exports (anyone else's: ``NotFound``)."""
    export = db.session.get(Export, export_id)
    if export is None or export.requested_by_id != actor.id:
        raise NotFound("No such export.")
    return export


def mine(actor, limit: int = 20, kind: str = "deidentified") -> list[Export]:
    return list(
        db.session.scalars(
            select(Export)
            .where(Export.requested_by_id == actor.id, Export.kind == kind)
            .order_by(Export.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- making it


def progress(export_id: int, **values) -> None:
    """Shown while the task runs: written at once on its own connection."""
    table = cast(Table, Export.__table__)
    with db.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == export_id).values(**values))


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def gather(export: Export) -> list[dict]:
    """The rows, before k-anonymity: one per person-episode of the cases opened in the period."""
    mdts = [export.scope_mdt] if export.scope_mdt_id is not None else list(db.session.scalars(select(Mdt)))
    countries = {mdt.id: mdt.country for mdt in mdts}
    cases = db.session.execute(
        select(
            Case.id,
            Case.mdt_id,
            Case.opened_on,
            Case.source,
            Case.stage,
            Case.person_id,
            Person.sex,
            Person.date_of_birth,
            Person.home_province,
        )
        .join(Person, Person.id == Case.person_id)
        .where(Case.mdt_id.in_(list(countries)), Case.opened_on.between(export.period_from, export.period_to))
        .order_by(Case.id)
    ).all()
    ids = [row.id for row in cases]
    episodes: dict[int, list] = {}
    chains: dict[int, list[str]] = {}
    received: dict[int, set[str]] = {}
    claims: dict[int, list] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for episode in db.session.scalars(
            select(Episode).where(Episode.case_id.in_(chunk)).order_by(Episode.id)
        ):
            episodes.setdefault(episode.case_id, []).append(episode)
        for episode_id, kind in db.session.execute(
            select(EpisodeIntermediary.episode_id, Intermediary.kind)
            .join(Intermediary, Intermediary.id == EpisodeIntermediary.intermediary_id)
            .join(Episode, Episode.id == EpisodeIntermediary.episode_id)
            .where(Episode.case_id.in_(chunk))
            .order_by(EpisodeIntermediary.episode_id, EpisodeIntermediary.position)
        ):
            chains.setdefault(episode_id, []).append(kind)
        for case_id, service in db.session.execute(
            select(Referral.case_id, Referral.service).where(
                Referral.case_id.in_(chunk), Referral.status == "completed", Referral.outcome == "received"
            )
        ):
            received.setdefault(case_id, set()).add(service)
        for claim in db.session.scalars(select(Claimant).where(Claimant.case_id.in_(chunk))):
            claims.setdefault(claim.case_id, []).append(claim)
        progress(export.id, progress=5 + int(45 * min(len(ids), start + BATCH) / max(len(ids), 1)))
    rows = []
    for case in cases:
        age = age_on(case.date_of_birth, case.opened_on)
        claimed = claims.get(case.id, [])
        common = {
            "person": case.person_id,  # groups a person's rows; not a column of the file
            "sex": case.sex,
            "age_band": bands.band_of(age),
            "nationality": countries[case.mdt_id],
            "province": (case.home_province or "").strip() or bands.UNKNOWN,
            "year": str(case.opened_on.year),
            "source": case.source,
            "services_received": ";".join(sorted(received.get(case.id, ()))),
            "legal_action": _yes_no(bool(claimed)),
            "claim_outcome": ";".join(sorted({c.status for c in claimed})),
            "debt_relief": _yes_no(any(c.loan_cancelled or c.collateral_returned for c in claimed))
            if claimed
            else "",
            "case_stage": case.stage,
        }
        for episode in episodes.get(case.id, [None]):
            row = dict(common)
            if episode is None:
                row.update(destination_country=bands.UNKNOWN, sector=bands.UNKNOWN)
            else:
                row.update(
                    destination_country=episode.destination_country or bands.UNKNOWN,
                    sector=episode.sector or bands.UNKNOWN,
                    channel=episode.channel,
                    intermediaries=">".join(chains.get(episode.id, [])),
                    recruitment_fee_paid=_yes_no(
                        episode.recruitment_fee is not None and episode.recruitment_fee > 0
                    )
                    if episode.recruitment_fee is not None
                    else "",
                    debt=_yes_no(episode.debt_amount > 0) if episode.debt_amount is not None else "",
                    documents_withheld=_yes_no(bool(episode.documents_withheld)),
                    wages_owed=_yes_no(episode.wages_owed > 0) if episode.wages_owed is not None else "",
                )
            rows.append(row)
    return rows


# Each step generalises one quasi-identifier of the rows still in a group under k.
LADDER = (
    ("age_band", 1),  # 0-8, 9-17... -> 0-17, 18-29, 30-47, 48+
    ("destination_country", "region"),
    ("age_band", 2),  # -> 0-17, 18+
    ("province", SUPPRESSED),
    ("sector", SUPPRESSED),
    ("destination_country", SUPPRESSED),
    ("age_band", 3),  # -> *
    ("year", SUPPRESSED),
    ("nationality", SUPPRESSED),
    ("sex", SUPPRESSED),
)


def _key(row: dict) -> tuple:
    return tuple(row[q] for q in QUASI)


def _generalise(row: dict, field: str, to) -> None:
    value = row[field]
    if field == "age_band":
        row[field] = bands.widen_age(value, to)
    elif to == "region":
        row[field] = value if value in (SUPPRESSED, bands.UNKNOWN) else bands.region_of(value)
    else:
        row[field] = to


def _region_column(destination: str) -> str:
    """The region of a row's destination as the file shows it: never more than the destination
    column tells (a hidden destination hides its region)."""
    if destination in (SUPPRESSED, bands.UNKNOWN) or len(destination) != 2:
        return destination
    return bands.region_of(destination)


def _minor_column(band: str) -> str:
    """Whether the person was a minor, as far as the (perhaps widened) age band tells."""
    if band == bands.UNKNOWN:
        return ""
    if band == SUPPRESSED:
        return SUPPRESSED
    low, _sep, high = band.rstrip("+").partition("-")
    if high and int(high) < bands.MINOR_AGE:
        return "yes"
    return "no" if int(low) >= bands.MINOR_AGE else SUPPRESSED


def anonymise(rows: list[dict], k: int) -> tuple[list[dict], int, int]:
    """Make ``rows`` k-anonymous on ``QUASI``: every combination of them in the file is shared by
    at least ``k`` people (``row["person"]``; one person's five episodes to the same place are one
    person, not five). Returns (the rows kept, how many of them were generalised, how many were
    left out). A person's rows are generalised together and left out together, so
    that the rows of one person never say more than the least of them. The columns derived from a
    quasi-identifier (the region, whether a minor) are set afterwards from what is left of it."""
    by_person: dict = defaultdict(list)
    for i, row in enumerate(rows):
        by_person[row["person"]].append(i)

    def short_cases(among: list[dict]) -> set:
        people: dict[tuple, set] = defaultdict(set)
        for row in among:
            people[_key(row)].add(row["person"])
        return {row["person"] for row in among if len(people[_key(row)]) < k}

    changed: set[int] = set()
    for field, to in LADDER:
        short = short_cases(rows)
        if not short:
            break
        for person in short:
            for i in by_person[person]:
                before = rows[i][field]
                _generalise(rows[i], field, to)
                if rows[i][field] != before:
                    changed.add(i)
    # Leaving a person out may leave a group they shared short in turn: until none is.
    out: set = set()
    while short := short_cases([row for row in rows if row["person"] not in out]):
        out |= short
    kept, generalised = [], 0
    for i, row in enumerate(rows):
        if row["person"] in out:
            continue
        generalised += i in changed
        row["destination_region"] = _region_column(row["destination_country"])
        row["minor"] = _minor_column(row["age_band"])
        kept.append(row)
    return kept, generalised, len(rows) - len(kept)


def _header(export: Export, rows: int, generalised: int, left_out: int) -> list[str]:
    scope = export.scope_mdt.name if export.scope_mdt is not None else "all MDTs"
    return [
        f"MDT Case Tracker de-identified export: {scope}, cases opened {export.period_from.isoformat()}"
        f" to {export.period_to.isoformat()}",
        f"One row per person-episode; k-anonymous with k = {export.k} people on {', '.join(QUASI)}",
        f"Rows: {rows}; rows generalised: {generalised}; rows left out: {left_out}",
        f"Made {clock.now().strftime('%Y-%m-%d %H:%M')} UTC; columns: docs/deidentified-export.md",
    ]


def _csv(header: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    for line in header:
        out.write(f"# {line}\n")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({column: spreadsheet_cell(row.get(column, "")) for column in COLUMNS} for row in rows)
    return out.getvalue().encode("utf-8")


def _xlsx(header: list[str], rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    data.append(list(COLUMNS))
    for row in rows:
        data.append(spreadsheet_row(row.get(column, "") for column in COLUMNS))
    about = book.create_sheet("about")
    for line in header:
        about.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make(export_id: int) -> Export | None:
    """Make the file of ``export_id`` (the task)."""
    export = db.session.get(Export, export_id)
    if export is None or export.status not in ("queued", "running", "failed"):
        return export
    progress(export.id, status="running", progress=1)
    rows = gather(export)
    progress(export.id, progress=55)
    kept, generalised, left_out = anonymise(rows, export.k)
    progress(export.id, progress=80)
    header = _header(export, len(kept), generalised, left_out)
    body = _csv(header, kept) if export.format == "csv" else _xlsx(header, kept)
    store(export, body)
    export.rows, export.generalised, export.suppressed = len(kept), generalised, left_out
    db.session.flush()
    record(
        None,
        "export.ready",
        export,
        detail={**_parameters(export), "rows": len(kept), "generalised": generalised, "left_out": left_out},
    )
    return export


def store(made: Export, body: bytes) -> None:
    """Keep the file made (readable by the app's own user only) and mark it ready."""
    name = f"{secrets.token_hex(16)}.{made.format}"
    path = folder() / name
    path.touch(mode=0o600)
    path.write_bytes(body)
    made.status, made.progress, made.filename, made.ready_at = "ready", 100, name, clock.now()
    db.session.flush()


def _action(made: Export, what: str) -> str:
    """The audit action: ``export.*`` for a de-identified export, ``report.*`` for a report."""
    return f"{'report' if made.kind == 'quarterly' else 'export'}.{what}"


def kind_of(export_id: int) -> str | None:
    return db.session.scalar(select(Export.kind).where(Export.id == export_id))


def fail(export_id: int, error: str) -> None:
    progress(export_id, status="failed", error=error[:500])


# ---------------------------------------------------------------- taking it


def take(actor, export_id: int) -> tuple[Export, bytes]:
    """The file, for the member who asked for it, while it is kept; audited."""
    export = get_export(actor, export_id)
    if not _still_allowed(actor, export):
        raise Forbidden("The right to this file has been taken away since it was asked for.")
    kept_until = export.ready_at + timedelta(hours=KEEP_HOURS) if export.ready_at else None
    if export.status != "ready" or not export.filename or kept_until is None or clock.now() >= kept_until:
        raise WorkflowError(str(_l("This export is not ready, or was deleted after 24 hours.")))
    body = (folder() / export.filename).read_bytes()
    record(actor, _action(export, "downloaded"), export, detail={"rows": export.rows})
    return export, body


def _still_allowed(actor, export: Export) -> bool:
    """The right asked when the file was asked for, asked again when it is taken (a coordinator
    who has since lost the role gets nothing)."""
    if export.kind == "quarterly":
        return policy.can(actor, "report.view")
    return policy.can(actor, "export.deidentified", export.scope_mdt)


def expire_old() -> int:
    """Delete the files of exports older than ``KEEP_HOURS`` hours."""
    cutoff = clock.now() - timedelta(hours=KEEP_HOURS)
    gone = 0
    for export in db.session.scalars(
        select(Export).where(Export.status == "ready", Export.ready_at < cutoff)
    ):
        if export.filename:
            (folder() / export.filename).unlink(missing_ok=True)
        export.status, export.filename = "expired", None
        record(None, _action(export, "expired"), export)
        gone += 1
    db.session.flush()
    return gone


def filename(export: Export) -> str:
    period = f"{export.period_from.isoformat()}-{export.period_to.isoformat()}"
    if export.kind == "quarterly":
        return f"figures-{period}-{export.language}.pdf"
    return f"deidentified-{period}.{export.format}"
