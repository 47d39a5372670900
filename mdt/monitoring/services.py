"""The monitoring record of the registry of intermediaries (recruitment agencies, sub-agents,
brokers and employers): what the ministry's notices say of their licence, their other names and
addresses, the people behind them, dated evidence scored against the criteria of
``criteria.json``, the figures that say whom to pursue, merging two entries that are the same
agency (every link kept, and an undo), and the list of agencies to warn villages about.

Counts of cases naming an intermediary follow the small-count rule (``mdt.reports.small``): the
registry is shared by the whole MDT, the cases are not.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, distinct, func, select, update

from mdt import clock, policy
from mdt.audit.services import changes, record
from mdt.cases.models import WARNED_STATUSES, Case, Episode, EpisodeIntermediary, Intermediary
from mdt.errors import Forbidden, NotFound, WorkflowError
from mdt.extensions import db
from mdt.legal.models import Claimant, LegalMatter, MatterRespondent
from mdt.monitoring.models import IntermediaryMerge, IntermediaryRelation, MonitoringEvidence
from mdt.monitoring.schemas import EvidenceSchema, RecordSchema, RelationSchema
from mdt.reports.small import SMALL, ZERO, Cell, hides, is_small, protect, shown
from mdt.schema import load, refuse
from mdt.triage.models import TriageItem

SORTS = ("name", "cases", "matters", "complaints", "claimed", "recovered")


@cache
def criteria() -> dict:
    """The criteria and benchmarks the MDT monitors agencies against (``criteria.json``)."""
    return json.loads(Path(__file__).with_name("criteria.json").read_text(encoding="utf-8"))


def criterion_codes() -> list[str]:
    return [c["code"] for c in criteria()["criteria"]]


def get(user, intermediary_id: int) -> Intermediary:
    item = db.session.get(Intermediary, intermediary_id)
    if item is None or item.mdt_id != user.mdt_id:
        raise NotFound("No such intermediary.")
    return item


def _editable(actor, item) -> None:
    if not policy.can(actor, "intermediary.edit", item):
        raise Forbidden("Only coordinators and labour and employment officers keep the monitoring record.")
    if item.merged_into_id is not None:
        raise WorkflowError(str(_l("This entry was merged into another: change that one.")))


# ---------------------------------------------------------------- the record


def update_record(actor, item: Intermediary, data) -> dict:
    """The licence (number, status, since when, which notice said so), other names, addresses."""
    _editable(actor, item)
    clean = load(RecordSchema, data, today=clock.today(actor.mdt))
    if "aliases" in clean:
        clean["aliases"] = clean["aliases"] or None
    changed = changes(item, clean)
    if changed:
        record(actor, "intermediary.updated", item, detail=changed)
    return changed


def add_relation(actor, item: Intermediary, data) -> IntermediaryRelation:
    """Someone behind ``item``, themself in the registry (an owner, a director, an agent...)."""
    _editable(actor, item)
    clean = load(RelationSchema, data)
    related = db.session.get(Intermediary, clean["related_id"])
    if related is None or related.mdt_id != item.mdt_id or related.merged_into_id is not None:
        refuse("related_id", _l("Choose from the list."))
    if related.id == item.id:
        refuse("related_id", _l("An entry cannot stand behind itself."))
    found = db.session.scalar(
        select(IntermediaryRelation).where(
            IntermediaryRelation.intermediary_id == item.id,
            IntermediaryRelation.related_id == related.id,
            IntermediaryRelation.role == clean["role"],
        )
    )
    if found is not None:
        return found
    relation = IntermediaryRelation(
        intermediary_id=item.id, related_id=related.id, role=clean["role"], created_by_id=actor.id
    )
    db.session.add(relation)
    db.session.flush()
    record(
        actor, "intermediary.relation_added", item, detail={"related_id": related.id, "role": clean["role"]}
    )
    return relation


def remove_relation(actor, item: Intermediary, relation_id: int) -> None:
    _editable(actor, item)
    relation = db.session.get(IntermediaryRelation, relation_id)
    if relation is None or relation.intermediary_id != item.id:
        raise NotFound("No such link.")
    record(
        actor,
        "intermediary.relation_removed",
        item,
        detail={"related_id": relation.related_id, "role": relation.role},
    )
    db.session.delete(relation)
    db.session.flush()


def relations(item: Intermediary) -> tuple[list[IntermediaryRelation], list[IntermediaryRelation]]:
    """(who stands behind ``item``, what ``item`` stands behind)."""
    behind = db.session.scalars(
        select(IntermediaryRelation)
        .where(IntermediaryRelation.intermediary_id == item.id)
        .order_by(IntermediaryRelation.id)
    ).all()
    fronts = db.session.scalars(
        select(IntermediaryRelation)
        .where(IntermediaryRelation.related_id == item.id)
        .order_by(IntermediaryRelation.id)
    ).all()
    return list(behind), list(fronts)


# ---------------------------------------------------------------- evidence and scores


def add_evidence(actor, item: Intermediary, data) -> MonitoringEvidence:
    _editable(actor, item)
    clean = load(EvidenceSchema, data, today=clock.today(actor.mdt))
    if clean.get("criterion") and clean["criterion"] not in criterion_codes():
        refuse("criterion", _l("Choose from the list."))
    if clean.get("score") is not None and not clean.get("criterion"):
        refuse("criterion", _l("Say which criterion the score is for."))
    evidence = MonitoringEvidence(
        mdt_id=item.mdt_id, intermediary_id=item.id, recorded_by_id=actor.id, **clean
    )
    db.session.add(evidence)
    db.session.flush()
    record(
        actor,
        "intermediary.evidence_added",
        item,
        detail={"kind": evidence.kind, "criterion": evidence.criterion, "score": evidence.score},
    )
    return evidence


def evidence_of(item: Intermediary) -> list[MonitoringEvidence]:
    return list(
        db.session.scalars(
            select(MonitoringEvidence)
            .where(MonitoringEvidence.intermediary_id == item.id)
            .order_by(MonitoringEvidence.observed_on.desc(), MonitoringEvidence.id.desc())
        )
    )


def scores(evidence: list[MonitoringEvidence]) -> dict[str, dict]:
    """Per criterion: the score of the latest dated evidence that gives one, and the history
    (oldest first)."""
    out: dict[str, dict] = {}
    for entry in sorted(evidence, key=lambda e: (e.observed_on, e.id)):
        if entry.criterion and entry.score is not None:
            slot = out.setdefault(entry.criterion, {"current": None, "history": []})
            slot["history"].append((entry.observed_on, entry.score))
            slot["current"] = entry.score
    return out


# ---------------------------------------------------------------- figures: whom to pursue


def figures(user, ids: list[int] | None = None) -> dict[int, dict]:
    """Per intermediary of the user's MDT (or of ``ids``): cases naming it and legal matters
    against it (counts under the small-count rule), complaints on its record, the claimants'
    outcomes (a protected breakdown) and amounts claimed and recovered per currency (left out,
    ``money_hidden``, when the claimants are a small count: a sum over one or two people is theirs).
    ``cases_n`` and ``matters_n`` are the sort keys: the true count when shown, ``None`` when
    hidden. Five statements whatever the number."""
    mdt_id = user.mdt_id
    scope = [Intermediary.mdt_id == mdt_id] + ([Intermediary.id.in_(ids)] if ids is not None else [])
    out: dict[int, dict] = defaultdict(
        lambda: {
            "cases": 0,
            "cases_n": 0,
            "matters": 0,
            "matters_n": 0,
            "complaints": 0,
            "claimed": {},
            "recovered": {},
            "money_hidden": False,
            "outcomes": {},
        }
    )
    on_team = case((policy.team_filter(user), Case.id))
    for item_id, n, team in db.session.execute(
        select(
            EpisodeIntermediary.intermediary_id, func.count(distinct(Case.id)), func.count(distinct(on_team))
        )
        .join(Episode, Episode.id == EpisodeIntermediary.episode_id)
        .join(Case, Case.id == Episode.case_id)
        .join(Intermediary, Intermediary.id == EpisodeIntermediary.intermediary_id)
        .where(*scope)
        .group_by(EpisodeIntermediary.intermediary_id)
    ):
        out[item_id]["cases"] = shown(Cell(n, team))
        out[item_id]["cases_n"] = _sort_key(out[item_id]["cases"])
    seen = case((policy.matter_filter(user), LegalMatter.id))
    for item_id, n, team in db.session.execute(
        select(
            MatterRespondent.intermediary_id, func.count(distinct(LegalMatter.id)), func.count(distinct(seen))
        )
        .join(LegalMatter, LegalMatter.id == MatterRespondent.matter_id)
        .join(Intermediary, Intermediary.id == MatterRespondent.intermediary_id)
        .where(*scope)
        .group_by(MatterRespondent.intermediary_id)
    ):
        out[item_id]["matters"] = shown(Cell(n, team))
        out[item_id]["matters_n"] = _sort_key(out[item_id]["matters"])
    for item_id, n in db.session.execute(
        select(MonitoringEvidence.intermediary_id, func.count())
        .join(Intermediary, Intermediary.id == MonitoringEvidence.intermediary_id)
        .where(*scope, MonitoringEvidence.kind == "complaint")
        .group_by(MonitoringEvidence.intermediary_id)
    ):
        out[item_id]["complaints"] = n
    # Complaints from the public form naming the agency, once a coordinator took them up
    # (accepted or merged into a case): an anonymous form alone cannot raise the count.
    for public_id, n in db.session.execute(
        select(TriageItem.intermediary_id, func.count())
        .join(Intermediary, Intermediary.id == TriageItem.intermediary_id)
        .where(
            *scope,
            TriageItem.kind == "complaint",
            TriageItem.status.in_(("accepted", "merged")),
            TriageItem.mdt_id == Intermediary.mdt_id,
        )
        .group_by(TriageItem.intermediary_id)
    ):
        if public_id is not None:
            out[public_id]["complaints"] += n
    outcomes: dict[int, dict[str, Cell]] = defaultdict(dict)
    for item_id, status, n, team in db.session.execute(
        select(MatterRespondent.intermediary_id, Claimant.status, func.count(), func.count(on_team))
        .join(Claimant, Claimant.matter_id == MatterRespondent.matter_id)
        .join(Case, Case.id == Claimant.case_id)
        .join(Intermediary, Intermediary.id == MatterRespondent.intermediary_id)
        .where(*scope)
        .group_by(MatterRespondent.intermediary_id, Claimant.status)
    ):
        outcomes[item_id][status] = Cell(n, team)
    for item_id, cells in outcomes.items():
        claimants = sum(cells.values(), ZERO)
        out[item_id]["outcomes"] = protect(cells, claimants)
        out[item_id]["money_hidden"] = is_small(claimants)
    for item_id, currency, claimed, recovered in db.session.execute(
        select(
            MatterRespondent.intermediary_id,
            Claimant.currency,
            func.coalesce(func.sum(Claimant.amount_claimed), 0),
            func.coalesce(func.sum(Claimant.amount_received), 0),
        )
        .join(Claimant, Claimant.matter_id == MatterRespondent.matter_id)
        .join(Intermediary, Intermediary.id == MatterRespondent.intermediary_id)
        .where(*scope)
        .group_by(MatterRespondent.intermediary_id, Claimant.currency)
    ):
        if not out[item_id]["money_hidden"]:
            out[item_id]["claimed"][currency] = Decimal(claimed or 0)
            out[item_id]["recovered"][currency] = Decimal(recovered or 0)
    return out


def _sort_key(value) -> float:
    """A count as it sorts: a hidden one as just under ``SMALL``, all hidden ones alike (then by
    name), so that the order cannot tell one hidden count from another."""
    return SMALL - 0.5 if hides(value) else value


def registry(user, sort: str = "name", kind: str | None = None, warned: bool = False):
    """The MDT's registry (merged entries left out) with each entry's figures, sorted: by name, or
    most first by cases, matters, complaints, amount claimed or recovered (summed over
    currencies; amounts left out sort last)."""
    stmt = select(Intermediary).where(
        Intermediary.mdt_id == user.mdt_id, Intermediary.merged_into_id.is_(None)
    )
    if kind:
        stmt = stmt.where(Intermediary.kind == kind)
    if warned:
        stmt = stmt.where(Intermediary.licence_status.in_(WARNED_STATUSES))
    items = list(db.session.scalars(stmt.order_by(Intermediary.kind, Intermediary.name)))
    numbers = figures(user)
    rows = [(item, numbers[item.id]) for item in items]

    def money(which):
        return lambda r: -1 if r[1]["money_hidden"] else sum(r[1][which].values())

    keys = {
        "cases": lambda r: r[1]["cases_n"],
        "matters": lambda r: r[1]["matters_n"],
        "complaints": lambda r: r[1]["complaints"],
        "claimed": money("claimed"),
        "recovered": money("recovered"),
    }
    if sort in keys:
        rows.sort(key=lambda r: (-keys[sort](r), r[0].name.lower()))
    else:
        rows.sort(key=lambda r: r[0].name.lower())
    return rows


def outreach_list(mdt_id: int) -> list[Intermediary]:
    """Agencies suspended, revoked or blacklisted, to warn villages: names, status and the notice
    only (never who complained)."""
    return list(
        db.session.scalars(
            select(Intermediary)
            .where(
                Intermediary.mdt_id == mdt_id,
                Intermediary.merged_into_id.is_(None),
                Intermediary.licence_status.in_(WARNED_STATUSES),
            )
            .order_by(Intermediary.name)
        )
    )


# ---------------------------------------------------------------- merging the same agency


def merge(actor, kept: Intermediary, merged: Intermediary, note: str | None = None) -> IntermediaryMerge:
    """Fold ``merged`` into ``kept``: every case episode, legal matter, person behind it and piece
    of evidence that named ``merged`` names ``kept`` (a link ``kept`` already had is not doubled),
    ``merged``'s name becomes one of ``kept``'s other names, and ``merged`` leaves the lists. What
    moved is kept in the merge record, so that ``undo`` puts everything back."""
    if not policy.can(actor, "intermediary.merge", kept):
        raise Forbidden("Only coordinators merge registry entries.")
    if merged.mdt_id != kept.mdt_id:
        raise NotFound("No such intermediary.")
    if merged.id == kept.id:
        raise WorkflowError(str(_l("Choose another entry: an entry cannot be merged into itself.")))
    if kept.merged_into_id is not None or merged.merged_into_id is not None:
        raise WorkflowError(str(_l("One of these entries was already merged into another.")))
    moved: dict[str, Any] = {"episodes": [], "dropped_episodes": [], "matters": [], "dropped_matters": []}
    moved.update(relations_from=[], relations_to=[], dropped_relations=[], evidence=[], alias_added=None)
    _move_links(EpisodeIntermediary, "episode_id", kept, merged, moved, "episodes", extra=("position",))
    _move_links(MatterRespondent, "matter_id", kept, merged, moved, "matters")
    for relation in db.session.scalars(
        select(IntermediaryRelation).where(
            (IntermediaryRelation.intermediary_id == merged.id)
            | (IntermediaryRelation.related_id == merged.id)
        )
    ):
        side = "relations_from" if relation.intermediary_id == merged.id else "relations_to"
        other = relation.related_id if side == "relations_from" else relation.intermediary_id
        duplicate = other == kept.id or db.session.scalar(
            select(IntermediaryRelation.id).where(
                IntermediaryRelation.intermediary_id == (kept.id if side == "relations_from" else other),
                IntermediaryRelation.related_id == (other if side == "relations_from" else kept.id),
                IntermediaryRelation.role == relation.role,
            )
        )
        if duplicate:
            moved["dropped_relations"].append(
                [relation.intermediary_id, relation.related_id, relation.role, relation.created_by_id]
            )
            db.session.delete(relation)
            continue
        moved[side].append(relation.id)
        if side == "relations_from":
            relation.intermediary_id = kept.id
        else:
            relation.related_id = kept.id
    evidence_ids = list(
        db.session.scalars(
            select(MonitoringEvidence.id).where(MonitoringEvidence.intermediary_id == merged.id)
        )
    )
    if evidence_ids:
        db.session.execute(
            update(MonitoringEvidence)
            .where(MonitoringEvidence.id.in_(evidence_ids))
            .values(intermediary_id=kept.id)
        )
    moved["evidence"] = evidence_ids
    aliases = list(kept.aliases or [])
    if merged.name not in aliases and merged.name != kept.name:
        aliases.append(merged.name)
        moved["alias_added"] = merged.name
    kept.aliases = aliases or None
    merged.merged_into_id = kept.id
    record_ = IntermediaryMerge(
        mdt_id=kept.mdt_id,
        kept_id=kept.id,
        merged_id=merged.id,
        moved=moved,
        merged_by_id=actor.id,
        note=note,
    )
    db.session.add(record_)
    db.session.flush()
    record(actor, "intermediary.merged", kept, detail={"merged_id": merged.id, "moved": _counts(moved)})
    return record_


def _move_links(model, key: str, kept, merged, moved: dict, name: str, extra: tuple[str, ...] = ()) -> None:
    """Re-point ``merged``'s links (rows of ``model`` told apart by ``key``) to ``kept``; a link
    ``kept`` already has is dropped instead, recorded with its ``extra`` columns for the undo."""
    column = getattr(model, key)
    have = set(db.session.scalars(select(column).where(model.intermediary_id == kept.id)))
    for link in db.session.scalars(select(model).where(model.intermediary_id == merged.id)):
        if getattr(link, key) in have:
            moved[f"dropped_{name}"].append([getattr(link, key), *(getattr(link, e) for e in extra)])
            db.session.delete(link)
        else:
            moved[name].append(getattr(link, key))
    db.session.flush()
    if moved[name]:
        db.session.execute(
            update(model)
            .where(model.intermediary_id == merged.id, column.in_(moved[name]))
            .values(intermediary_id=kept.id)
        )


def _counts(moved: dict) -> dict:
    return {key: len(value) for key, value in moved.items() if isinstance(value, list)}


def undo(actor, merge_id: int) -> IntermediaryMerge:
    """Put back everything a merge moved: the links, the people behind, the evidence, the name."""
    done = db.session.get(IntermediaryMerge, merge_id)
    if done is None or done.mdt_id != actor.mdt_id:
        raise NotFound("No such merge.")
    if not policy.can(actor, "intermediary.merge", done.kept):
        raise Forbidden("Only coordinators merge registry entries.")
    if done.undone_at is not None:
        raise WorkflowError(str(_l("This merge was already undone.")))
    kept, merged, moved = done.kept, done.merged, done.moved
    if kept.merged_into_id is not None:
        # What this merge moved has moved on with the kept entry: undo the later merge first.
        raise WorkflowError(
            str(_l("The entry kept has since been merged into another. Undo that merge first."))
        )
    if moved["episodes"]:
        db.session.execute(
            update(EpisodeIntermediary)
            .where(
                EpisodeIntermediary.intermediary_id == kept.id,
                EpisodeIntermediary.episode_id.in_(moved["episodes"]),
            )
            .values(intermediary_id=merged.id)
        )
    # Links the merge dropped (the episode or matter already named both) come back, unless the
    # episode or matter has been deleted since or names the entry again already.
    episodes = {episode_id for episode_id, _position in moved["dropped_episodes"]}
    alive = set(db.session.scalars(select(Episode.id).where(Episode.id.in_(episodes)))) if episodes else set()
    named = set(
        db.session.scalars(
            select(EpisodeIntermediary.episode_id).where(
                EpisodeIntermediary.intermediary_id == merged.id, EpisodeIntermediary.episode_id.in_(alive)
            )
        )
    )
    for episode_id, position in moved["dropped_episodes"]:
        if episode_id in alive and episode_id not in named:
            db.session.add(
                EpisodeIntermediary(episode_id=episode_id, intermediary_id=merged.id, position=position)
            )
    if moved["matters"]:
        db.session.execute(
            update(MatterRespondent)
            .where(
                MatterRespondent.intermediary_id == kept.id, MatterRespondent.matter_id.in_(moved["matters"])
            )
            .values(intermediary_id=merged.id)
        )
    matters = {matter_id for (matter_id,) in moved["dropped_matters"]}
    alive = (
        set(db.session.scalars(select(LegalMatter.id).where(LegalMatter.id.in_(matters))))
        if matters
        else set()
    )
    named = set(
        db.session.scalars(
            select(MatterRespondent.matter_id).where(
                MatterRespondent.intermediary_id == merged.id, MatterRespondent.matter_id.in_(alive)
            )
        )
    )
    for matter_id in alive - named:
        db.session.add(MatterRespondent(matter_id=matter_id, intermediary_id=merged.id))
    if moved["relations_from"]:
        db.session.execute(
            update(IntermediaryRelation)
            .where(IntermediaryRelation.id.in_(moved["relations_from"]))
            .values(intermediary_id=merged.id)
        )
    if moved["relations_to"]:
        db.session.execute(
            update(IntermediaryRelation)
            .where(IntermediaryRelation.id.in_(moved["relations_to"]))
            .values(related_id=merged.id)
        )
    for intermediary_id, related_id, role, created_by_id in moved["dropped_relations"]:
        db.session.add(
            IntermediaryRelation(
                intermediary_id=intermediary_id, related_id=related_id, role=role, created_by_id=created_by_id
            )
        )
    if moved["evidence"]:
        db.session.execute(
            update(MonitoringEvidence)
            .where(MonitoringEvidence.id.in_(moved["evidence"]))
            .values(intermediary_id=merged.id)
        )
    if moved.get("alias_added"):
        kept.aliases = [a for a in (kept.aliases or []) if a != moved["alias_added"]] or None
    merged.merged_into_id = None
    done.undone_at, done.undone_by_id = clock.now(), actor.id
    db.session.flush()
    record(actor, "intermediary.merge_undone", kept, detail={"merged_id": merged.id})
    return done


def merges_of(item: Intermediary) -> list[IntermediaryMerge]:
    return list(
        db.session.scalars(
            select(IntermediaryMerge)
            .where((IntermediaryMerge.kept_id == item.id) | (IntermediaryMerge.merged_id == item.id))
            .order_by(IntermediaryMerge.id.desc())
        )
    )


__all__ = [
    "SORTS",
    "add_evidence",
    "add_relation",
    "criteria",
    "evidence_of",
    "figures",
    "merge",
    "merges_of",
    "outreach_list",
    "registry",
    "relations",
    "remove_relation",
    "scores",
    "undo",
    "update_record",
]
