"""Web sessions kept on the server (``mdt.auth.state``): the browser holds only a random id, so
signing out, a password change or a deactivation ends a session for good (a copied cookie opens
nothing), a session ends after ``MDT_SESSION_IDLE_MINUTES`` without use and ``MDT_SESSION_HOURS``
after sign-in whatever happens, and a member can see their sessions and end any of them.

Stored under ``session:<sha256 of the id>`` (the id itself is never stored), tagged with the
member, as JSON: ``{"data": {...}, "created": ts, "seen": ts, "device": "...", "address": "..."}``.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime

from flask import Flask, Request, Response, has_request_context, request, session
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from mdt import clock
from mdt.auth.state import state

PREFIX = "session:"
TOUCH_SECONDS = 60  # a session's "last used" is written at most once a minute


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, data=None, sid: str | None = None, meta: dict | None = None):
        def on_update(self):
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid  # the id the browser holds (None: not stored yet)
        self.meta = meta or {}
        self.modified = False
        self.rotate = False


def _key(sid: str) -> str:
    return PREFIX + hashlib.sha256(sid.encode()).hexdigest()


def _limits(app: Flask) -> tuple[float, float]:
    return app.config["MDT_SESSION_IDLE_MINUTES"] * 60.0, app.config["MDT_SESSION_HOURS"] * 3600.0


class ServerSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if not sid or len(sid) > 100:
            return ServerSession()
        raw = state().get(_key(sid))
        if raw is None:
            return ServerSession()
        stored = json.loads(raw)
        idle, lifetime = _limits(app)
        now = clock.now().timestamp()
        if now - stored["seen"] > idle or now - stored["created"] > lifetime:
            state().delete(_key(sid))
            return ServerSession()
        meta = {k: v for k, v in stored.items() if k != "data"}
        return ServerSession(stored["data"], sid=sid, meta=meta)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        name = self.get_cookie_name(app)
        if session.sid and (session.rotate or not session):
            state().delete(_key(session.sid))
            session.sid = None
        if not session:
            if request.cookies.get(name):
                response.delete_cookie(
                    name, domain=self.get_cookie_domain(app), path=self.get_cookie_path(app)
                )
            return
        now = clock.now().timestamp()
        fresh = session.sid is None
        if fresh and not session.modified:
            return  # nothing was written to it (the API marks its per-request sign-in unmodified)
        sid = session.sid or secrets.token_urlsafe(32)
        if fresh:
            session.sid = sid
            session.meta = {**session.meta, "created": now}
        elif not session.modified and now - session.meta.get("seen", 0) < TOUCH_SECONDS:
            return
        session.meta["seen"] = now
        idle, lifetime = _limits(app)
        ttl = max(1.0, min(idle, session.meta["created"] + lifetime - now))
        member = session.get("_user_id")
        state().put(
            _key(sid),
            json.dumps({**session.meta, "data": dict(session)}),
            ttl,
            tag=f"member:{member}" if member else None,
        )
        if fresh:
            response.set_cookie(
                name,
                sid,
                httponly=True,
                secure=self.get_cookie_secure(app),
                samesite=self.get_cookie_samesite(app),
                path=self.get_cookie_path(app),
                domain=self.get_cookie_domain(app),
            )
        response.vary.add("Cookie")


# ---------------------------------------------------------------- a member's sessions


def start(member_id: int) -> None:
    """Signing in: a new id (the one used before signing in is dropped) for a clean session."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.rotate = True  # type: ignore[attr-defined]
    agent = request.headers.get("User-Agent", "")[:400]
    session.meta = {"device": describe_device(agent), "address": request.remote_addr or ""}  # type: ignore[attr-defined]


def finish() -> None:
    """Signing out: the session is dropped on the server; what follows gets a new id."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session.rotate = True  # type: ignore[attr-defined]


def describe_device(agent: str) -> str:
    from ua_parser import parse

    if not agent:
        return ""
    found = parse(agent)
    browser = found.user_agent.family if found.user_agent else ""
    system = found.os.family if found.os else ""
    if browser and system and browser != "Other":
        return f"{browser} · {system}"
    return agent[:80]


def _current_key() -> str | None:
    sid = getattr(session, "sid", None)
    return _key(sid) if sid else None


def of_member(member_id: int) -> list[dict]:
    """The member's live sessions, most recently used first: ``handle`` (to end it), ``device``,
    ``address``, ``created``, ``seen`` (UTC datetimes) and ``current``."""
    current = _current_key() if _in_request() else None
    rows = []
    for key, raw in state().tagged(f"member:{member_id}").items():
        stored = json.loads(raw)
        if str(stored["data"].get("_user_id")) != str(member_id):
            continue
        rows.append(
            {
                "handle": key[len(PREFIX) :][:16],
                "device": stored.get("device") or "",
                "address": stored.get("address") or "",
                "created": datetime.fromtimestamp(stored["created"], UTC),
                "seen": datetime.fromtimestamp(stored["seen"], UTC),
                "current": key == current,
                "key": key,
            }
        )
    return sorted(rows, key=lambda r: r["seen"], reverse=True)


def end(member_id: int, handle: str | None = None, *, keep_current: bool = False) -> int:
    """End one session of the member (by ``handle``) or all of them (``handle`` None), except the
    one making this request when ``keep_current``. Returns how many ended."""
    current = _current_key() if _in_request() else None
    keys = [
        row["key"]
        for row in of_member(member_id)
        if (handle is None or row["handle"] == handle) and not (keep_current and row["key"] == current)
    ]
    state().delete_in_unit(*keys)
    return len(keys)


def _in_request() -> bool:
    return has_request_context() and isinstance(session, ServerSession)


def register(app: Flask) -> None:
    app.session_interface = ServerSessionInterface()
