"""What every service's authorization matrix shares (``tests/integration/test_authorization_matrix.py``
in each service): the outcome of one cell, the RPCs a matrix must cover, and the rule that an id
outside the caller's scope answers exactly as an id nobody has.

A matrix written as ``{rpc: (targets, {role: (expected per target)})}`` gets its cells from
``matrix_cells`` and its shape checked by ``assert_rows_complete``. Each matrix keeps its own rows (roles × targets × expected outcome) and its own world (the
people, demands or accounts the cells act on); this module is only the mechanism:

    expected = ALLOW  # or (NotFound, "volunteer_not_found"), ROLE_REQUIRED ...
    assert outcome(lambda: service.get_preferences(caller, volunteer_id)) == expected
    assert set(MATRIX) == caller_taking_rpcs(MatchingService)
    assert_answers_alike(lambda: svc.get(caller, other_citys_id), lambda: svc.get(caller, "x"))
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from timebank_common.errors import DomainError, Forbidden

__all__ = ["ALLOW", "NA", "ROLE_REQUIRED", "assert_answers_alike", "assert_rows_complete",
           "caller_taking_rpcs", "matrix_cells", "outcome"]

ALLOW = "allow"
"""The cell's call succeeds."""
NA = None
"""The cell does not apply (an API client is no person: it has no "self")."""
ROLE_REQUIRED = (Forbidden, "role_required")
"""The caller's role may not do this at all, wherever the target is."""


def outcome(call: Callable[[], Any]) -> Any:
    """``ALLOW`` when ``call()`` succeeds, else the refusal as ``(error class, code)``, e.g.
    ``(NotFound, "person_not_found")``. A failed assertion inside ``call`` (the answer of an
    allowed cell checked) is raised, not turned into an outcome."""
    try:
        call()
    except DomainError as refused:
        return type(refused), refused.code
    return ALLOW


def caller_taking_rpcs(service_class: type) -> set[str]:
    """The RPCs of ``service_class`` that act for a caller (a ``caller`` parameter): each must
    have a row in the service's matrix. Internal RPCs take no caller."""
    return {name for name, member in inspect.getmembers(service_class, inspect.isfunction)
            if getattr(member, "rpc_declaration", None) is not None
            and "caller" in inspect.signature(member).parameters}


def assert_answers_alike(outside: Callable[[], Any], missing: Callable[[], Any]) -> None:
    """Both calls are refused with the same answer but for the id it names: staff do not learn
    from the answer that a person, demand or task exists outside their scope."""
    bodies = []
    for call in (outside, missing):
        try:
            call()
        except DomainError as refused:
            bodies.append((type(refused), {**refused.to_body(), "details": None}))
        else:
            raise AssertionError("the call was not refused")
    assert bodies[0] == bodies[1], bodies


Matrix = Mapping[str, tuple[Sequence[str], Mapping[str, Sequence[Any]]]]


def matrix_cells(matrix: Matrix, roles: Sequence[str]) -> list[Any]:
    """One ``pytest.param(rpc, role, target, expected)`` per cell that applies (``NA`` cells
    left out), with ids ``rpc-role-target``."""
    return [pytest.param(rpc, role, target, rows[role][i], id=f"{rpc}-{role}-{target}")
            for rpc, (targets, rows) in matrix.items() for role in roles
            for i, target in enumerate(targets) if rows[role][i] is not NA]


def assert_rows_complete(matrix: Matrix, roles: Sequence[str]) -> None:
    """Every RPC has a row for every role, with one outcome per target."""
    for rpc, (targets, rows) in matrix.items():
        assert set(rows) == set(roles), rpc
        assert all(len(row) == len(targets) for row in rows.values()), rpc
