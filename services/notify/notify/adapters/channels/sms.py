"""SMS through Tencent Cloud SMS ``SendSms`` (API 3.0, version 2021-01-11), signed with
TC3-HMAC-SHA256 (``sms_signature``).

Request body (JSON)::

    {"PhoneNumberSet": ["+8613800000000"], "SmsSdkAppId": "1400000000",
     "SignName": "<approved signature>", "TemplateId": "<approved template>",
     "TemplateParamSet": ["<title>", "<text>"], "SessionContext": "<delivery id>"}

Answer: ``{"Response": {"SendStatusSet": [{"SerialNo", "PhoneNumber", "Code": "Ok", ...}],
"RequestId"}}`` or ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``.
Mainland-China SMS must use a template approved by the provider: configure one generic
template whose two parameters are the title and the text.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from . import ChannelError, NotConfigured
from .sms_signature import signed_headers

ACTION, VERSION, SERVICE = "SendSms", "2021-01-11", "sms"
# provider codes that no retry can fix (a wrong number, an unapproved template, ...)
PERMANENT = ("InvalidParameterValue", "FailedOperation.PhoneNumberInBlacklist",
             "FailedOperation.TemplateIncorrectOrUnapproved", "UnsupportedOperation")


@dataclass(frozen=True)
class SmsSettings:
    endpoint: str = ""  # e.g. https://sms.tencentcloudapi.com
    secret_id: str = ""
    secret_key: str = ""
    sdk_app_id: str = ""
    sign_name: str = ""
    template_id: str = ""
    region: str = "ap-guangzhou"
    timeout_seconds: float = 5.0

    @classmethod
    def from_config(cls, config: dict | None) -> SmsSettings:
        config = config or {}
        values: dict[str, Any] = {k: (float(v) if k == "timeout_seconds" else str(v))
                                  for k, v in config.items()
                                  if k in cls.__dataclass_fields__ and v}
        return cls(**values)

    @property
    def configured(self) -> bool:
        return bool(self.endpoint and self.secret_id and self.secret_key)


def mainland(phone: str) -> str:
    """E.164 for a mainland number: "13800000000" → "+8613800000000"."""
    phone = phone.strip().replace(" ", "").replace("-", "")
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentSms:
    def __init__(self, settings: SmsSettings):
        self.settings = settings

    def send(self, phone: str, title: str, text: str, reference: str) -> str:
        s = self.settings
        if not s.configured:
            raise NotConfigured("sms")
        payload = json.dumps({
            "PhoneNumberSet": [mainland(phone)], "SmsSdkAppId": s.sdk_app_id,
            "SignName": s.sign_name, "TemplateId": s.template_id,
            "TemplateParamSet": [title, text], "SessionContext": reference,
        }, ensure_ascii=False).encode("utf-8")
        host = urlsplit(s.endpoint).netloc
        headers = signed_headers(s.secret_id, s.secret_key, service=SERVICE, host=host,
                                 action=ACTION, version=VERSION, region=s.region,
                                 timestamp=int(time.time()), payload=payload)
        try:
            answer = requests.post(s.endpoint, data=payload, headers=headers,
                                   timeout=s.timeout_seconds)
            body = answer.json().get("Response", {})
        except (requests.RequestException, ValueError) as exc:
            raise ChannelError(f"sms provider unreachable: {exc.__class__.__name__}") from None
        if "Error" in body:
            code = body["Error"].get("Code", "")
            raise ChannelError(f"sms refused: {code} {body['Error'].get('Message', '')}",
                               retryable=not code.startswith(PERMANENT))
        statuses = body.get("SendStatusSet") or [{}]
        status = statuses[0]
        if status.get("Code") != "Ok":
            code = status.get("Code", "")
            raise ChannelError(f"sms not sent: {code} {status.get('Message', '')}",
                               retryable=not code.startswith(PERMANENT))
        return status.get("SerialNo") or body.get("RequestId") or ""
