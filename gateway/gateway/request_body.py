"""Reading a request's JSON body safely, before any schema sees it.

* **Media type**: a body must be ``application/json`` (a ``charset`` parameter is fine) or an
  ``application/<something>+json`` type; anything else (text/plain, XML, a form) is 415
  ``unsupported_media_type``. A request without a body needs no type. Only a route declared
  with ``route(..., raw_body=(types...), raw_body_max=N)`` takes a file instead (an import's
  CSV or XLSX): exactly those types, up to N bytes (``file_body``).
* **Size**: above ``MAX_BODY_BYTES`` (config, default 1 MiB) is 413 ``body_too_large``, told
  from ``Content-Length`` before anything is read; a chunked body is read up to one byte past
  the limit and no further.
* **Depth**: JSON nested deeper than ``MAX_JSON_DEPTH`` (config, default 32) is 400
  ``body_too_deep``. The depth is counted over the raw text with a loop, not a recursive
  parse, so a body of 100,000 ``[`` cannot exhaust the interpreter's stack (``json.loads``
  recurses and raised ``RecursionError``, a 500, before this check).
"""
from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from timebank_common.errors import BadInput, DomainError

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_JSON_DEPTH = 32


class UnsupportedMediaType(DomainError):
    status = 415
    default_code = "unsupported_media_type"


class BodyTooLarge(DomainError):
    status = 413
    default_code = "body_too_large"


MALFORMED_JSON = BadInput("malformed_json", "请求体不是有效的 JSON", "The request body is not valid JSON")
NOT_AN_OBJECT = BadInput("body_not_object", "请求体应为 JSON 对象", "The request body must be a JSON object")

_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)  # brackets inside strings do not nest
_BRACKETS = re.compile(rb"[\[\]{}]")


def json_depth(raw: bytes) -> int:
    """How deep the arrays and objects of the JSON text ``raw`` nest (0 for a scalar)."""
    structure = _STRINGS.sub(b"", raw)
    steps = (1 if bracket in (b"[", b"{") else -1 for bracket in _BRACKETS.findall(structure))
    return max(accumulate(steps), default=0)


def is_json_media_type(mimetype: str) -> bool:
    """``application/json`` or ``application/*+json`` (``mimetype`` without parameters)."""
    kind, _, subtype = mimetype.lower().partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def has_body(request) -> bool:
    return bool(request.content_length) or _chunked(request)


def _chunked(request) -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def check_media_type(request, files: tuple[str, ...] = ()) -> None:
    """415 for a body that is not JSON (nothing to check without a body); a route that takes
    a file (``files``: its media types) takes exactly those instead."""
    if files:
        if request.mimetype.lower() not in files:
            raise UnsupportedMediaType(
                "unsupported_media_type", "请上传 CSV 或 XLSX 文件（Content-Type: " +
                " 或 ".join(files) + "）",
                "Upload a CSV or XLSX file (Content-Type: " + " or ".join(files) + ")",
                {"content_type": request.mimetype or None, "accepted": list(files)})
        return
    if has_body(request) and not is_json_media_type(request.mimetype):
        raise UnsupportedMediaType(
            "unsupported_media_type", "请求体须为 JSON（Content-Type: application/json）",
            "The request body must be JSON (Content-Type: application/json)",
            {"content_type": request.mimetype or None, "accepted": ["application/json"]})


def file_body(request, max_bytes: int) -> bytes:
    """A file sent as the raw body: 413 above ``max_bytes`` (told from Content-Length before
    reading), 400 ``empty_file`` when there is none."""
    data = raw_body(request, max_bytes)
    if not data:
        raise BadInput("empty_file", "上传的文件为空", "The uploaded file is empty")
    return data


def raw_body(request, max_bytes: int) -> bytes:
    """The body's bytes, never reading more than ``max_bytes`` + 1 of them."""
    length = request.content_length
    if length is not None:
        if length > max_bytes:
            raise too_large(max_bytes)
        return request.get_data(cache=True)  # bounded by Content-Length
    if _chunked(request):
        data = request.environ["wsgi.input"].read(max_bytes + 1)
        if len(data) > max_bytes:
            raise too_large(max_bytes)
        return data
    return b""


def too_large(max_bytes: int) -> BodyTooLarge:
    return BodyTooLarge("body_too_large", f"请求体过大（上限 {max_bytes} 字节）",
                        f"The request body is too large (at most {max_bytes} bytes)",
                        {"max_bytes": max_bytes})


def read_json_object(request, max_bytes: int = DEFAULT_MAX_BODY_BYTES,
                     max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when there is none), after the checks above."""
    check_media_type(request)
    return parse_json_object(raw_body(request, max_bytes), max_depth)


def parse_json_object(raw: bytes, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> dict[str, Any]:
    """A body's bytes as a JSON object (``{}`` when empty): 400 when too deep, not JSON, or
    not an object."""
    if not raw:
        return {}
    if json_depth(raw) > max_depth:
        raise BadInput("body_too_deep", f"请求体嵌套过深（最多 {max_depth} 层）",
                       f"The request body is nested too deeply (at most {max_depth} levels)",
                       {"max_depth": max_depth})
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise MALFORMED_JSON from None
    if not isinstance(data, dict):
        raise NOT_AN_OBJECT
    return data
