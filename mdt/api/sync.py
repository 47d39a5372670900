"""Offline sync, settling a clash, and the coordinators' triage queue."""

from __future__ import annotations

from flask_login import current_user

from mdt.api.base import accepts, api_bp, body, items_of, problems
from mdt.sync import services as sync
from mdt.sync.schemas import ResolveSchema, SyncAnswerSchema, SyncSchema
from mdt.triage import services as triage
from mdt.triage.schemas import TriageItemSchema, TriageQuery


@api_bp.post("/sync")
@accepts(SyncSchema)
@api_bp.response(200, SyncAnswerSchema)
@problems(400, 401, 403, 422)
def sync_changes():
    """Apply a device's changes, each once (its idempotency key); a field changed meanwhile by
    someone else is held as a conflict, never overwritten; a change the caller may no longer make
    is refused with a message (the device keeps it)."""
    return {"results": sync.apply_batch(current_user, body())}


@api_bp.post("/sync/conflicts/<int:conflict_id>")
@accepts(ResolveSchema)
@api_bp.response(204)
@problems(400, 401, 403, 404, 422)
def resolve_conflict(conflict_id: int):
    """Settle a clash: ``keep: "server"`` leaves the case as it is, ``"yours"`` puts the device's
    value in (the member who sent it, or a coordinator)."""
    conflict = sync.get_conflict(current_user, conflict_id)
    sync.resolve(current_user, conflict, body())
    return None


@api_bp.get("/triage")
@api_bp.arguments(TriageQuery, location="query")
@api_bp.response(200, items_of(TriageItemSchema))
@problems(401, 403, 422)
def triage_queue(args: dict):
    """Complaints and volunteers' submissions (coordinators): open ones by default."""
    items = triage.queue(current_user, args["status"])
    return {"items": [triage.as_seen(current_user, item) for item in items]}
