"""Set-based writes (mdt.bulk): the COPY path on PostgreSQL and the executemany path elsewhere give
the same rows, skip repeated unique keys, and write JSON values as JSON."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from mdt import bulk, clock
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.legal.models import Deadline
from mdt.reminders.models import Reminder
from tests import factories as f


def _reminders(world, keys):
    now = clock.now()
    return [
        {
            "key": f"bulk:{k}",
            "mdt_id": world.mdt.id,
            "member_id": world["lawyer"].id,
            "person_id": None,
            "source_type": "action",
            "source_id": k,
            "purpose": "reminder",
            "lead": "1d",
            "channel": "app",
            "scheduled_at": now,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        for k in keys
    ]


@pytest.mark.parametrize("copy_from", [0, 10_000], ids=["copy", "executemany"])
def test_insert_skips_repeated_keys_and_update_sets_values(world, monkeypatch, copy_from):
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    bulk.insert_rows(Reminder, _reminders(world, range(250)), skip_conflicts_on=["key"])
    bulk.insert_rows(Reminder, _reminders(world, range(240, 260)), skip_conflicts_on=["key"])
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 260
    ids = db.session.scalars(select(Reminder.id).order_by(Reminder.id).limit(100)).all()
    bulk.update_rows(Reminder, [{"id": i, "status": "cancelled", "last_error": f"e{i}"} for i in ids])
    db.session.commit()
    changed = db.session.execute(
        select(Reminder.id, Reminder.last_error).where(Reminder.status == "cancelled")
    ).all()
    assert sorted(changed) == [(i, f"e{i}") for i in ids]


@pytest.mark.parametrize("copy_from", [0, 10_000], ids=["copy", "executemany"])
def test_json_values_travel_as_json(world, monkeypatch, copy_from):
    monkeypatch.setattr(bulk, "COPY_FROM", copy_from)
    m = f.matter(world, [f.client_case(world, "Suda")])
    _, deadlines = legal.record_event(
        world["lawyer"], m, {"kind": "judgment_read", "occurred_on": date.today().isoformat()}
    )
    db.session.commit()
    trace = [{"step": "start", "on": "2026-12-01", "note": 'ไทย "quoted" \\ back'}]
    bulk.update_rows(Deadline, [{"id": d.id, "trace": trace} for d in deadlines])
    db.session.commit()
    db.session.expire_all()
    assert all(db.session.get(Deadline, d.id).trace == trace for d in deadlines)
