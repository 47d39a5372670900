"""Two-way SMS (issue 16): sending through a generic HTTP gateway and through Twilio's REST
format, delivery receipts and replies by webhook, STOP in the person's language.

CI cannot reach a real provider: ``FakeGateway`` is an HTTP server on loopback, in a thread, that
records every request and answers as the real one does (Twilio: 201 with the message's ``sid``,
401 with its error body on wrong credentials). The webhooks are called as the provider calls them:
Twilio's requests signed with ``X-Twilio-Signature`` (computed here independently, and checked
against the example Twilio publishes)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

import pytest
from sqlalchemy import select

from mdt import clock, consent
from mdt.cases import services as cases
from mdt.cases.models import Note
from mdt.config import ConfigError, load_config
from mdt.extensions import db
from mdt.legal import services as legal
from mdt.notifications.models import Notification
from mdt.referrals import services as referrals
from mdt.referrals.models import Consent
from mdt.reminders import sending
from mdt.reminders.messages import FORBIDDEN_IN
from mdt.reminders.models import Reminder
from mdt.sms import services as sms
from mdt.sms.models import SmsInbound, SmsMessage
from mdt.sms.numbers import normalise
from mdt.sms.providers import Twilio
from tests import factories as f
from tests.conftest import make_app

SID, TOKEN, SECRET = "AC0123456789abcdef", "twilio-test-token", "gateway-test-secret"
BASE = "https://mdt.example.org"  # MDT_BASE_URL: the address the provider posts to


class FakeGateway:
    """An SMS provider on loopback: records what it receives, answers like the real one."""

    def __init__(self):
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen = {"path": self.path, "headers": dict(self.headers), "body": body}
                gateway.requests.append(seen)
                status, answer = gateway.answer(seen)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, seen: dict) -> tuple[int, dict]:
        if seen["path"].startswith("/2010-04-01/Accounts/"):
            expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
            if seen["headers"].get("Authorization") != expected:
                return 401, {"code": 20003, "message": "Authenticate", "status": 401}
            form = parse_qs(seen["body"].decode())
            return 201, {
                "sid": "SM" + uuid.uuid4().hex,
                "status": "queued",
                "to": form["To"][0],
                "from": form["From"][0],
                "body": form["Body"][0],
            }
        if seen["path"] == "/send":
            return 200, {"message_id": f"gw-{len(self.requests)}", "accepted": True}
        return 404, {"error": "no such path"}

    def form(self, i: int = -1) -> dict:
        return {k: v[0] for k, v in parse_qs(self.requests[i]["body"].decode()).items()}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def gateway():
    with FakeGateway() as fake:
        yield fake


def configure(apps, **config) -> None:
    for app in apps:
        app.config.update(MDT_BASE_URL=BASE, **config)


def use_http(gateway, *apps) -> None:
    configure(
        apps,
        MDT_SMS_PROVIDER="http",
        MDT_SMS_HTTP_URL=gateway.url + "/send",
        MDT_SMS_HTTP_FIELDS={
            "to": "msisdn",
            "text": "message",
            "from": "sender",
            "id": "message_id",
            "callback": "dlr_url",
        },
        MDT_SMS_HTTP_AUTH_HEADER="X-Api-Key",
        MDT_SMS_HTTP_TOKEN="gateway-api-key",
        MDT_SMS_FROM="MDT",
        MDT_SMS_WEBHOOK_SECRET=SECRET,
    )


def use_twilio(gateway, *apps, token=TOKEN) -> None:
    configure(
        apps,
        MDT_SMS_PROVIDER="twilio",
        MDT_SMS_TWILIO_ACCOUNT_SID=SID,
        MDT_SMS_TWILIO_AUTH_TOKEN=token,
        MDT_SMS_TWILIO_BASE_URL=gateway.url,
        MDT_SMS_FROM="+15005550006",
    )


def sign(url: str, params: dict, token: str = TOKEN) -> str:
    """X-Twilio-Signature as Twilio computes it."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def twilio_post(client, kind: str, params: dict, signature: str | None = None):
    path = f"/hooks/sms/twilio/{kind}"
    return client.post(
        path,
        data=params,
        headers={"X-Twilio-Signature": signature or sign(BASE + path, params)},
    )


def reachable_case(world, phone="081-000-0000", given="Malee"):
    """A case whose person may be reminded of court dates by SMS, with a hearing in ten days."""
    case = f.client_case(world, given)
    cases.update_case(world["social"], case, {"person": {"phone": phone, "contact_safe": True}})
    referrals.record_consent(world["social"], case, {"purpose": "contact_sms", "given": True})
    matter = f.matter(world, [case])
    legal.schedule_hearing(world["lawyer"], matter, {"starts_at": f.at(10), "purpose": "Witnesses"})
    db.session.commit()
    return case


def remind_now() -> None:
    f.due_now()
    sending.sweep()
    db.session.expire_all()


def person_reminders(status: str | None = None) -> list[Reminder]:
    stmt = select(Reminder).where(Reminder.person_id.is_not(None))
    if status:
        stmt = stmt.where(Reminder.status == status)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- numbers and words


@pytest.mark.parametrize(
    ("typed", "country", "e164"),
    [
        ("081-234-5678", None, "+66812345678"),
        ("08 1234 5678", "TH", "+66812345678"),
        ("+66 81 234 5678", None, "+66812345678"),
        ("0066812345678", None, "+66812345678"),
        ("66812345678", None, "+66812345678"),
        ("0917-123-4567", None, "+639171234567"),
        ("0917 123 4567", "PH", "+639171234567"),
        ("(02) 8123 4567", "PH", "+63281234567"),
        ("not a number", None, ""),
        ("", None, ""),
    ],
)
def test_numbers_are_read_as_providers_write_them(typed, country, e164):
    assert normalise(typed, country) == e164


@pytest.mark.parametrize(
    "text", ["STOP", " stop ", "Stop.", "UNSUBSCRIBE", "หยุด", "Tigil", "HINTO", "ရပ်", "ឈប់", "ຢຸດ"]
)
def test_stop_in_every_language_people_are_written_to(text):
    assert sms.stop_language(text) is not None


@pytest.mark.parametrize("text", ["please stop calling my employer", "stopped", "หยุดก่อน", "ok"])
def test_a_message_that_only_contains_stop_is_a_reply(text):
    assert sms.stop_language(text) is None


def test_twilio_signature_matches_twilios_published_example(app):
    """The example of Twilio's request-validation documentation (auth token 12345)."""
    with app.app_context():
        app.config["MDT_SMS_TWILIO_AUTH_TOKEN"] = "12345"
        params = {
            "CallSid": "CA1234567890ABCDE",
            "Caller": "+14158675310",
            "Digits": "1234",
            "From": "+14158675310",
            "To": "+18005551212",
        }
        url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        assert Twilio().signature(url, {k: [v] for k, v in params.items()}) == "GvWf1cFY/Q7PnoempGyD5oXAezc="


# ---------------------------------------------------------------- sending


def test_reminders_go_out_through_the_generic_gateway_with_its_field_names(world, app, gateway):
    use_http(gateway, app)
    case = reachable_case(world)
    remind_now()  # 3 days before; its claim adds the one for the day before
    remind_now()
    assert {r.status for r in person_reminders()} == {"sent"}
    sent = [json.loads(r["body"]) for r in gateway.requests]
    assert len(sent) == 2  # 3 days and 1 day before the court date
    first = sent[0]
    assert set(first) == {"msisdn", "message", "sender", "dlr_url"}
    assert first["msisdn"] == "+66810000000" and first["sender"] == "MDT"
    assert first["dlr_url"] == BASE + "/hooks/sms/http/status"
    assert gateway.requests[0]["headers"]["X-Api-Key"] == "gateway-api-key"
    assert not any(word in first["message"] for word in FORBIDDEN_IN["th"])
    messages = db.session.scalars(select(SmsMessage).order_by(SmsMessage.id)).all()
    assert [(m.provider, m.provider_id, m.status, m.case_id, m.number) for m in messages] == [
        ("http", "gw-1", "queued", case.id, "+66810000000"),
        ("http", "gw-2", "queued", case.id, "+66810000000"),
    ]


def test_reminders_go_out_through_twilios_rest_api(world, app, gateway):
    use_twilio(gateway, app)
    case = reachable_case(world)
    remind_now()
    request = gateway.requests[0]
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert base64.b64decode(request["headers"]["Authorization"].split()[1]).decode() == f"{SID}:{TOKEN}"
    form = gateway.form(0)
    assert form["To"] == "+66810000000" and form["From"] == "+15005550006"
    assert form["StatusCallback"] == BASE + "/hooks/sms/twilio/status"
    assert "นัดหมาย" in form["Body"]  # in Thai, the MDT's language
    message = db.session.scalars(select(SmsMessage)).first()
    assert message.provider_id.startswith("SM") and message.case_id == case.id


def test_a_provider_refusal_leaves_the_reminder_to_be_tried_again(world, app, gateway):
    use_twilio(gateway, app, token="wrong-token")  # Twilio answers 401
    reachable_case(world)
    remind_now()
    tried = [r for r in person_reminders() if r.attempts]
    assert tried and {r.status for r in tried} == {"pending"}  # backing off, to be retried
    assert all("401" in r.last_error for r in tried)
    assert db.session.scalars(select(SmsMessage)).first() is None


# ---------------------------------------------------------------- receipts


def test_a_twilio_status_callback_updates_the_delivery_status(world, app, client, web_app, gateway):
    use_twilio(gateway, app, web_app)
    reachable_case(world)
    remind_now()
    sid = db.session.scalars(select(SmsMessage.provider_id)).first()
    params = {"MessageSid": sid, "MessageStatus": "sent", "AccountSid": SID, "To": "+66810000000"}
    assert twilio_post(client, "status", params).status_code == 204
    params["MessageStatus"] = "delivered"
    assert twilio_post(client, "status", params).status_code == 204
    params["MessageStatus"] = "sent"  # a late receipt never takes the status back
    assert twilio_post(client, "status", params).status_code == 204
    db.session.expire_all()
    message = db.session.scalars(select(SmsMessage).where(SmsMessage.provider_id == sid)).one()
    assert message.status == "delivered" and message.status_at is not None


def test_a_gateway_receipt_updates_the_delivery_status(world, app, client, web_app, gateway):
    use_http(gateway, app, web_app)
    reachable_case(world)
    remind_now()
    r = client.post(
        "/hooks/sms/http/status",
        json={"message_id": "gw-1", "status": "UNDELIV", "error": "absent subscriber"},
        headers={"X-MDT-Webhook-Secret": SECRET},
    )
    assert r.status_code == 204
    db.session.expire_all()
    failed = db.session.scalars(select(SmsMessage).where(SmsMessage.provider_id == "gw-1")).one()
    assert (failed.status, failed.error) == ("failed", "absent subscriber")


# ---------------------------------------------------------------- replies


def test_a_reply_is_a_note_for_the_case_team_and_nobody_else(world, app, client, web_app, gateway):
    use_http(gateway, app, web_app)
    case = reachable_case(world)
    # Another person, on a case of another team, messaged earlier at this number (theirs then).
    other = f.case(world["labour"], given="Somsri")
    cases.update_case(world["labour"], other, {"person": {"phone": "0820000000"}})
    db.session.add(SmsMessage(mdt_id=world.mdt.id, case_id=other.id, person_id=other.person_id,
                              number="+66810000000", provider="http", provider_id="gw-old",
                              status="delivered", created_at=clock.now() - timedelta(days=30)))  # fmt: skip
    db.session.commit()
    remind_now()
    reply = "I can come <b>but</b> I need bus money"
    r = client.post(
        f"/hooks/sms/http/inbound?secret={SECRET}",
        json={"sender": "+66 81 000 0000", "message": reply, "message_id": "in-1"},
    )
    assert r.status_code == 200
    # Posted again by the gateway: still one note.
    r = client.post(
        f"/hooks/sms/http/inbound?secret={SECRET}",
        json={"sender": "+66810000000", "message": reply, "message_id": "in-1"},
    )
    assert r.status_code == 200
    db.session.expire_all()
    notes = db.session.scalars(select(Note).where(Note.source == "sms")).all()
    assert [(n.case_id, n.author_id, n.restricted, n.body) for n in notes] == [(case.id, None, False, reply)]
    # The case team reads it (as the person's reply, escaped); the other case's team does not.
    assert [n.body for n in cases.case_notes(world["lawyer"], case)] == [reply]
    assert cases.case_notes(world["labour"], other) == []
    assert cases.case_notes(world["police"], case) == []
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "SMS reply from the person" in page
    assert "I can come &lt;b&gt;but&lt;/b&gt; I need bus money" in page and "<b>but</b>" not in page
    client.post("/logout")
    client.post("/login", data={"email": "police@test.org", "password": f.PASSWORD})
    assert client.get(f"/cases/{case.id}").status_code == 404
    # Told in the app: the member who registered the case, not the other team.
    told = set(db.session.scalars(select(Notification.member_id).where(Notification.kind == "sms_reply")))
    assert told == {world["social"].id}
    assert world["labour"].id not in told


def test_a_reply_from_a_phone_two_people_share_reaches_no_team(world, app, client, web_app, gateway):
    use_http(gateway, app, web_app)
    case = reachable_case(world)
    other = f.case(world["labour"], given="Somsri")
    cases.update_case(world["labour"], other, {"person": {"phone": "081-000-0000"}})  # the family's phone
    db.session.commit()
    remind_now()
    r = client.post(
        f"/hooks/sms/http/inbound?secret={SECRET}",
        json={"sender": "+66810000000", "message": "Is it my sister's appointment?", "message_id": "in-9"},
    )
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Note).where(Note.source == "sms")).all() == []
    assert cases.case_notes(world["social"], case) == [] or all(
        n.source != "sms" for n in cases.case_notes(world["social"], case)
    )


def test_a_reply_matched_to_no_case_is_dropped(world, app, client, web_app, gateway, caplog):
    use_http(gateway, app, web_app)
    reachable_case(world)
    remind_now()
    r = client.post(
        "/hooks/sms/http/inbound",
        json={"sender": "+66899999999", "message": "who is this?", "message_id": "in-x"},
        headers={"X-MDT-Webhook-Secret": SECRET},
    )
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Note).where(Note.source == "sms")).first() is None
    assert db.session.scalars(select(SmsInbound)).first() is None
    assert "+66899999999" not in caplog.text  # the log line does not show the number


def test_a_reply_from_a_number_the_person_no_longer_has_is_dropped(world, app, client, web_app, gateway):
    use_http(gateway, app, web_app)
    case = reachable_case(world)
    remind_now()
    cases.update_case(world["social"], case, {"person": {"phone": "0820000000"}})
    db.session.commit()
    r = client.post(
        "/hooks/sms/http/inbound",
        json={"sender": "+66810000000", "message": "hello", "message_id": "in-2"},
        headers={"X-MDT-Webhook-Secret": SECRET},
    )
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Note).where(Note.source == "sms")).first() is None


def test_stop_in_thai_refuses_contact_by_sms_at_once(world, app, client, web_app, gateway):
    use_twilio(gateway, app, web_app)
    case = reachable_case(world)
    remind_now()
    # A later court date: its reminders are pending when the person says STOP.
    legal.schedule_hearing(
        world["lawyer"], f.matter(world, [case]), {"starts_at": f.at(20), "purpose": "Judgment"}
    )
    db.session.commit()
    assert person_reminders("pending")
    params = {"MessageSid": "SM" + "1" * 32, "From": "+66810000000", "To": "+15005550006", "Body": " หยุด ",
              "AccountSid": SID, "NumMedia": "0"}  # fmt: skip
    r = twilio_post(client, "inbound", params)
    assert r.status_code == 200 and r.mimetype == "text/xml"
    answer = r.get_data(as_text=True)
    assert answer.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    lowered = answer.lower()
    assert not any(word in lowered for words in FORBIDDEN_IN.values() for word in words)
    db.session.expire_all()
    decision = consent.for_case(case, "contact_sms")
    assert not decision.live and decision.state == "refused"
    refusal = decision.consent
    assert (refusal.recorded_by_id, refusal.recorded_via, refusal.given) == (None, "sms", False)
    assert not person_reminders("pending")  # the single decision stopped what was to come
    inbound = db.session.scalars(select(SmsInbound)).one()
    assert (inbound.kind, inbound.consent_id, inbound.case_id) == ("stop", refusal.id, case.id)
    # The team sees the refusal among the consents, recorded by the person.
    client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD})
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "the person, by SMS" in page and "หยุด" in page
    # An ordinary reply afterwards changes no decision.
    params = {**params, "MessageSid": "SM" + "2" * 32, "Body": "ok"}
    assert twilio_post(client, "inbound", params).status_code == 200
    assert (
        db.session.scalar(select(Consent.id).where(Consent.recorded_via == "sms").order_by(Consent.id.desc()))
        == refusal.id
    )


def test_stop_refuses_sms_on_every_case_of_the_person(world, app, client, web_app, gateway):
    use_http(gateway, app, web_app)
    case = reachable_case(world)
    again = cases.create_case(
        world["social"],
        {"source": "self", "person_id": case.person_id, "person": {"given_name": "Malee", "sex": "female"}},
    )
    referrals.record_consent(world["social"], again, {"purpose": "contact_sms", "given": True})
    db.session.commit()
    remind_now()
    r = client.post(
        "/hooks/sms/http/inbound",
        json={"sender": "+66810000000", "message": "STOP", "message_id": "in-stop"},
        headers={"X-MDT-Webhook-Secret": SECRET},
    )
    assert r.status_code == 200
    db.session.expire_all()
    assert consent.for_case(case, "contact_sms").state == "refused"
    assert consent.for_case(again, "contact_sms").state == "refused"
    # The reply itself is a note of the matched case only.
    assert [n.case_id for n in db.session.scalars(select(Note).where(Note.source == "sms"))] == [case.id]


# ---------------------------------------------------------------- refusals


def test_a_wrong_signature_or_secret_is_refused(world, app, client, web_app, gateway):
    use_twilio(gateway, web_app)
    params = {"MessageSid": "SM" + "3" * 32, "From": "+66810000000", "Body": "STOP"}
    assert twilio_post(client, "inbound", params, signature=sign(BASE + "/x", params)).status_code == 403
    assert (
        twilio_post(
            client, "inbound", params, signature=sign(BASE + "/hooks/sms/twilio/inbound", params, "other")
        ).status_code
        == 403
    )
    assert client.post("/hooks/sms/twilio/inbound", data=params).status_code == 403  # no signature
    tampered = sign(BASE + "/hooks/sms/twilio/inbound", params)
    assert twilio_post(client, "inbound", {**params, "Body": "hello"}, signature=tampered).status_code == 403
    assert client.post("/hooks/sms/http/inbound", data=params).status_code == 404  # not the one configured
    use_http(gateway, web_app)
    body = {"sender": "+66810000000", "message": "STOP", "message_id": "in-3"}
    assert client.post("/hooks/sms/http/inbound?secret=wrong", json=body).status_code == 403
    assert client.post("/hooks/sms/http/inbound", json=body).status_code == 403
    web_app.config["MDT_SMS_WEBHOOK_SECRET"] = None  # no secret configured: nothing gets in
    assert client.post("/hooks/sms/http/inbound?secret=", json=body).status_code == 403
    db.session.expire_all()
    assert db.session.scalars(select(Consent).where(Consent.recorded_via == "sms")).first() is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": b"\x00\xff junk", "content_type": "application/octet-stream"},
        {"data": "{not json", "content_type": "application/json"},
        {"json": ["a", "list"]},
        {"json": {"sender": 66810000000, "message": "hi", "message_id": "x"}},
        {"json": {"sender": "+66810000000", "message": {"nested": 1}, "message_id": "x"}},
        {"json": {"sender": "+66810000000", "message": "hi"}},
        {"json": {"message_id": "x" * 500, "sender": "+66810000000", "message": "hi"}},
        {"json": {"sender": "x\x00y", "message": "hi", "message_id": "x"}},
    ],
)
def test_junk_to_the_gateway_webhooks_is_a_400(world, client, web_app, gateway, kwargs):
    use_http(gateway, web_app)
    headers = {"X-MDT-Webhook-Secret": SECRET}
    assert client.post("/hooks/sms/http/inbound", headers=headers, **kwargs).status_code == 400
    assert client.post("/hooks/sms/http/status", headers=headers, **kwargs).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"MessageSid": "SMx", "MessageStatus": "teleported"},
        {"MessageStatus": "delivered"},
        {"MessageSid": "SMx" * 100, "MessageStatus": "delivered"},
    ],
)
def test_junk_to_the_twilio_status_callback_is_a_400(world, client, web_app, gateway, params):
    use_twilio(gateway, web_app)
    assert twilio_post(client, "status", params).status_code == 400


def test_a_receipt_for_an_unknown_message_changes_nothing(world, client, web_app, gateway):
    use_twilio(gateway, web_app)
    params = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"}
    assert twilio_post(client, "status", params).status_code == 204
    inbound = {"MessageSid": "SM" + "8" * 32, "From": "not a phone", "Body": "hi"}
    assert twilio_post(client, "inbound", inbound).status_code == 200


def test_the_webhooks_need_no_csrf_token_and_set_no_cookie(world, database_template, tmp_path, gateway):
    """Forms of the site need a CSRF token; the provider has none, and its signature stands for it."""
    guarded = make_app(database_template, tmp_path, WTF_CSRF_ENABLED=True)
    use_twilio(gateway, guarded)
    client = guarded.test_client()
    assert client.post("/login", data={"email": "social@test.org", "password": f.PASSWORD}).status_code == 400
    r = twilio_post(client, "status", {"MessageSid": "SM" + "7" * 32, "MessageStatus": "delivered"})
    assert r.status_code == 204 and "Set-Cookie" not in r.headers
    with guarded.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_log_provider_has_no_webhooks(world, client):
    assert client.post("/hooks/sms/log/inbound", data={"x": "1"}).status_code == 404
    assert client.post("/hooks/sms/nowhere/status", data={"x": "1"}).status_code == 404


def test_a_bad_sms_configuration_stops_the_app_from_starting(monkeypatch, tmp_path):
    monkeypatch.setenv("MDT_SMS_PROVIDER", "carrier-pigeon")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), {"MDT_ENV": "testing"})
    monkeypatch.setenv("MDT_SMS_PROVIDER", "http")
    monkeypatch.setenv("MDT_SMS_HTTP_FIELDS", "{not json")
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), {"MDT_ENV": "testing"})
    monkeypatch.setenv("MDT_SMS_HTTP_FIELDS", urlencode({"to": "msisdn"}))
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), {"MDT_ENV": "testing"})
