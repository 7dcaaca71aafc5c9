"""Render the chart offline and validate every manifest against its schema.

    .venv/bin/python deploy/k8s/render.py province            # both releases' manifests, YAML
    .venv/bin/python deploy/k8s/render.py staging --part app  # one release (data | app)
    .venv/bin/python deploy/k8s/render.py --check             # every environment: lint, render,
                                                              # validate; exit 1 on any error

Rendering is ``helm template`` with the official Helm binary from a PyPI package (deploy/k8s/
tools.py); validation is ``kubernetes-validate`` (PyPI: the Kubernetes OpenAPI schemas as JSON
schemas, strict: an unknown field is an error) for built-in kinds, and ``jsonschema`` against the
vendored CRD schemas in deploy/k8s/schemas/ (KEDA, RabbitMQ Cluster Operator, CloudNativePG,
Barman Cloud plugin) for the operators' kinds, made strict the same way (an object schema that
lists its properties and does not preserve unknown fields rejects others, as the API server's
strict field validation does; the API server itself would prune them silently).
"""
from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CHART = HERE / "chart"
VALUES = HERE / "values"
SCHEMAS = HERE / "schemas"
ENVIRONMENTS = tuple(sorted(p.stem for p in VALUES.glob("*.yaml")))
# the data layer and the application are two releases of the chart (README: "Install")
PARTS = {"data": ["--set", "app.enabled=false"], "app": ["--set", "data.enabled=false"]}
RELEASES = {"data": "timebank-data", "app": "timebank"}
# the oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest one tested
KUBE_VERSIONS = ("1.30.0", "1.35.0")

sys.path.insert(0, str(HERE))
import tools  # noqa: E402


class RenderError(RuntimeError):
    pass


def helm(*args: str) -> str:
    done = subprocess.run([str(tools.binary("helm")), *args], capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise RenderError(f"helm {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def lint(environment: str) -> str:
    return helm("lint", "--strict", str(CHART), "-f", str(VALUES / f"{environment}.yaml"))


@functools.cache
def _render(environment: str, part: str, namespace: str) -> str:
    return helm("template", RELEASES[part], str(CHART), "--namespace", namespace,
                "--kube-version", KUBE_VERSIONS[-1],
                "-f", str(VALUES / f"{environment}.yaml"), *PARTS[part])


def render(environment: str, part: str | None = None,
           namespace: str = "timebank") -> list[dict[str, Any]]:
    """The manifests of one environment: one release (``part``) or both."""
    if environment not in ENVIRONMENTS:
        raise RenderError(f"no values file for {environment!r}: {', '.join(ENVIRONMENTS)}")
    docs: list[dict[str, Any]] = []
    for name in ([part] if part else list(PARTS)):
        docs += [d for d in yaml.safe_load_all(_render(environment, name, namespace)) if d]
    return docs


# -- validation -------------------------------------------------------------------------------
def _strict(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _strict(v) for k, v in schema.items()}
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    return out


@functools.lru_cache(maxsize=1)
def crd_schemas() -> dict[tuple[str, str], Any]:
    """(apiVersion, kind) -> a jsonschema validator of the vendored CRD schemas."""
    import jsonschema  # noqa: PLC0415

    found = {}
    for path in sorted(SCHEMAS.glob("*.json")):
        entry = json.loads(path.read_text())
        schema = _strict(entry["schema"])
        schema["properties"]["metadata"] = {"type": "object"}  # checked as ObjectMeta below
        found[(entry["apiVersion"], entry["kind"])] = jsonschema.Draft7Validator(schema)
    return found


def validate(doc: dict[str, Any], kube_versions=KUBE_VERSIONS) -> list[str]:
    """The schema errors of one manifest (empty: valid), each naming the object."""
    import kubernetes_validate  # noqa: PLC0415

    where = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
    key = (doc.get("apiVersion"), doc.get("kind"))
    crds = crd_schemas()
    if key in crds:
        errors = [f"{where}: {'.'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                  for e in crds[key].iter_errors(doc)]
        errors += _check_metadata(doc, where)
        return errors
    errors = []
    for version in kube_versions:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(map(str, error.path)) or "(root)"
            errors.append(f"{where} (Kubernetes {version}): {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{where}: no schema for {key[0]} {key[1]} in Kubernetes {version} "
                          f"nor in deploy/k8s/schemas/")
    return errors


def _check_metadata(doc: dict[str, Any], where: str) -> list[str]:
    import re  # noqa: PLC0415

    name = (doc.get("metadata") or {}).get("name") or ""
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name) or len(name) > 63:
        return [f"{where}: metadata.name is not a DNS-1123 label"]
    return []


def check(environments=ENVIRONMENTS) -> list[str]:
    """Lint, render and validate every environment; the errors found."""
    errors = []
    for environment in environments:
        try:
            lint(environment)
            docs = render(environment)
        except RenderError as error:
            errors.append(f"{environment}: {error}")
            continue
        for doc in docs:
            errors += [f"{environment}: {e}" for e in validate(doc)]
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environment", nargs="?", choices=ENVIRONMENTS)
    parser.add_argument("--part", choices=sorted(PARTS))
    parser.add_argument("--namespace", default="timebank")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if args.check:
        errors = check([args.environment] if args.environment else ENVIRONMENTS)
        for error in errors:
            print(error, file=sys.stderr)
        counts = {env: len(render(env)) for env in ENVIRONMENTS} if not errors else {}
        print(f"{len(errors)} errors" + "".join(f"; {env}: {n} manifests valid"
                                                  for env, n in counts.items()))
        return 1 if errors else 0
    if not args.environment:
        parser.error("name an environment or --check")
    print(yaml.safe_dump_all(render(args.environment, args.part, args.namespace),
                             sort_keys=False), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
