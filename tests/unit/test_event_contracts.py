"""No event schema exists twice (DESIGN.md §2): a consumer handles a producer's declared event
with the producer's ``EventContract`` and keeps no payload schema of its own for it.

* Every event handler of every service (nameko entrypoints on the service class: the kit's
  ``ReliableEventHandler`` and ``BatchEventHandler``, and nameko's own ``EventHandler``, which
  the gateway's broadcast uses) handles an event its producer declares in ``EVENTS``; a
  service's handler module holds that very contract (it declares the handler with it and
  reads the payload with ``CONTRACT.load_event``).
* No marshmallow schema of a service (contracts included), other than the payloads of the
  events it produces, mirrors another service's event: neither its name
  (``ServiceRecordedPayload``, ``ReviewOverdueEvent``) nor its docstring (``demand's
  service_recorded``) names one, and no ``consumed`` module (where the copies lived) is left.
  The check is shown to catch such a copy, and to have looked at the services' schemas, so it
  cannot pass by finding nothing.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from types import ModuleType

import pytest
from marshmallow import Schema, fields

from timebank_common.contract_docs import SERVICES, service_class
from timebank_common.contracts import EventContract

PROCESSES = (*SERVICES, "gateway")


def declared_events() -> dict[tuple[str, str], EventContract]:
    """(producer, event) -> the producer's contract, for every event a service declares."""
    declared = {}
    for service in SERVICES:
        for contract in importlib.import_module(f"{service}.contracts").EVENTS:
            assert contract.source == service, f"{service} declares {contract.source}'s event"
            declared[(contract.source, contract.name)] = contract
    return declared


def handlers(process: str) -> Iterator[tuple[str, str, str, object]]:
    """(producer, event, method name, method) of each event handler of a process."""
    from nameko.events import EventHandler

    from timebank_common.batch_events import BatchEventHandler

    cls = service_class(process)
    for name, method in inspect.getmembers(cls, inspect.isfunction):
        for entrypoint in getattr(method, "nameko_entrypoints", ()):
            if isinstance(entrypoint, EventHandler | BatchEventHandler):
                yield entrypoint.source_service, entrypoint.event_type, name, method


def test_every_handled_event_is_a_contract_its_producer_declares():
    declared = declared_events()
    undeclared = [f"{p}.{method}: {source}.{event}" for p in PROCESSES
                  for source, event, method, _ in handlers(p)
                  if (source, event) not in declared]
    assert undeclared == []
    consumers = {p for p in PROCESSES if any(handlers(p))}
    assert consumers == {"identity", "demand", "matching", "ledger", "notify", "reporting",
                         "gateway"}


@pytest.mark.parametrize("service", SERVICES)
def test_a_services_handlers_hold_the_producers_contract(service):
    """Declared with the producer's ``EventContract`` and read with it: the handler's module
    holds that contract object (not a name pair and a schema of its own)."""
    declared = declared_events()
    for source, event, method_name, method in handlers(service):
        original = inspect.unwrap(method)
        held = [v for v in original.__globals__.values() if v is declared[(source, event)]]
        assert held, (f"{service}.{method_name} handles {source}.{event} without "
                      f"{source}'s contract")


# --- no copies -------------------------------------------------------------------------------
_SUFFIXES = ("Event", "Payload", "Seen", "Schema", "In")


def _words(camel: str) -> list[str]:
    return re.findall(r"[A-Z][a-z0-9]*", camel)


def mirrored_events(schema: type[Schema], service: str,
                    declared: dict[tuple[str, str], EventContract]) -> list[str]:
    """The other services' events a schema of ``service`` names: its name (less a suffix
    such as Event or Payload) is the event's name in CamelCase or the last two or more words
    of it, or its docstring names the event."""
    name = schema.__name__
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and name != suffix:
            name = name[: -len(suffix)]
            break
    own = _words(name)
    doc = inspect.getdoc(schema) if "__doc__" in vars(schema) else ""
    found = []
    for (source, event), _ in declared.items():
        if source == service:
            continue
        words = [w.capitalize() for w in event.split("_")]
        named = len(own) >= 2 and own == words[-len(own):]
        told = re.search(rf"(?<![a-z_]){event}(?![a-z_])", doc or "") is not None
        if named or told:
            found.append(f"{source}.{event}")
    return found


def service_modules(package: str) -> Iterator[ModuleType]:
    """Every module of a service or the gateway."""
    root = importlib.import_module(package)
    yield root
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        yield importlib.import_module(info.name)


def schemas_of(module: ModuleType) -> list[type[Schema]]:
    return [cls for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Schema) and cls.__module__ == module.__name__]


def test_no_service_keeps_a_schema_of_another_services_event():
    declared = declared_events()
    produced = {c.payload for c in declared.values()}  # each declared once, by its producer
    copies, looked_at, modules = [], 0, []
    for package in PROCESSES:
        for module in service_modules(package):
            modules.append(module.__name__)
            for schema in schemas_of(module):
                if schema in produced:
                    continue
                looked_at += 1
                copies += [f"{module.__name__}.{schema.__name__} mirrors {event}"
                           for event in mirrored_events(schema, package, declared)]
    assert copies == []
    assert [m for m in modules if m.rsplit(".", 1)[-1] == "consumed"] == []
    # not vacuous: the services' other schemas (RPC inputs and answers, clients' answers, the
    # gateway's bodies) were looked at
    assert looked_at >= 200, looked_at


def test_the_check_catches_a_copy_by_its_name_or_its_docstring():
    declared = declared_events()

    class ServiceRecordedPayload(Schema):  # the ledger's old copy
        record_id = fields.String(required=True)

    class ReviewOverdueEvent(Schema):  # notify's old copy of demand_review_overdue
        demand_id = fields.String(required=True)

    class ReservationReplyIn(Schema):
        """The ledger's ``reservation_made`` / ``reservation_refused`` (other fields
        ignored)."""

    class Envelope(Schema):
        event_id = fields.String(required=True)

    assert mirrored_events(ServiceRecordedPayload, "ledger", declared) == [
        "demand.service_recorded"]
    assert mirrored_events(ReviewOverdueEvent, "notify", declared) == [
        "demand.demand_review_overdue"]
    assert mirrored_events(ReservationReplyIn, "demand", declared) == [
        "ledger.reservation_made", "ledger.reservation_refused"]
    assert mirrored_events(ServiceRecordedPayload, "demand", declared) == []  # its producer
    assert mirrored_events(Envelope, "matching", declared) == []
