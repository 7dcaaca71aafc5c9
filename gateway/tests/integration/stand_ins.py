"""Stand-in RPCs held to the contracts of the services they replace.

The gateway's integration tests run the real gateway against small stand-in services. A
stand-in that answers less (or other) than its service does would test a gateway that cannot
exist; the strict gateway (``STRICT_RESPONSES``) only catches what its route's response schema
sees. So each stand-in RPC is declared with ``@answers_as("ledger")``: its answer is checked
against the ``returns=`` declaration of the RPC of the same name in that service, as the
service checks its own answers in its tests (``CHECK_CONTRACTS="strict"``), and an answer
outside it raises ``ContractBroken`` (the gateway then answers 500).

A test that wants a service to break its contract on purpose returns
``OutsideContract(answer)``, visible at the place it happens.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from timebank_common.contracts import RpcDeclaration, conforms
from timebank_common.rpc import rpc
from timebank_common.runner import service_class
from timebank_common.service import ContractBroken, loads_back


@dataclass(frozen=True)
class OutsideContract:
    """An answer a stand-in sends unchecked: the service breaking its contract on purpose."""

    answer: Any


@functools.cache
def declaration_of(service: str, method: str) -> RpcDeclaration:
    """The ``@rpc(args=..., returns=...)`` declaration of ``service.method``."""
    declaration = getattr(getattr(service_class(service), method, None), "rpc_declaration", None)
    if declaration is None:
        raise LookupError(f"{service} declares no RPC named {method!r}")
    return declaration


def contract_problems(service: str, method: str, answer: Any) -> list[str]:
    """What in ``answer`` the service's declaration of ``method`` refuses (empty: none)."""
    returns = declaration_of(service, method).returns
    return conforms(returns, answer) or loads_back(returns, answer)


def answers_as(service: str, *, expected_exceptions: Any = ()) -> Callable[..., Any]:
    """A nameko ``@rpc`` whose answer must meet ``service``'s contract for the method."""

    def decorate(method: Callable[..., Any]) -> Any:
        declaration_of(service, method.__name__)  # a misnamed stand-in fails at import

        @functools.wraps(method)
        def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
            answer = method(self, *args, **kwargs)
            if isinstance(answer, OutsideContract):
                return answer.answer
            problems = contract_problems(service, method.__name__, answer)
            if problems:
                raise ContractBroken(f"stand-in {service}.{method.__name__}: "
                                     + "; ".join(problems[:20]))
            return answer

        return rpc(expected_exceptions=expected_exceptions)(checked)

    return decorate
