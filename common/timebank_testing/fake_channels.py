"""Local stand-ins for the outside channels notify talks to, for tests (notify's integration
tests and the end-to-end platform):

* ``sms_server()``: an HTTP server speaking Tencent Cloud SMS ``SendSms`` (API 3.0) that
  verifies each request's TC3-HMAC-SHA256 signature — computed here independently of
  notify's adapter, from the provider's documented steps — and keeps what it accepted;
* ``smtp_server()``: a real SMTP server (aiosmtpd, a test dependency) that keeps every mail;
* ``webhook_receiver()``: a municipal system's webhook endpoint that checks each delivery's
  ``Timebank-Signature`` independently of notify's code and can answer 500 on demand.

Both are context managers yielding the recorder (``SmsProvider`` / ``Mailbox``);
``SmsProvider.settings()`` / ``Mailbox.settings()`` are the notify configuration that points
at them, and ``SmsProvider.env()`` / ``Mailbox.env()`` the same as environment variables
(deploy/config/notify.yaml) for a notify process.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .infra import free_port

SECRET_ID, SECRET_KEY = "AKIDnotifytest", "notify-test-secret-key"
SDK_APP_ID, SIGN_NAME, TEMPLATE_ID = "1400000000", "时间银行", "100001"


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
        self.endpoint = ""

    def to(self, phone: str) -> list[dict]:
        """Accepted sends to one mainland number ("139…"), oldest first."""
        with self.lock:
            return [r for r in self.accepted if r["PhoneNumberSet"] == [f"+86{phone}"]]

    def settings(self) -> dict:
        return {"endpoint": self.endpoint, "secret_id": SECRET_ID, "secret_key": SECRET_KEY,
                "sdk_app_id": SDK_APP_ID, "sign_name": SIGN_NAME, "template_id": TEMPLATE_ID}

    def env(self) -> dict:
        return {"SMS_" + key.upper(): value for key, value in self.settings().items()}

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


@contextmanager
def sms_server():
    provider = SmsProvider()
    with _serving(_handler(provider)) as port:
        provider.endpoint = f"http://127.0.0.1:{port}"
        yield provider


@contextmanager
def _serving(handler):
    """An HTTP server on 127.0.0.1 at a free port, in a thread, for the ``with`` block: its port."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class Mailbox:
    """Every mail the local SMTP server received."""

    def __init__(self):
        self.mails = []
        self.port = 0

    def to(self, address: str):
        return [m for m in list(self.mails) if m["To"] == address]

    def settings(self) -> dict:
        return {"host": "127.0.0.1", "port": self.port}

    def env(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.port)}

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(message_from_bytes(envelope.original_content or envelope.content,
                                             policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_server():
    from aiosmtpd.controller import Controller  # noqa: PLC0415 - a test dependency

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


class WebhookReceiver:
    """A municipal system's webhook endpoint: checks each POST's ``Timebank-Signature``
    independently (HMAC-SHA256 of ``"<t>.<body>"`` under ``secret``, set once the endpoint's
    secret is known), keeps what it accepted, and answers 500 to the next ``fail_next(n)``
    requests. A signature older than 5 minutes is refused, by ``clock`` (the sender's, when
    a test moves it) or else the machine's time."""

    def __init__(self):
        self.secret: str | None = None
        self.clock = None
        self.url = ""
        self.received: list[dict] = []  # every request: delivery, signature_ok, status, body
        self._failures_left = 0
        self._lock = threading.Lock()

    def fail_next(self, count: int = 1) -> None:
        with self._lock:
            self._failures_left = count

    def signature_ok(self, header: str, body: bytes) -> bool:
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if self.secret is None or not fields.get("t", "").isdigit():
            return False
        expected = hmac.new(self.secret.encode(), fields["t"].encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        now = self.clock.now().timestamp() if self.clock is not None else time.time()
        fresh = abs(now - int(fields["t"])) <= 300
        return fresh and hmac.compare_digest(expected, fields.get("v1", ""))

    def accepted(self) -> list[dict]:
        """The bodies answered 2xx, each delivery once (a retry repeats its delivery id)."""
        seen: dict[str, dict] = {}
        for request in list(self.received):
            if request["status"] == 204:
                seen.setdefault(request["delivery"], request["body"])
        return list(seen.values())

    def answer(self, headers, body: bytes) -> int:
        ok = self.signature_ok(headers.get("Timebank-Signature", ""), body)
        with self._lock:
            failing = self._failures_left > 0
            if failing:
                self._failures_left -= 1
        status = 401 if not ok else 500 if failing else 204
        self.received.append({"delivery": headers.get("Timebank-Delivery"), "signature_ok": ok,
                              "status": status, "body": json.loads(body or b"null")})
        return status


def _webhook_handler(receiver: WebhookReceiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(receiver.answer(self.headers, body))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def webhook_receiver():
    """A ``WebhookReceiver`` listening on 127.0.0.1 at a free port (``receiver.url``)."""
    receiver = WebhookReceiver()
    with _serving(_webhook_handler(receiver)) as port:
        receiver.url = f"http://127.0.0.1:{port}/timebank/hook"
        yield receiver


ZYH_APP_ID, ZYH_SECRET = "tb-e2e", "zyh-e2e-secret"


class ZyhReceiver:
    """志愿汇 as the platform pushes to it: every batch whose signature verifies (against
    ``now()``, the platform's time: a platform at a simulated time signs with it), answered
    with the scripted ``statuses`` in turn, then 200. A wrong signature counts in
    ``bad_signatures``; a right one whose timestamp is over 5 minutes from ``now()`` in
    ``stale_timestamps`` (both refused with 401)."""

    def __init__(self, now=time.time):
        self.now = now
        self.statuses: list[int] = []
        self.batches: list[dict] = []  # {"status", "records"}
        self.bad_signatures = 0  # wrong signature or app id
        self.stale_timestamps = 0  # right signature, timestamp too far from now()
        self.lock = threading.Lock()
        self.endpoint = ""

    def accepted(self) -> list[dict]:
        """The records of every batch answered 200, in arrival order."""
        with self.lock:
            return [r for b in self.batches if b["status"] == 200 for r in b["records"]]

    def env(self, poll_seconds: float = 0.5) -> dict:
        return {"ZYH_ENABLED": "true", "ZYH_ENDPOINT": self.endpoint, "ZYH_APP_ID": ZYH_APP_ID,
                "ZYH_SECRET": ZYH_SECRET, "ZYH_POLL_SECONDS": str(poll_seconds),
                "ZYH_BACKOFF_BASE_SECONDS": "1", "ZYH_BACKOFF_CAP_SECONDS": "5"}


def _zyh_handler(receiver: ZyhReceiver):
    from timebank_common import signed_http

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            timestamp = int(self.headers.get("X-Zyh-Timestamp", "0"))
            # the signature checked apart from the timestamp's age: a simulated platform's
            # clock may jump forward while a push is on its way (refused as stale all the same)
            signed = signed_http.verify(ZYH_SECRET, self.headers.get("X-Zyh-Signature", ""),
                                        timestamp, body, timestamp,
                                        self.headers.get("X-Zyh-Nonce", ""))
            fresh = signed_http.verify(ZYH_SECRET, self.headers.get("X-Zyh-Signature", ""),
                                       timestamp, body, int(receiver.now()),
                                       self.headers.get("X-Zyh-Nonce", ""))
            with receiver.lock:
                if not signed or self.headers.get("X-Zyh-App-Id") != ZYH_APP_ID:
                    receiver.bad_signatures += 1
                    status = 401
                elif not fresh:
                    receiver.stale_timestamps += 1
                    status = 401
                else:
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.batches.append({"status": status,
                                             "records": json.loads(body)["records"]})
            data = b'{"code":0}' if status == 200 else b'{"code":1}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def zyh_server(now=time.time):
    """A local 志愿汇 receiver on a free port for the ``with`` block (``ZyhReceiver``)."""
    receiver = ZyhReceiver(now)
    with _serving(_zyh_handler(receiver)) as port:
        receiver.endpoint = f"http://127.0.0.1:{port}/push"
        yield receiver
