"""Local stand-ins for what notify talks to outside itself, for the integration tests:

* ``fake_sms``: an HTTP server speaking Tencent Cloud SMS ``SendSms`` (API 3.0) that
  verifies each request's TC3-HMAC-SHA256 signature (computed here independently, from
  the provider's documented steps) and counts what it accepted;
* ``fake_smtp``: a real SMTP server (aiosmtpd) that keeps every mail it received;
* ``FakeIdentity``: a stand-in nameko ``identity`` answering the internal RPCs notify uses,
  from the ``PEOPLE`` / ``STAFF`` / ``QUALIFICATIONS`` tables a test fills.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from timebank_common.service import rpc as rpc_method
from timebank_common.testing import free_port

SECRET_ID, SECRET_KEY = "AKIDnotifytest", "notify-test-secret-key"

PEOPLE: dict[str, dict] = {}
STAFF: list[dict] = []
QUALIFICATIONS: list[dict] = []


class FakeIdentity:
    name = "identity"

    @rpc_method
    def contact_details(self, person_ids):
        return {"items": [{"person_id": p, "locale": "zh-CN", "is_elder": False,
                           "phone_only": False, "carrier_id": None, "phone": None,
                           **PEOPLE[p]} for p in person_ids if p in PEOPLE]}

    @rpc_method
    def person_names(self, person_ids):
        return {"names": {p: PEOPLE[p]["name"] for p in person_ids if p in PEOPLE}}

    @rpc_method
    def station_staff(self, carrier_id=None, township_code=None):
        return {"items": [s for s in STAFF
                          if (carrier_id and s.get("carrier_id") == carrier_id)
                          or (township_code and s.get("township") == township_code[:9])]}

    @rpc_method
    def qualifications_expiring(self, on_date=None, days=30):
        return {"items": list(QUALIFICATIONS)}


def _tc3(secret_key: str, date: str, service: str, string_to_sign: str) -> str:
    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(("TC3" + secret_key).encode(), date), service), "tc3_request")
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


class SmsProvider:
    """What the fake provider saw: accepted sends, refused signatures, scripted failures."""

    def __init__(self):
        self.accepted: list[dict] = []
        self.bad_signatures = 0
        self.fail_phones: dict[str, int] = {}  # phone -> failures still to answer (-1: always)
        self.lock = threading.Lock()

    def to(self, phone: str) -> list[dict]:
        return [r for r in self.accepted if r["PhoneNumberSet"] == [f"+86{phone}"]]

    def verify(self, headers, body: bytes) -> str | None:
        auth = headers.get("Authorization", "")
        if not auth.startswith("TC3-HMAC-SHA256 "):
            return "AuthFailure.SignatureFailure"
        parts = dict(p.strip().split("=", 1) for p in auth[len("TC3-HMAC-SHA256 "):].split(","))
        secret_id, date, service, terminator = parts["Credential"].split("/")
        if secret_id != SECRET_ID:
            return "AuthFailure.SecretIdNotFound"
        timestamp = int(headers.get("X-TC-Timestamp", "0"))
        if abs(time.time() - timestamp) > 300:
            return "AuthFailure.SignatureExpire"
        names = parts["SignedHeaders"].split(";")
        if not {"content-type", "host"} <= set(names) or names != sorted(names):
            return "AuthFailure.SignatureFailure"
        canonical_headers = "".join(f"{n}:{headers.get(n, '').strip().lower()}\n" for n in names)
        canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(names),
                               hashlib.sha256(body).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/{service}/{terminator}",
                             hashlib.sha256(canonical.encode()).hexdigest()])
        if time.strftime("%Y-%m-%d", time.gmtime(timestamp)) != date or service != "sms":
            return "AuthFailure.SignatureFailure"
        if not hmac.compare_digest(_tc3(SECRET_KEY, date, service, to_sign),
                                   parts["Signature"]):
            return "AuthFailure.SignatureFailure"
        if headers.get("X-TC-Action") != "SendSms" or headers.get("X-TC-Version") != "2021-01-11":
            return "InvalidAction"
        return None


def _handler(provider: SmsProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            refusal = provider.verify(self.headers, body)
            if refusal:
                with provider.lock:
                    provider.bad_signatures += 1
                return self._answer({"Error": {"Code": refusal, "Message": "refused"}})
            request = json.loads(body)
            phone = request["PhoneNumberSet"][0][3:]
            with provider.lock:
                left = provider.fail_phones.get(phone, 0)
                if left:
                    provider.fail_phones[phone] = left - 1 if left > 0 else -1
                    return self._answer({"Error": {"Code": "InternalError.Timeout",
                                                   "Message": "try again"}})
                provider.accepted.append(request)
                serial = f"serial-{len(provider.accepted)}"
            self._answer({"SendStatusSet": [{
                "SerialNo": serial, "PhoneNumber": request["PhoneNumberSet"][0], "Fee": 1,
                "SessionContext": request.get("SessionContext", ""), "Code": "Ok",
                "Message": "send success", "IsoCode": "CN"}]})

        def _answer(self, response: dict):
            data = json.dumps({"Response": {**response, "RequestId": "req-1"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture(scope="module")
def fake_sms():
    provider = SmsProvider()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(provider))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    provider.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    yield provider
    server.shutdown()
    server.server_close()


class Mailbox:
    def __init__(self):
        self.mails = []

    def to(self, address: str):
        return [m for m in self.mails if m["To"] == address]

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(message_from_bytes(envelope.original_content or envelope.content,
                                             policy=policy.default))
        return "250 OK"


@pytest.fixture(scope="module")
def fake_smtp():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def notify_config(service_config, fake_sms, fake_smtp):
    return service_config(
        "notify", DELIVERY_POLL_SECONDS=0.2, REMINDER_POLL_SECONDS=0.2,
        QUALIFICATION_CHECK_SECONDS=3600, RPC_TIMEOUT_SECONDS=5,
        DELIVERY={"max_attempts": 3, "backoff_base_seconds": 0.2, "backoff_cap_seconds": 1,
                  "sending_lease_seconds": 2},
        SMS={"endpoint": fake_sms.endpoint, "secret_id": SECRET_ID, "secret_key": SECRET_KEY,
             "sdk_app_id": "1400000000", "sign_name": "时间银行", "template_id": "100001"},
        SMTP={"host": "127.0.0.1", "port": fake_smtp.port})
