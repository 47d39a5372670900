"""The dashboard's figures: people reached and served, referrals, legal matters, conferences and
cases open too long, for a period and one MDT (or every MDT, for a national viewer).

Counts are aggregated in SQL with a fixed number of queries whatever the size of the data. Each
count comes with how many of those counted are on the reader's teams, so that the small-count rule
(``mdt.reports.small``) is applied here, once, before anything leaves: the web page, the API, the
PDF and the exports all show what this module returns.

- *Reached*: people with a case opened (an intake) in the period; *served*: people who received at
  least one service in the period (a referral completed with the service received). A person is
  counted once per figure; under a breakdown a person with two cases in two districts counts in
  each.
- A person's age band and minority are their age on the day the case was opened; destination and
  sector are those of the case's latest migration episode.
- Days (a case opened, a deadline met) are the MDT's; instants (a referral made, answered) are
  placed in the period by the MDT's own time zone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from mdt import clock, policy
from mdt.cases.models import STAGES, Case, Episode, Person, RiskProfile
from mdt.directory.models import Agency, Mdt
from mdt.errors import Forbidden, NotFound
from mdt.extensions import db
from mdt.legal.models import MATTER_STAGES, Claimant, Deadline, LegalMatter
from mdt.meetings.models import ActionItem, Meeting
from mdt.referrals.models import Referral
from mdt.reports import bands
from mdt.reports.small import HIDDEN, ZERO, Cell, is_small, protect, protect_table, shown

PEOPLE_DIMENSIONS = ("sex", "age_band", "minor", "destination", "sector", "district", "source")
REFERRAL_STATUSES = ("pending", "accepted", "received", "not_received", "declined", "withdrawn", "expired")
OPEN_DAYS = 90


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def whole_months(cls, start: date, end: date) -> Period:
        """The period from the first day of ``start``'s month to the last day of ``end``'s: the
        only periods the figures are given for, so that two periods asked for cannot differ by a
        day or a week (their difference would single out a few people)."""
        return cls(start.replace(day=1), end.replace(day=1) + relativedelta(months=1, days=-1))

    @property
    def months(self) -> int | None:
        """How many whole months the period spans, or None when it is not whole months."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The period of the same length just before: as many whole months, or as many days."""
        end = self.start - timedelta(days=1)
        if self.months:
            return Period(self.start - relativedelta(months=self.months), end)
        return Period(end - timedelta(days=self.days - 1), end)

    def as_dict(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def scope(user, mdt_id: int | None) -> list[Mdt]:
    """The MDTs whose figures ``user`` asks for: ``mdt_id``; without it, their own MDT, or every
    MDT for a national viewer. An unknown MDT: ``NotFound``; another MDT's figures: ``Forbidden``."""
    if not policy.can(user, "report.view"):
        raise Forbidden("Only coordinators and viewers see the figures.")
    if mdt_id is None:
        return all_mdts() if policy.can(user, "report.national") else [user.mdt]
    mdt = db.session.get(Mdt, mdt_id)
    if mdt is None:
        raise NotFound("No such MDT.")
    if not policy.can(user, "report.mdt", mdt):
        raise Forbidden("These are another MDT's figures.")
    return [mdt]


def _zones(mdts: list[Mdt]) -> dict[str, list[int]]:
    zones: dict[str, list[int]] = defaultdict(list)
    for mdt in mdts:
        zones[mdt.timezone].append(mdt.id)
    return zones


def all_mdts() -> list[Mdt]:
    return list(db.session.scalars(select(Mdt).order_by(Mdt.name)))


def _during(column, mdt_column, mdts: list[Mdt], period: Period):
    """SQL: ``column`` (an instant) falls within the period's days in each MDT's own zone."""
    return or_(
        *(
            and_(
                mdt_column.in_(ids),
                column >= clock.start_of(period.start, zone),
                column < clock.start_of(period.end + timedelta(days=1), zone),
            )
            for zone, ids in _zones(mdts).items()
        )
    )


def _by_end_of(column, mdt_column, mdts: list[Mdt], day: date):
    """SQL: ``column`` (an instant) is before the end of ``day`` in each MDT's own zone."""
    return or_(
        *(
            and_(mdt_column.in_(ids), column < clock.start_of(day + timedelta(days=1), zone))
            for zone, ids in _zones(mdts).items()
        )
    )


def _on_team(user, condition):
    return case((condition, 1), else_=0)


def _ids(mdts: list[Mdt]) -> list[int]:
    return [mdt.id for mdt in mdts]


# ---------------------------------------------------------------- people reached and served


def _latest_episode(column):
    return (
        select(column)
        .where(Episode.case_id == Case.id)
        .order_by(Episode.id.desc())
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )


def _people(user, mdts: list[Mdt], condition, *, months: bool = True) -> dict:
    """People whose case meets ``condition``: the total and each breakdown, protected. A person is
    counted once in each figure (and in each group of a breakdown their cases fall in). One
    statement: the cases are read
    once (a common table expression) and every breakdown is a GROUP BY over it, the results
    stacked with UNION ALL."""
    # The latest episode of each case: the one no later episode of the same case follows (an
    # anti-join over the table, cheaper than numbering each case's episodes).
    later = aliased(Episode)
    episodes = (
        select(Episode.case_id, Episode.destination_country, Episode.sector)
        .where(~select(later.id).where(later.case_id == Episode.case_id, later.id > Episode.id).exists())
        .subquery()
    )
    base = (
        select(
            Case.person_id.label("person_id"),
            Person.sex.label("sex"),
            bands.age_band_sql(Person.date_of_birth, Case.opened_on).label("age_band"),
            bands.minor_sql(Person.date_of_birth, Case.opened_on).label("minor"),
            episodes.c.destination_country.label("destination"),
            episodes.c.sector.label("sector"),
            Case.district.label("district"),
            Case.source.label("source"),
            bands.month_sql(Case.opened_on).label("month"),
            _on_team(user, policy.team_filter(user)).label("team"),
        )
        .select_from(Case)
        .join(Person, Person.id == Case.person_id)
        .outerjoin(episodes, episodes.c.case_id == Case.id)
        .where(Case.mdt_id.in_(_ids(mdts)), condition)
        .cte("people")
    )
    people = func.count(distinct(base.c.person_id))
    team = func.count(distinct(case((base.c.team == 1, base.c.person_id))))
    dimensions = PEOPLE_DIMENSIONS + (("month",) if months else ())
    parts = [select(literal("total").label("dimension"), cast(null(), String).label("key"), people, team)]
    parts += [
        select(literal(dimension), cast(base.c[dimension], String), people, team).group_by(base.c[dimension])
        for dimension in dimensions
    ]
    found: dict[str, dict] = {dimension: {} for dimension in dimensions}
    total = ZERO
    for dimension, key, count, on_team in db.session.execute(union_all(*parts)):
        if dimension == "total":
            total = Cell(count, on_team)
        else:
            found[dimension][key if key not in (None, "") else bands.UNKNOWN] = Cell(count, on_team)
    out: dict = {"total": shown(total)}
    for dimension in dimensions:
        cells = found[dimension]
        out[f"by_{dimension}"] = protect(dict(sorted(cells.items(), key=_order(dimension))), total)
    return out


def _order(dimension: str):
    if dimension in ("age_band", "month"):
        return lambda kv: (kv[0] == bands.UNKNOWN, _age_key(kv[0]) if dimension == "age_band" else kv[0])
    return lambda kv: (kv[0] == bands.UNKNOWN, -kv[1].n, str(kv[0]))


def _age_key(label: str) -> int:
    return int(label.rstrip("+").split("-")[0]) if label[0].isdigit() else 999


def _reached(period: Period):
    return Case.opened_on.between(period.start, period.end)


def _served(mdts: list[Mdt], period: Period):
    return (
        select(Referral.id)
        .where(
            Referral.case_id == Case.id,
            Referral.status == "completed",
            Referral.outcome == "received",
            _during(Referral.completed_at, Referral.mdt_id, mdts, period),
        )
        .correlate(Case)
        .exists()
    )


def _people_total(user, mdts: list[Mdt], condition) -> int | str:
    n, t = db.session.execute(
        select(
            func.count(distinct(Case.person_id)),
            func.count(distinct(case((policy.team_filter(user), Case.person_id)))),
        ).where(Case.mdt_id.in_(_ids(mdts)), condition)
    ).one()
    return shown(Cell(n, t))


# ---------------------------------------------------------------- referrals


def _status(status: str, outcome: str | None) -> str:
    if status == "completed":
        return "received" if outcome == "received" else "not_received"
    return status


def _medians(user, mdts: list[Mdt], period: Period) -> dict[tuple, tuple[float, int]]:
    """Median days to an answer (overall, by service, by receiving agency) and to the service
    received, computed in SQL (the middle rows of each group, numbered): ``{(group, key):
    (median, how many)}``."""
    answer = bands.days_between(Referral.answered_at, Referral.created_at)
    complete = bands.days_between(Referral.completed_at, Referral.created_at)
    groups = (
        ("answer", literal("all"), answer, true()),
        ("by_service", Referral.service, answer, true()),
        ("by_agency", Agency.name, answer, true()),
        (
            "complete",
            literal("all"),
            complete,
            and_(Referral.status == "completed", Referral.outcome == "received"),
        ),
    )
    parts = []
    for name, key, days, extra in groups:
        ranked = (
            select(
                cast(key, String).label("key"),
                days.label("days"),
                func.row_number().over(partition_by=key, order_by=days).label("rn"),
                func.count().over(partition_by=key).label("cnt"),
            )
            .select_from(Referral)
            .join(Agency, Agency.id == Referral.to_agency_id)
            .where(_during(Referral.created_at, Referral.mdt_id, mdts, period), days.isnot(None), extra)
            .subquery()
        )
        parts.append(
            select(literal(name), ranked.c.key, func.avg(ranked.c.days), func.max(ranked.c.cnt))
            .where(ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2]))
            .group_by(ranked.c.key)
        )
    return {(name, key): (value, n) for name, key, value, n in db.session.execute(union_all(*parts))}


def _median(found: tuple[float, int] | None, of: Cell) -> float | str | None:
    """A median as it may be shown: hidden when the referrals it is taken from (``found[1]`` of
    them, part of ``of``: six made, one answered is one person's wait) are a small count."""
    if found is None:
        return None
    if is_small(_all_team(Cell(found[1]), of)):
        return HIDDEN
    return round(float(found[0]), 1)


def _referrals(user, mdts: list[Mdt], period: Period) -> dict:
    team = _on_team(user, policy.team_filter(user))
    answered = case((Referral.answered_at.is_(None), 0), else_=1)
    counted = db.session.execute(
        select(
            Referral.service,
            Agency.name,
            Referral.status,
            Referral.outcome,
            answered,
            func.count(),
            func.sum(team),
        )
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .join(Agency, Agency.id == Referral.to_agency_id)
        .where(_during(Referral.created_at, Referral.mdt_id, mdts, period))
        .group_by(Referral.service, Agency.name, Referral.status, Referral.outcome, answered)
    ).all()
    made = accepted = ZERO
    statuses = {status: ZERO for status in REFERRAL_STATUSES}
    tables: dict[str, dict] = {"by_service": {}, "by_agency": {}}
    for service, agency, status, outcome, was_answered, n, on_team in counted:
        cell = Cell(n, on_team or 0)
        state = _status(status, outcome)
        made += cell
        statuses[state] += cell
        if was_answered and status != "declined":
            accepted += cell
        for table, key in (("by_service", service), ("by_agency", agency)):
            row = tables[table].setdefault(key, {"made": ZERO, "received": ZERO, "declined": ZERO})
            row["made"] += cell
            if state in ("received", "declined"):
                row[state] += cell
    medians = _medians(user, mdts, period)
    out: dict = {
        "made": shown(made),
        "accepted": shown(accepted),
        "by_status": protect(statuses, made),
        "median_days_to_answer": _median(medians.get(("answer", "all")), made),
        "median_days_to_complete": _median(medians.get(("complete", "all")), made),
    }
    for table, rows_of in tables.items():
        ordered = dict(sorted(rows_of.items(), key=lambda kv: (-kv[1]["made"].n, str(kv[0]))))
        columns = {
            column: protect({key: row[column] for key, row in ordered.items()}, total)
            for column, total in (
                ("made", made),
                ("received", statuses["received"]),
                ("declined", statuses["declined"]),
            )
        }
        out[table] = {
            key: {
                **{column: columns[column][key] for column in columns},
                "median_days_to_answer": _median(medians.get((table, str(key))), row["made"]),
            }
            for key, row in ordered.items()
        }
    return out


def _all_team(cell: Cell, of: Cell) -> Cell:
    """A sub-count whose members are all on the reader's teams when the whole is."""
    return Cell(cell.n, cell.n if of.team == of.n else 0)


# ---------------------------------------------------------------- legal matters


def _legal(user, mdts: list[Mdt], period: Period) -> dict:
    matter_team = _on_team(user, policy.matter_filter(user))
    ids = _ids(mdts)
    existing = _by_end_of(LegalMatter.created_at, LegalMatter.mdt_id, mdts, period.end)
    by_kind: dict[str, Cell] = defaultdict(lambda: ZERO)
    by_stage: dict[str, Cell] = defaultdict(lambda: ZERO)
    matters = ZERO
    # Counted in SQL (a row per kind, stage and whether on the reader's teams), not read one by one.
    for kind, stage, n, on_team in db.session.execute(
        select(LegalMatter.kind, LegalMatter.stage, func.count(), func.sum(matter_team))
        .where(existing)
        .group_by(LegalMatter.kind, LegalMatter.stage)
    ):
        cell = Cell(n, on_team or 0)
        matters += cell
        by_kind[kind] += cell
        by_stage[stage] += cell
    # The claimants whose case is on the reader's teams, as a set the claimants are looked up in:
    # no join to every case (a national viewer's is empty).
    claimant_team = _on_team(user, Claimant.case_id.in_(select(Case.id).where(policy.team_filter(user))))
    claimants = ZERO
    by_status: dict = defaultdict(lambda: ZERO)
    relief = ZERO
    money: dict[str, dict] = {}
    relieved = case((or_(Claimant.loan_cancelled, Claimant.collateral_returned), 1), else_=0)
    amounts_of = (Claimant.amount_claimed, Claimant.amount_awarded, Claimant.amount_received)
    for status, currency, was_relieved, n, on_team, *totals in db.session.execute(
        select(
            Claimant.status,
            Claimant.currency,
            relieved,
            func.count(),
            func.sum(claimant_team),
            *(func.sum(amount) for amount in amounts_of),
        )
        .join(LegalMatter, LegalMatter.id == Claimant.matter_id)
        .where(existing)
        .group_by(Claimant.status, Claimant.currency, relieved)
    ):
        cell = Cell(n, on_team or 0)
        claimants += cell
        by_status[status] += cell
        if was_relieved:
            relief += cell
        sums = money.setdefault(
            currency, {"people": ZERO, "claimed": Decimal(0), "awarded": Decimal(0), "received": Decimal(0)}
        )
        sums["people"] += cell
        for key, amount in zip(("claimed", "awarded", "received"), totals, strict=True):
            sums[key] += amount or 0
    amounts = {
        currency: (
            {key: str(sums[key]) for key in ("claimed", "awarded", "received")}
            if shown(sums["people"]) == sums["people"].n
            else {key: "<5" for key in ("claimed", "awarded", "received")}
        )
        for currency, sums in sorted(money.items())
    }
    deadlines = {"met": ZERO, "missed": ZERO, "open": ZERO}
    zones = {mdt.id: mdt for mdt in mdts}
    for due_on, status, done_at, mdt_id, on_team in db.session.execute(
        select(Deadline.due_on, Deadline.status, Deadline.done_at, LegalMatter.mdt_id, matter_team)
        .join(LegalMatter, LegalMatter.id == Deadline.matter_id)
        .where(LegalMatter.mdt_id.in_(ids), Deadline.due_on.between(period.start, period.end))
    ):
        if status == "done" and done_at is not None:
            state = "met" if clock.local_date(done_at, zones[mdt_id]) <= due_on else "missed"
        else:
            state = "missed" if status == "missed" else "open"
        deadlines[state] += Cell(1, on_team)
    due = sum(deadlines.values(), ZERO)
    return {
        "matters": shown(matters),
        "by_kind": protect(dict(by_kind), matters),
        "by_stage": protect({s: by_stage[s] for s in _stage_order(by_stage)}, matters),
        "claimants": shown(claimants),
        "claimants_by_status": protect(dict(by_status), claimants),
        "debt_relief": shown(relief),
        "amounts": amounts,
        "deadlines_due": shown(due),
        "deadlines": protect(deadlines, due),
    }


def _stage_order(found) -> list[str]:
    return [s for s in MATTER_STAGES if s in found]


# ---------------------------------------------------------------- conferences and action items


def _meetings(mdts: list[Mdt], period: Period) -> dict:
    """The team's own work: conferences and action items count no person, so no count is
    hidden."""
    ids = _ids(mdts)
    held = db.session.scalar(
        select(func.count()).where(
            Meeting.kind == "case_conference",
            Meeting.status == "published",
            Meeting.starts_at <= clock.now(),
            _during(Meeting.starts_at, Meeting.mdt_id, mdts, period),
        )
    )
    zones = {mdt.id: mdt for mdt in mdts}
    actions = {"on_time": 0, "late": 0, "open": 0}
    for due_on, done_at, mdt_id in db.session.execute(
        select(ActionItem.due_on, ActionItem.done_at, ActionItem.mdt_id).where(
            ActionItem.mdt_id.in_(ids), ActionItem.due_on.between(period.start, period.end)
        )
    ):
        if done_at is None:
            actions["open"] += 1
        elif clock.local_date(done_at, zones[mdt_id]) <= due_on:
            actions["on_time"] += 1
        else:
            actions["late"] += 1
    return {"conferences_held": held or 0, "actions_due": sum(actions.values()), "actions": actions}


# ---------------------------------------------------------------- cases open too long


def _open_too_long(user, mdts: list[Mdt], days: int) -> dict:
    # One condition per day the MDTs are on (a handful of zones), not one per MDT.
    cutoffs: dict[date, list[int]] = defaultdict(list)
    for mdt in mdts:
        cutoffs[clock.today(mdt) - timedelta(days=days)].append(mdt.id)
    conditions = [and_(Case.mdt_id.in_(ids), Case.opened_on <= cutoff) for cutoff, ids in cutoffs.items()]
    cells = {
        stage: Cell(n, t)
        for stage, n, t in db.session.execute(
            select(Case.stage, func.count(), func.sum(_on_team(user, policy.team_filter(user))))
            .where(Case.stage != "closed", or_(*conditions) if conditions else false())
            .group_by(Case.stage)
        )
    }
    total = sum(cells.values(), ZERO)
    return {
        "days": days,
        "total": shown(total),
        "by_stage": protect({s: cells[s] for s in STAGES if s in cells}, total),
    }


# ---------------------------------------------------------------- vulnerability (risk profiles)

RISK_LEVELS = ("low", "medium", "high")
RISK_DIMENSIONS = ("sex", "age_band", "district")


def _risk(user, mdts: list[Mdt], period: Period) -> dict:
    """Risk profiles assessed in the period: by level, and by level within sex, age band (on the
    day assessed) and district; one statement, the small-count rule both ways."""
    base = (
        select(
            RiskProfile.level.label("level"),
            Person.sex.label("sex"),
            bands.age_band_sql(Person.date_of_birth, RiskProfile.assessed_on).label("age_band"),
            Case.district.label("district"),
            _on_team(user, policy.team_filter(user)).label("team"),
        )
        .select_from(RiskProfile)
        .join(Case, Case.id == RiskProfile.case_id)
        .join(Person, Person.id == Case.person_id)
        .where(Case.mdt_id.in_(_ids(mdts)), RiskProfile.assessed_on.between(period.start, period.end))
        .cte("risk")
    )
    count, team = func.count(), func.coalesce(func.sum(base.c.team), 0)
    parts = [
        select(literal(dimension), cast(base.c[dimension], String), base.c.level, count, team).group_by(
            base.c[dimension], base.c.level
        )
        for dimension in RISK_DIMENSIONS
    ]
    found: dict[str, dict] = {dimension: {} for dimension in RISK_DIMENSIONS}
    for dimension, key, level, n, on_team in db.session.execute(union_all(*parts)):
        row = found[dimension].setdefault(key if key not in (None, "") else bands.UNKNOWN, {})
        row[level] = Cell(n, on_team)
    by_level = {level: ZERO for level in RISK_LEVELS}
    for row in found["sex"].values():
        for level, cell in row.items():
            by_level[level] += cell
    total = sum(by_level.values(), ZERO)
    out: dict = {"total": shown(total), "by_level": protect(by_level, total)}
    for dimension in RISK_DIMENSIONS:
        rows = dict(sorted(found[dimension].items(), key=lambda kv: (kv[0] == bands.UNKNOWN, str(kv[0]))))
        out[f"by_{dimension}"] = protect_table(rows, RISK_LEVELS)
    return out


# ---------------------------------------------------------------- the whole summary


def quarter_so_far(today: date) -> Period:
    return Period(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)


def headline(user) -> dict:
    """This quarter's people reached and served, for the home page (three queries)."""
    mdts = scope(user, None)
    period = quarter_so_far(clock.today(user.mdt))
    return {
        "period": period,
        "reached": _people_total(user, mdts, _reached(period)),
        "served": _people_total(user, mdts, _served(mdts, period)),
    }


def summary(user, mdts: list[Mdt], period: Period, *, open_days: int = OPEN_DAYS) -> dict:
    """Every figure of the dashboard for ``mdts`` over ``period``, protected by the small-count
    rule for ``user``; with the previous period's headline figures beside them."""
    previous = period.previous()
    reached = _people(user, mdts, _reached(period))
    reached["previous"] = _people_total(user, mdts, _reached(previous))
    served = _people(user, mdts, _served(mdts, period), months=False)
    served["previous"] = _people_total(user, mdts, _served(mdts, previous))
    referrals = _referrals(user, mdts, period)
    referrals["previous_made"] = shown(
        Cell(
            *db.session.execute(
                select(func.count(), func.coalesce(func.sum(_on_team(user, policy.team_filter(user))), 0))
                .select_from(Referral)
                .join(Case, Case.id == Referral.case_id)
                .where(_during(Referral.created_at, Referral.mdt_id, mdts, previous))
            ).one()
        )
    )
    return {
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "mdts": [{"id": mdt.id, "name": mdt.name} for mdt in mdts],
        "reached": reached,
        "served": served,
        "referrals": referrals,
        "legal": _legal(user, mdts, period),
        "meetings": _meetings(mdts, period),
        "open_too_long": _open_too_long(user, mdts, open_days),
        "risk": _risk(user, mdts, period),
    }
