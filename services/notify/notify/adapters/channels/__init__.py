"""Outbound channel adapters: SMS (Tencent Cloud SendSms over signed HTTPS) and e-mail (SMTP).

Each ``send`` returns a provider reference, or raises ``ChannelError`` (the delivery is
retried with backoff, then dead-lettered). Call tasks need no adapter: they are rows in
notify's own database (``app/call_tasks.py``).
"""


class ChannelError(Exception):
    """The provider refused or could not be reached; ``retryable`` False for a permanent
    refusal (e.g. an invalid phone number) that no retry can fix."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class NotConfigured(ChannelError):
    def __init__(self, channel: str):
        super().__init__(f"{channel} is not configured", retryable=False)
