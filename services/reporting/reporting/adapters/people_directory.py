"""What the national export asks other services, over nameko RPC (``proxy``: the service's
``RpcProxy``, or the export context's ``rpc(name)``): identity for the volunteers (volunteer
number, name, ID type and number; reporting's system caller; audited by identity), in batches
of at most ``BATCH`` ids; demand for the catalogue's category names. Recorders' and stations'
names are ``adapters/identity.py``'s, as for every report."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from timebank_common.caller import system_caller

log = logging.getLogger(__name__)

BATCH = 500
"""Ids per question (identity answers at most 500)."""

CALLER = system_caller("reporting")


def _batches(ids: Iterable[str]) -> Iterable[list[str]]:
    unique = [i for i in dict.fromkeys(ids) if i]
    for start in range(0, len(unique), BATCH):
        yield unique[start:start + BATCH]


class IdentityDirectory:
    """identity's answers for one export (``export``: reference, kind, region_code, written to
    identity's audit log with every call)."""

    def __init__(self, proxy: Any, export: Mapping[str, str]):
        self.proxy, self.export = proxy, dict(export)

    def volunteers(self, person_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for batch in _batches(person_ids):
            answer = self.proxy.national_volunteers(CALLER, batch, self.export)
            found.update({item["person_id"]: item for item in answer["items"]})
        return found


def category_names(proxy: Any) -> Callable[[str | None], str]:
    """Category code -> its Chinese name from demand's catalogue (the active categories); the
    code itself when the catalogue does not name it or demand does not answer (a name must
    not stop the export: the code still tells the category)."""
    try:
        names = {c["code"]: c["name_zh"] for c in proxy.catalog()}
    except Exception as exc:  # noqa: BLE001
        log.warning("no category names for the national export: %r", exc)
        names = {}
    return lambda code: names.get(code or "", code or "")
