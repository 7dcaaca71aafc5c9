"""``docs/rpc-and-events.md``, generated from the contracts: each service's declared RPCs
(``service.rpc(args=..., returns=...)`` next to each entrypoint), the events it produces
(``EVENTS`` in its contracts) and who consumes them (its ``event_handler`` declarations).

    python -m timebank_common.contract_docs            # write docs/rpc-and-events.md
    python -m timebank_common.contract_docs --check    # exit 1 when the committed file is stale

A test runs the check, so the document never drifts from the code.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields

from .contracts import EventContract, RpcDeclaration, schema_instance

SERVICES = ("identity", "demand", "matching", "ledger", "notify", "reporting")
DOCUMENT = Path("docs") / "rpc-and-events.md"

HEADER = """\
# RPC and events between services

**Generated** from the contracts by `python -m timebank_common.contract_docs`; do not edit by
hand (a test fails when this file is stale). Each service's RPCs are declared next to their
entrypoints (`@rpc(args=..., returns=...)`), its events in its `contracts` (`EVENTS`).

Conventions (all services):
- An RPC that acts for a person takes `caller` first: `{person_id, roles, scope, carrier_id,
  client_id, name, session_id}` (`timebank_common.caller.Caller`; `password_change_required:
  true` only for a login whose one-time password is not yet changed, which the gateway lets
  change it or log out and nothing else); the service enforces role and region scope itself. *Internal* RPCs are asked by other services, never for a person.
- Arguments named in the declaration are loaded with their schema: a refusal is 400
  `validation_failed` with the fields in `details`. Other refusals are the kit's typed errors
  (`BadInput` 400, `Unauthenticated` 401, `Forbidden` 403, `NotFound` 404, `Conflict` 409,
  `RuleViolation` 422, `Locked` 423, `Gone` 410, `Unavailable` 503) with a code and zh + en messages.
- Times cross as ISO 8601 strings with offset; durations as integer minutes; ids as UUID
  strings; regions as 12-digit strings.
- Events are written to the producer's outbox in the transaction of the change and arrive as
  the envelope `{event_id, event_type, occurred_at, v, region_code, payload}`; each consumer
  records the event id in its inbox in the transaction of its effect.
"""


@dataclass
class RpcDoc:
    name: str
    params: list[str]
    declaration: RpcDeclaration | None
    summary: str


@dataclass
class ServiceDoc:
    name: str
    summary: str
    rpcs: list[RpcDoc] = field(default_factory=list)
    events: list[EventContract] = field(default_factory=list)
    handlers: list[tuple[str, str, str]] = field(default_factory=list)  # source, event, method


def service_class(service: str) -> type:
    module = importlib.import_module(f"{service}.service")
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if getattr(obj, "name", None) == service and obj.__module__ == module.__name__:
            return obj
    raise LookupError(f"no nameko service named {service!r} in {module.__name__}")


def _entrypoints(cls: type) -> Iterator[tuple[str, Any, Any]]:
    for name, member in inspect.getmembers(cls, inspect.isfunction):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            yield name, member, entrypoint


def _first_paragraph(doc: str | None) -> str:
    text = inspect.cleandoc(doc or "").split("\n\n", 1)[0]
    return " ".join(text.split())


def collect(service: str) -> ServiceDoc:
    from nameko.rpc import Rpc  # noqa: PLC0415 — only the generator needs nameko

    from .batch_events import BatchEventHandler  # noqa: PLC0415
    from .events import ReliableEventHandler  # noqa: PLC0415

    cls = service_class(service)
    package = importlib.import_module(service)
    doc = ServiceDoc(service, _first_paragraph(package.__doc__ or cls.__doc__))
    for name, method, entrypoint in _entrypoints(cls):
        if isinstance(entrypoint, Rpc):
            params = [p for p in inspect.signature(method).parameters if p != "self"]
            doc.rpcs.append(RpcDoc(name, params, getattr(method, "rpc_declaration", None),
                                   _first_paragraph(method.__doc__)))
        elif isinstance(entrypoint, ReliableEventHandler | BatchEventHandler):
            args, _ = entrypoint._Extension__params
            doc.handlers.append((args[0], args[1], name))
    try:
        contracts = importlib.import_module(f"{service}.contracts")
    except ModuleNotFoundError:
        contracts = None
    doc.events = list(getattr(contracts, "EVENTS", ()))
    doc.rpcs.sort(key=lambda r: r.name)
    return doc


# --- rendering ---------------------------------------------------------------------------
_SCALARS = [(fields.Boolean, "boolean"), (fields.Integer, "integer"), (fields.Number, "number"),
            (fields.AwareDateTime, "date-time"), (fields.NaiveDateTime, "date-time"),
            (fields.DateTime, "date-time"), (fields.Date, "date"), (fields.Time, "time"),
            (fields.UUID, "uuid"), (fields.Email, "e-mail"), (fields.Url, "url"),
            (fields.String, "string")]


class Renderer:
    """Markdown for services, with each schema written once in a closing section."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}

    def schema_ref(self, declared: Any) -> str:
        schema = schema_instance(declared)
        name = type(schema).__name__
        known = self.schemas.get(name)
        if known is not None and type(known) is not type(schema):
            name = f"{type(schema).__module__}.{name}"
        self.schemas.setdefault(name, schema)
        ref = f"[`{name}`](#{name.lower().replace('.', '')})"
        return f"[{ref}]" if schema.many else ref

    def type_of(self, declared: Any) -> str:
        if declared is None:
            return "—"
        if isinstance(declared, type) and issubclass(declared, Schema) or \
                isinstance(declared, Schema):
            return self.schema_ref(declared)
        if isinstance(declared, fields.Nested):
            ref = self.schema_ref(declared.schema)
            return f"[{ref}]" if declared.many else ref
        if isinstance(declared, fields.List):
            return f"[{self.type_of(declared.inner)}]"
        if isinstance(declared, fields.Dict):
            values = declared.value_field
            return f"{{string: {self.type_of(values)}}}" if values is not None else "object"
        for field_type, label in _SCALARS:
            if isinstance(declared, field_type):
                choices = _choices(declared)
                return f"{label} ({choices})" if choices else label
        return "any"

    def field_rows(self, schema: Schema, loading: bool) -> list[str]:
        rows = []
        for name, declared in schema.fields.items():
            if (declared.dump_only and loading) or (declared.load_only and not loading):
                continue
            key = declared.data_key or name
            notes = []
            if declared.required:
                notes.append("required")
            if declared.allow_none and not declared.required:
                notes.append("nullable")
            description = (declared.metadata or {}).get("description")
            if description:
                notes.append(str(description))
            rows.append(f"| `{key}` | {self.type_of(declared)} | {'; '.join(notes)} |")
        return rows

    def service(self, doc: ServiceDoc, consumers: dict[tuple[str, str], list[str]]) -> list[str]:
        out = [f"## {doc.name}", ""]
        if doc.summary:
            out += [doc.summary, ""]
        out += ["| RPC | arguments | answer | what |", "|---|---|---|---|"]
        for r in doc.rpcs:
            declaration = r.declaration
            params = ", ".join(r.params)
            if declaration is None:
                out.append(f"| `{r.name}({params})` | *not declared* | | {r.summary} |")
                continue
            args = ", ".join(f"`{n}`: {self.type_of(d)}" for n, d in declaration.args.items())
            what = ("*internal.* " if declaration.internal else "") + \
                ("*idempotent: `idempotency_key`.* " if declaration.idempotent else "") + r.summary
            out.append(f"| `{r.name}({params})` | {args or '—'} | "
                       f"{self.type_of(declaration.returns)} | {what} |")
        out.append("")
        if doc.events:
            out += ["| event | payload | consumers | what |", "|---|---|---|---|"]
            for event in sorted(doc.events, key=lambda e: e.name):
                who = ", ".join(f"`{c}`" for c in consumers.get((doc.name, event.name), []))
                out.append(f"| `{event.name}` (v{event.version}) | "
                           f"{self.schema_ref(event.payload)} | {who or '—'} | {event.summary} |")
            out.append("")
        return out

    def schema_section(self) -> list[str]:
        out = ["## Schemas", ""]
        done: set[str] = set()
        while len(done) < len(self.schemas):  # rendering a schema may name more schemas
            for name in sorted(set(self.schemas) - done):
                done.add(name)
                schema = self.schemas[name]
                loading = [self.field_rows(schema, loading=True)]
                dumping = [self.field_rows(schema, loading=False)]
                out += [f"### {name}", ""]
                doc = _first_paragraph(type(schema).__doc__)
                if doc:
                    out += [doc, ""]
                rows = loading[0] if loading[0] == dumping[0] else \
                    loading[0] + [r for r in dumping[0] if r not in loading[0]]
                out += ["| field | type | notes |", "|---|---|---|", *rows, ""]
        return out


def _choices(declared: Any) -> str:
    validators = declared.validators if hasattr(declared, "validators") else []
    for validator in validators:
        choices = getattr(validator, "choices", None)
        if choices:
            return " \\| ".join(f"`{c}`" for c in choices)
    return ""


def render(services: tuple[str, ...] = SERVICES) -> str:
    docs = [collect(s) for s in services]
    consumers: dict[tuple[str, str], list[str]] = {}
    for doc in docs:
        for source, event, method in doc.handlers:
            consumers.setdefault((source, event), []).append(f"{doc.name}.{method}")
    renderer = Renderer()
    lines = [HEADER]
    for doc in docs:
        lines += renderer.service(doc, consumers)
    lines += renderer.schema_section()
    return "\n".join(lines).rstrip() + "\n"


def undeclared(services: tuple[str, ...] = SERVICES) -> list[str]:
    """``service.method`` of every RPC without a declaration."""
    return [f"{d.name}.{r.name}" for d in map(collect, services) for r in d.rpcs
            if r.declaration is None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when the file is stale")
    parser.add_argument("--output", default=str(DOCUMENT))
    args = parser.parse_args(argv)
    text = render()
    path = Path(args.output)
    if args.check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"{path} is stale: run python -m timebank_common.contract_docs",
                  file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
