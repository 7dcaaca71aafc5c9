"""Configuration: YAML files with ``${ENV_VAR:default}`` interpolation.

The syntax is the one ``nameko run --config`` understands, so a service file can
be used by nameko's own CLI as well as by our runner. Any value may be overridden
from the environment by naming the variable in the file; a variable that is not
set and has no default is an error, never a silent empty string.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

_ENV_VAR = re.compile(r"\$\{([^}:\s]+)(?::([^}]*))?\}")
_WHOLE = re.compile(r"^\$\{([^}:\s]+)(?::([^}]*))?\}$")


class ConfigError(Exception):
    pass


def _substitute(match: re.Match) -> str:
    name, default = match.group(1), match.group(2)
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise ConfigError(f"environment variable {name} is required by the configuration")
    return default


def _env_constructor(loader, node):
    raw = loader.construct_scalar(node)
    value = _ENV_VAR.sub(_substitute, raw)
    if _WHOLE.match(raw):
        # A value that is only one variable keeps YAML typing: "${PORT:8000}" -> 8000.
        return yaml.safe_load(value) if value != "" else ""
    return value


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_implicit_resolver("!env_var", re.compile(r".*\$\{[^}]+\}.*"), None)
_Loader.add_constructor("!env_var", _env_constructor)


def load_text(text: str) -> dict:
    return yaml.load(text, Loader=_Loader) or {}


def load(path: str | os.PathLike) -> dict:
    return load_text(Path(path).read_text(encoding="utf-8"))
