"""The SMS providers: one small interface, chosen by ``MDT_SMS_PROVIDER``.

- ``log`` (the default): each SMS is a line in the MDT's outbox folder (``sms.log``); no receipts,
  no replies.
- ``http``: a generic HTTP gateway. Messages are POSTed to ``MDT_SMS_HTTP_URL`` as JSON (or a form,
  ``MDT_SMS_HTTP_FORMAT=form``) with the gateway's own field names (``MDT_SMS_HTTP_FIELDS``), an
  optional header carrying a token; its delivery receipts and the replies it receives come back by
  webhook, authenticated by the shared secret ``MDT_SMS_WEBHOOK_SECRET`` (in the address or a
  header).
- ``twilio``: Twilio's REST API (``POST {base}/2010-04-01/Accounts/{sid}/Messages.json``, basic
  auth), its status callbacks and incoming messages as Twilio posts them, signed with
  ``X-Twilio-Signature``.

Each provider sends (``send``: the provider's id of the message), authenticates a webhook request
(``verify``), and reads a delivery receipt (``receipt``) or an incoming message (``inbound``) out
of it. Secrets come from the configuration (the environment), never from the repository."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

from flask import current_app
from werkzeug import Request

from mdt.mail import outbox_dir
from mdt.sms.numbers import masked

log = logging.getLogger("mdt.sms")

# The names the generic gateway's fields have unless MDT_SMS_HTTP_FIELDS renames them: to, text
# and from (our sender on the way out, the person's number on the way in), the gateway's id of a
# message (in its answer, receipts and incoming messages), the status and error of a receipt, and
# the address it posts a message's receipts to (left out unless named).
HTTP_FIELDS = {
    "to": "to",
    "text": "text",
    "from": "from",
    "id": "id",
    "status": "status",
    "error": "error",
    "callback": None,
}
# A receipt's status, as gateways word it, to ours (anything else: the receipt is not read).
HTTP_STATUSES = {
    "queued": "queued",
    "accepted": "sent",
    "submitted": "sent",
    "sent": "sent",
    "enroute": "sent",
    "delivered": "delivered",
    "delivrd": "delivered",
    "failed": "failed",
    "undelivered": "failed",
    "undeliv": "failed",
    "rejected": "failed",
    "rejectd": "failed",
    "expired": "failed",
}
# Twilio's MessageStatus values to ours.
TWILIO_STATUSES = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "receiving": "delivered",
    "received": "delivered",
    "failed": "failed",
    "undelivered": "failed",
    "canceled": "failed",
}
MAX_ID = 100


class SmsError(Exception):
    """The provider refused the message or could not be reached (the reminder is tried again)."""


class BadHook(Exception):
    """A webhook request that does not hold what it should (answered 400)."""


@dataclass(frozen=True)
class Receipt:
    provider_id: str
    status: str  # one of mdt.sms.models.STATUSES
    error: str | None = None


@dataclass(frozen=True)
class Inbound:
    provider_id: str
    number: str  # the sender, as the provider wrote it
    text: str


def _config(name: str, default=None):
    value = current_app.config.get(name)
    return default if value in (None, "") else value


def hook_url(provider: str, kind: str) -> str:
    """The address a provider posts to: ``{MDT_BASE_URL}/hooks/sms/<provider>/<kind>``."""
    base = str(_config("MDT_BASE_URL", "http://localhost:5000")).rstrip("/")
    return f"{base}/hooks/sms/{provider}/{kind}"


def _id(value, name: str) -> str:
    """A provider's id of a message: text or a whole number, as gateways write them."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return _text(value, name, MAX_ID)


def _text(value, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        raise BadHook(f"{name}: missing or not usable")
    return value.strip()


def _body(value) -> str:
    """A message's text: may be empty (a picture with no words), never anything but text."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 5000:
        raise BadHook("text: not usable")
    return value


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST and return the status and body; an answer of the provider's is returned whatever its
    status, a network failure raises SmsError."""
    timeout = float(_config("MDT_SMS_TIMEOUT", 10))
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:  # noqa: S310 (configured URL)
            return answer.status, answer.read(1_000_000)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(1_000_000)
    except (urllib.error.URLError, OSError) as exc:
        raise SmsError(f"the SMS provider could not be reached: {exc}") from None


class LogProvider:
    """No provider configured: each SMS is a line of the MDT's outbox folder (shown to no page;
    read on the server)."""

    name = "log"

    def send(self, mdt_id: int, number: str, text: str) -> str:
        with (outbox_dir(mdt_id) / "sms.log").open("a", encoding="utf-8") as f:
            f.write(f"{number}\t{text}\n")
        log.info("SMS to %s (written to the outbox log)", masked(number))
        return f"log-{uuid.uuid4().hex}"

    def verify(self, request: Request) -> bool:
        return False  # nothing posts to it

    def receipt(self, request: Request) -> Receipt:
        raise BadHook("the log provider has no receipts")

    def inbound(self, request: Request) -> Inbound:
        raise BadHook("the log provider receives nothing")

    def answer(self, reply: str | None) -> tuple[str, str]:
        return "", "text/plain"


class HttpGateway:
    """A generic HTTP gateway (see the module's description)."""

    name = "http"

    def __init__(self) -> None:
        self.url = _config("MDT_SMS_HTTP_URL")
        fields = _config("MDT_SMS_HTTP_FIELDS", {})
        if isinstance(fields, str):
            fields = json.loads(fields)
        self.fields = {**HTTP_FIELDS, **{k: v for k, v in dict(fields).items() if k in HTTP_FIELDS}}
        self.form = str(_config("MDT_SMS_HTTP_FORMAT", "json")).lower() == "form"
        self.auth_header = _config("MDT_SMS_HTTP_AUTH_HEADER", "Authorization")
        self.token = _config("MDT_SMS_HTTP_TOKEN")
        self.sender = _config("MDT_SMS_FROM")
        self.secret = _config("MDT_SMS_WEBHOOK_SECRET")

    def _field(self, name: str) -> str:
        return self.fields[name] or name

    def send(self, mdt_id: int, number: str, text: str) -> str:
        if not self.url:
            raise SmsError("MDT_SMS_HTTP_URL is not set")
        payload = {self._field("to"): number, self._field("text"): text}
        if self.sender:
            payload[self._field("from")] = self.sender
        if self.fields["callback"]:
            payload[self.fields["callback"]] = hook_url(self.name, "status")
        headers = {"Accept": "application/json"}
        if self.form:
            body = urllib.parse.urlencode(payload).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(payload, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        if self.token:
            headers[str(self.auth_header)] = str(self.token)
        status, answer = _post(str(self.url), body, headers)
        if not 200 <= status < 300:
            raise SmsError(f"the SMS gateway answered {status}")
        try:
            found = json.loads(answer or b"{}").get(self._field("id"))
        except (ValueError, AttributeError):
            found = None
        # A gateway that gives no id gets one of ours: its receipts then cannot be matched.
        return str(found)[:MAX_ID] if found not in (None, "") else f"http-{uuid.uuid4().hex}"

    def verify(self, request: Request) -> bool:
        """The shared secret, in the address (``?secret=``) or the ``X-MDT-Webhook-Secret`` header;
        without a secret configured every webhook is refused."""
        if not self.secret:
            return False
        given = request.headers.get("X-MDT-Webhook-Secret") or request.args.get("secret") or ""
        return hmac.compare_digest(given.encode(), str(self.secret).encode())

    def _values(self, request: Request) -> dict:
        if request.is_json:
            data = request.get_json(silent=True)
            if not isinstance(data, dict):
                raise BadHook("the body is not a JSON object")
            return data
        return request.form.to_dict()

    def receipt(self, request: Request) -> Receipt:
        data = self._values(request)
        provider_id = _id(data.get(self._field("id")), "id")
        raw = data.get(self._field("status"))
        status = HTTP_STATUSES.get(raw.strip().lower()) if isinstance(raw, str) else None
        if status is None:
            raise BadHook("status: not one a receipt can have")
        error = data.get(self._field("error"))
        return Receipt(provider_id, status, str(error)[:200] if error not in (None, "") else None)

    def inbound(self, request: Request) -> Inbound:
        data = self._values(request)
        return Inbound(
            provider_id=_id(data.get(self._field("id")), "id"),
            number=_text(data.get(self._field("from")), "from", 40),
            text=_body(data.get(self._field("text"))),
        )

    def answer(self, reply: str | None) -> tuple[str, str]:
        return json.dumps({"ok": True}), "application/json"


class Twilio:
    """Twilio's Programmable Messaging, in its own format (``MDT_SMS_TWILIO_BASE_URL`` points
    elsewhere only for tests)."""

    name = "twilio"
    API = "https://api.twilio.com"

    def __init__(self) -> None:
        self.sid = _config("MDT_SMS_TWILIO_ACCOUNT_SID")
        self.token = _config("MDT_SMS_TWILIO_AUTH_TOKEN")
        self.base = str(_config("MDT_SMS_TWILIO_BASE_URL", self.API)).rstrip("/")
        self.sender = _config("MDT_SMS_FROM")
        self.service = _config("MDT_SMS_TWILIO_MESSAGING_SERVICE_SID")

    def send(self, mdt_id: int, number: str, text: str) -> str:
        if not (self.sid and self.token and (self.sender or self.service)):
            raise SmsError("Twilio needs an account SID, an auth token and a sender")
        payload = {"To": number, "Body": text, "StatusCallback": hook_url(self.name, "status")}
        if self.service:
            payload["MessagingServiceSid"] = str(self.service)
        else:
            payload["From"] = str(self.sender)
        auth = base64.b64encode(f"{self.sid}:{self.token}".encode()).decode()
        status, answer = _post(
            f"{self.base}/2010-04-01/Accounts/{urllib.parse.quote(str(self.sid))}/Messages.json",
            urllib.parse.urlencode(payload).encode(),
            {
                "Authorization": f"Basic {auth}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        if not 200 <= status < 300 or not isinstance(data, dict) or not data.get("sid"):
            code = data.get("code") if isinstance(data, dict) else None
            raise SmsError(f"Twilio answered {status}" + (f" (error {code})" if code else ""))
        return str(data["sid"])[:MAX_ID]

    def signature(self, url: str, params: dict[str, list[str]]) -> str:
        """Twilio's signature of a request: HMAC-SHA1 with the auth token over the address and
        each POST parameter's name and value, sorted by name, base64-encoded."""
        payload = url + "".join(k + v for k in sorted(params) for v in params[k])
        digest = hmac.new(str(self.token).encode(), payload.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    def verify(self, request: Request) -> bool:
        """``X-Twilio-Signature`` over the address Twilio posted to: the one made from
        ``MDT_BASE_URL`` (behind a proxy, the address the request reached may differ), or the one
        the request reached."""
        given = request.headers.get("X-Twilio-Signature", "")
        if not (self.token and given):
            return False
        params = {k: request.form.getlist(k) for k in request.form}
        base = str(_config("MDT_BASE_URL", "")).rstrip("/")
        query = request.query_string.decode("latin-1")
        urls = {request.url, base + request.path + (f"?{query}" if query else "")}
        return any(hmac.compare_digest(self.signature(url, params).encode(), given.encode()) for url in urls)

    def receipt(self, request: Request) -> Receipt:
        form = request.form
        status = TWILIO_STATUSES.get(str(form.get("MessageStatus", "")).strip().lower())
        if status is None:
            raise BadHook("MessageStatus: not one Twilio sends")
        error = form.get("ErrorCode") or None
        return Receipt(_text(form.get("MessageSid"), "MessageSid", MAX_ID), status, error and error[:200])

    def inbound(self, request: Request) -> Inbound:
        form = request.form
        return Inbound(
            provider_id=_text(form.get("MessageSid"), "MessageSid", MAX_ID),
            number=_text(form.get("From"), "From", 40),
            text=_body(form.get("Body")),
        )

    def answer(self, reply: str | None) -> tuple[str, str]:
        """TwiML: Twilio sends ``reply`` back to the person (nothing when None)."""
        inner = f"<Message>{xml_escape(reply)}</Message>" if reply else ""
        return f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>', "text/xml"


Provider = LogProvider | HttpGateway | Twilio
PROVIDERS: dict[str, type[Provider]] = {"log": LogProvider, "http": HttpGateway, "twilio": Twilio}


def configured() -> Provider:
    """The provider ``MDT_SMS_PROVIDER`` names (``log`` when unset)."""
    name = str(_config("MDT_SMS_PROVIDER", "log")).lower()
    if name not in PROVIDERS:
        raise SmsError(f"MDT_SMS_PROVIDER={name!r} is not one of {', '.join(PROVIDERS)}")
    return PROVIDERS[name]()
