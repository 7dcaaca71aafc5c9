"""Asking another service over RPC without ever hanging on it (DESIGN.md §3).

An RPC to a service that is away is never answered (its queue fills and nobody consumes it),
or refused at once when its queue does not exist (nameko's ``UnknownService``). Either way
the caller answers 503 ``<service>_unavailable`` with a Chinese and English message, after
at most ``<SERVICE>_RPC_TIMEOUT_SECONDS`` of its own configuration (default 5)::

    remote.ask(self.config, self.identity, "identity", "get_person", caller, person_id)

The mechanism only; which questions a service asks, and what it does without an answer, are
its own business.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import ALL_ERRORS, Unavailable

DEFAULT_TIMEOUT_SECONDS = 5.0
SERVICE_NAMES_ZH = {"identity": "身份服务", "demand": "需求服务", "ledger": "时间账户服务",
                    "matching": "匹配服务", "notify": "通知服务"}


def register_errors() -> None:
    """Register the kit's error types with nameko, so a refusal raised in one service arrives
    as the same type in the caller (not a generic ``RemoteError``). Every process that calls
    or serves RPC does this once: ``service.py`` (all services and the gateway) at import,
    command-line tools and tests before their first call. Idempotent."""
    from nameko.exceptions import deserialize_to_instance  # noqa: PLC0415

    for error_type in ALL_ERRORS:
        deserialize_to_instance(error_type)


def answer_within(seconds: float, call: Callable[..., Any], *args: Any,
                  unavailable: Unavailable) -> Any:
    """``call(*args)`` (an RPC to another service), or ``unavailable`` raised when no answer
    comes within ``seconds``: a caller never hangs on a service that is away (an RPC queue
    with nobody consuming it is never answered)."""
    import eventlet  # noqa: PLC0415 — the services run under eventlet

    try:
        with eventlet.Timeout(seconds):
            return call(*args)
    except eventlet.Timeout:
        raise unavailable from None


def unavailable(service: str) -> Unavailable:
    """503 ``<service>_unavailable``: the service did not answer; retry later."""
    name_zh = SERVICE_NAMES_ZH.get(service, f"{service} 服务")
    return Unavailable(f"{service}_unavailable", f"{name_zh}暂时无响应，请稍后重试",
                       f"The {service} service did not answer; please retry",
                       {"service": service})


def timeout_for(config: Mapping | None, service: str) -> float:
    """``<SERVICE>_RPC_TIMEOUT_SECONDS`` from the asking service's config (default 5)."""
    setting = f"{service.upper()}_RPC_TIMEOUT_SECONDS"
    return float((config or {}).get(setting, DEFAULT_TIMEOUT_SECONDS))


def ask(config: Mapping | None, proxy, service: str, method: str, *args,
        timeout_factor: float = 1.0):
    """``proxy.<method>(*args)`` (``proxy``: the ``RpcProxy(service)`` dependency), or
    503 ``<service>_unavailable`` when no answer comes within ``timeout_for(config,
    service)`` seconds or the service is not there at all. A refusal the service answers
    (its own ``DomainError``) passes through unchanged. ``timeout_factor``: a question known
    to take longer (a page of a bulk listing) waits that many times the timeout. A question
    RabbitMQ did not take (its node died or was cut off and kombu's failover round ran out)
    is 503 too: asked again, it may go through."""
    from kombu.exceptions import OperationalError as BrokerUnreachable  # noqa: PLC0415
    from nameko.exceptions import UnknownService  # noqa: PLC0415 — nameko at call time only

    error = unavailable(service)
    try:
        return answer_within(timeout_for(config, service) * timeout_factor,
                             getattr(proxy, method), *args, unavailable=error)
    except (UnknownService, BrokerUnreachable):
        raise error from None
