"""E-mail over SMTP (STARTTLS and login when configured), Chinese first, English below."""
from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from . import ChannelError, NotConfigured


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 25
    sender: str = "时间银行 <noreply@timebank.local>"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout_seconds: float = 10.0

    @classmethod
    def from_config(cls, config: dict | None) -> SmtpSettings:
        config = config or {}
        kinds: dict[str, Callable[[Any], Any]] = {
            "port": int, "timeout_seconds": float,
            "starttls": lambda v: str(v).lower() in ("1", "true", "yes")}
        values: dict[str, Any] = {k: kinds.get(k, str)(v) for k, v in config.items()
                                  if k in cls.__dataclass_fields__ and v not in (None, "")}
        return cls(**values)


def compose(sender: str, to: str, message: dict, reference: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, to
    mail["Subject"] = f"{message['title_zh']} / {message['title_en']}"
    mail["Message-ID"] = make_msgid(idstring=reference.replace("-", ""))
    mail["X-Timebank-Delivery"] = reference
    mail.set_content(f"{message['body_zh']}\n\n{message['body_en']}\n\n——时间银行 Time Bank")
    return mail


class SmtpEmail:
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def send(self, to: str, message: dict, reference: str) -> str:
        s = self.settings
        if not s.host:
            raise NotConfigured("email")
        mail = compose(s.sender, to, message, reference)
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            raise ChannelError(f"address refused: {exc.recipients}", retryable=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"smtp failed: {exc.__class__.__name__}: {exc}") from None
        if refused:
            raise ChannelError(f"address refused: {refused}", retryable=False)
        return mail["Message-ID"]
