"""The SMS provider's webhooks: delivery receipts and replies. No session, no CSRF token: each
request is authenticated by the provider's signature (Twilio) or the shared secret (the generic
gateway), and answers 404 for a provider that is not the one configured, 403 when it is not
authenticated, 400 when it does not hold what it should; never a 500 on what a stranger posts."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, g, request
from sqlalchemy.exc import IntegrityError

from mdt import transaction
from mdt.extensions import csrf
from mdt.sms import services
from mdt.sms.providers import BadHook, configured

bp = Blueprint("sms", __name__)
csrf.exempt(bp)
log = logging.getLogger("mdt.sms")


@bp.before_request
def _by_sms():
    g.audit_via = "sms"  # the audit trail says the change came by SMS, not from a member's page


def _provider(name: str):
    provider = configured()
    if name != provider.name or provider.name == "log":
        abort(404)  # only the provider configured here has webhooks
    if not provider.verify(request):
        abort(403)
    return provider


@bp.route("/hooks/sms/<provider>/status", methods=["POST"])
def status(provider: str):
    chosen = _provider(provider)
    try:
        receipt = chosen.receipt(request)
    except BadHook as exc:
        log.info("SMS receipt refused: %s", exc)
        abort(400)
    services.apply_receipt(chosen.name, receipt)
    return Response("", status=204)


@bp.route("/hooks/sms/<provider>/inbound", methods=["POST"])
def inbound(provider: str):
    chosen = _provider(provider)
    try:
        message = chosen.inbound(request)
    except BadHook as exc:
        log.info("SMS reply refused: %s", exc)
        abort(400)
    try:
        received = services.receive(chosen.name, message)
    except IntegrityError:  # the same reply posted twice at once: the other request keeps it
        transaction.rollback()
        received = services.Received(None)
    body, mimetype = chosen.answer(received.confirmation)
    return Response(body, mimetype=mimetype)
