"""Ids that come from outside (a path of the HTTP API, an RPC argument): a malformed one is
refused with its own code before any query."""
from __future__ import annotations

import uuid

from timebank_common.errors import BadInput


def _uuid(value: object, code: str, zh: str, en: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise BadInput(code, zh, en) from None


def message_id(value: object) -> str:
    return _uuid(value, "invalid_message_id", "消息编号格式不正确",
                 "The message id is not a valid UUID")


def call_task_id(value: object) -> str:
    return _uuid(value, "invalid_call_task_id", "电话任务编号格式不正确",
                 "The call task id is not a valid UUID")


def delivery_id(value: object) -> str:
    return _uuid(value, "invalid_delivery_id", "投递编号格式不正确",
                 "The delivery id is not a valid UUID")
