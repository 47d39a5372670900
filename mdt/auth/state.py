"""Short-lived server state: web sessions and sign-in counters. One interface, two stores: Redis in
production (``MDT_REDIS_URL``), the ``server_state`` table on the embedded default, so that every
gunicorn worker sees the same sessions and counts the same attempts.

Both stores keep their own connection, apart from the request's unit of work: a session saved or an
attempt counted stays saved even when the request's changes are rolled back. Expiry is decided
against ``mdt.clock`` (entries carry their own deadline), so tests can travel in time on either
store; Redis also expires its keys itself, a little later, to keep its memory bounded.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol, cast

from flask import current_app
from sqlalchemy import Table, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from mdt import clock
from mdt.auth.models import ServerState
from mdt.extensions import db

_table = cast(Table, ServerState.__table__)


class State(Protocol):
    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str, ttl: float, tag: str | None = None) -> None: ...

    def delete(self, *keys: str) -> None: ...

    def delete_in_unit(self, *keys: str) -> None: ...

    def tagged(self, tag: str) -> dict[str, str]: ...

    def incr(self, key: str, ttl: float) -> int: ...

    def count(self, key: str) -> int: ...

    def purge(self) -> int: ...


class DatabaseState:
    """The ``server_state`` table (SQLite or PostgreSQL)."""

    def get(self, key: str) -> str | None:
        with db.engine.connect() as conn:
            row = conn.execute(
                select(_table.c.value).where(_table.c.key == key, _table.c.expires_at > clock.now())
            ).first()
        return row.value if row is not None else None

    def put(self, key: str, value: str, ttl: float, tag: str | None = None) -> None:
        values = {"key": key, "value": value, "count": 0, "tag": tag, "expires_at": _deadline(ttl)}
        stmt = _insert()(_table).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={"value": value, "tag": tag, "expires_at": values["expires_at"]},
        )
        with db.engine.begin() as conn:
            conn.execute(stmt)

    def delete(self, *keys: str) -> None:
        if keys:
            with db.engine.begin() as conn:
                conn.execute(delete(_table).where(_table.c.key.in_(keys)))

    def delete_in_unit(self, *keys: str) -> None:
        """Delete as part of the current unit of work (kept only if it commits): a session ended by a
        password change or a deactivation ends with that change."""
        if keys:
            db.session.execute(delete(_table).where(_table.c.key.in_(keys)))

    def tagged(self, tag: str) -> dict[str, str]:
        with db.engine.connect() as conn:
            rows = conn.execute(
                select(_table.c.key, _table.c.value).where(
                    _table.c.tag == tag, _table.c.expires_at > clock.now()
                )
            )
            return {row.key: row.value for row in rows}

    def incr(self, key: str, ttl: float) -> int:
        """Count one more in a fixed window of ``ttl`` seconds that starts at the first count."""
        now = clock.now()
        live = _table.c.expires_at > now
        stmt = _insert()(_table).values(key=key, value="", count=1, expires_at=_deadline(ttl))
        stmt = stmt.on_conflict_do_update(
            index_elements=[_table.c.key],
            set_={
                "count": case((live, _table.c.count + 1), else_=1),
                "expires_at": case((live, _table.c.expires_at), else_=_deadline(ttl)),
            },
        ).returning(_table.c.count)
        with db.engine.begin() as conn:
            return int(conn.execute(stmt).scalar_one())

    def count(self, key: str) -> int:
        with db.engine.connect() as conn:
            value = conn.execute(
                select(_table.c.count).where(_table.c.key == key, _table.c.expires_at > clock.now())
            ).scalar()
        return int(value or 0)

    def purge(self) -> int:
        with db.engine.begin() as conn:
            return conn.execute(delete(_table).where(_table.c.expires_at <= clock.now())).rowcount


class RedisState:
    """Redis: a value is stored with its deadline (checked against the clock), a tag is a set of
    keys, a counter is an INCR with the window's deadline beside it."""

    SLACK = 60  # seconds Redis keeps a key after its deadline

    def __init__(self, url: str, prefix: str = "mdt:"):
        import redis

        self.redis: Any = redis.Redis.from_url(url, decode_responses=True)
        self.prefix = prefix

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> str | None:
        deadline, _sep, value = (self.redis.get(self._k(key)) or "").partition("|")
        if not _sep or float(deadline) <= clock.now().timestamp():
            return None
        return value

    def put(self, key: str, value: str, ttl: float, tag: str | None = None) -> None:
        pipe = self.redis.pipeline()
        pipe.set(self._k(key), f"{_deadline(ttl).timestamp()}|{value}", ex=int(ttl) + self.SLACK)
        if tag:
            pipe.sadd(self._k("tag:" + tag), key)
        pipe.execute()

    def delete(self, *keys: str) -> None:
        if keys:
            self.redis.delete(*(self._k(k) for k in keys))

    def delete_in_unit(self, *keys: str) -> None:
        self.delete(*keys)  # Redis takes no part in the database's transaction: at once

    def tagged(self, tag: str) -> dict[str, str]:
        keys = sorted(self.redis.smembers(self._k("tag:" + tag)))
        found = {}
        gone = []
        for key in keys:
            value = self.get(key)
            if value is None:
                gone.append(key)
            else:
                found[key] = value
        if gone:
            self.redis.srem(self._k("tag:" + tag), *gone)
        return found

    def incr(self, key: str, ttl: float) -> int:
        now = clock.now().timestamp()
        counter, window = self._k(key), self._k(key + ":until")
        until = self.redis.get(window)
        if until is None or float(until) <= now:
            pipe = self.redis.pipeline()
            pipe.set(window, now + ttl, ex=int(ttl) + self.SLACK)
            pipe.set(counter, 0, ex=int(ttl) + self.SLACK)
            pipe.execute()
        return int(self.redis.incr(counter))

    def count(self, key: str) -> int:
        until = self.redis.get(self._k(key + ":until"))
        if until is None or float(until) <= clock.now().timestamp():
            return 0
        return int(self.redis.get(self._k(key)) or 0)

    def purge(self) -> int:
        return 0  # Redis expires its keys itself


def _deadline(ttl: float):
    return clock.now() + timedelta(seconds=ttl)


def _insert():
    return pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert


def state() -> State:
    """The app's store: Redis when ``MDT_REDIS_URL`` is set, else the database."""
    store = current_app.extensions.get("mdt_state")
    if store is None:
        url = current_app.config.get("MDT_STATE_REDIS_URL") or current_app.config.get("MDT_REDIS_URL")
        store = RedisState(url) if url else DatabaseState()
        current_app.extensions["mdt_state"] = store
    return store
