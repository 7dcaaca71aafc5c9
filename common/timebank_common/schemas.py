"""Helpers to apply marshmallow schemas at the edges (RPC, events, HTTP)."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .errors import validation_error
from .text import text_problem

MAX_PAGE = 10_000
"""The last page a list may be asked for: OFFSET is a bigint, and no person pages further."""


class PageQuery(Schema):
    """``page`` (1–``MAX_PAGE``) and ``page_size`` (1–100, default 20) of a paged list; list
    queries of every service and the gateway extend it."""
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


EARLIEST_QUERY_DATE = dt.date(2000, 1, 1)
LATEST_QUERY_DATE = dt.date(2100, 12, 31)
QUERY_DATES = validate.Range(
    min=EARLIEST_QUERY_DATE, max=LATEST_QUERY_DATE,
    error=f"须在 {EARLIEST_QUERY_DATE} 至 {LATEST_QUERY_DATE} 之间"
          f" / must be between {EARLIEST_QUERY_DATE} and {LATEST_QUERY_DATE}")
"""The dates a period a person asks about may name (statistics, statements, certificates):
the platform's records all fall within them, and a date like 9999-12-31 overflows the day
after it (``OverflowError``, a 500) before it finds nothing."""
QUERY_TIMES = validate.Range(
    min=dt.datetime.combine(EARLIEST_QUERY_DATE, dt.time(), dt.UTC),
    max=dt.datetime.combine(LATEST_QUERY_DATE, dt.time(23, 59, 59), dt.UTC),
    error=f"须在 {EARLIEST_QUERY_DATE} 至 {LATEST_QUERY_DATE} 之间"
          f" / must be between {EARLIEST_QUERY_DATE} and {LATEST_QUERY_DATE}")
"""The same bounds for instants (``since``/``until`` of a statement)."""
_TEXT_ERRORS = {
    "nul": "must not contain a NUL character / 不能含有空字符 (NUL)",
    "lone_surrogate": "must be valid Unicode text / 含有无效的 Unicode 字符",
    "control_character": "must not contain control characters / 不能含有控制字符",
}


class FreeText(fields.String):
    """Text a person writes (a description, a reason): any Unicode but NUL, lone surrogates and
    control characters other than tab and line breaks (``text.text_problem``)."""

    single_line = False

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        problem = text_problem(text, single_line=self.single_line)
        if problem:
            raise ValidationError(_TEXT_ERRORS[problem])
        return text


class SingleLineText(FreeText):
    """A name, title or any one-line value: like ``FreeText`` without tab or line breaks."""

    single_line = True


class UuidText(fields.String):
    """An id that is a UUID, kept as its canonical text (lower case, hyphens): anything else is
    refused here, before it reaches SQL, where a malformed UUID is a database error."""

    default_error_messages = {"invalid_uuid": "must be an id (UUID) / 应为 UUID 格式的编号"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if not text.isascii():
            raise self.make_error("invalid_uuid")
        try:
            return str(uuid.UUID(text))
        except ValueError:
            raise self.make_error("invalid_uuid") from None


class AsciiPattern(validate.Regexp):
    """``validate.Regexp`` for codes and numbers: the whole value must match (``$`` alone lets
    a trailing line break through) and ``\\d`` means 0-9 only (``re.ASCII``; without it a
    full-width ``１３９…`` would match a phone pattern)."""

    def __init__(self, regex: str, error: str | None = None):
        self.whole: re.Pattern[str] = re.compile(regex, re.ASCII)
        super().__init__(self.whole, error=error)

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.whole.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def load(schema: Schema, data: Any) -> Any:
    """Validate ``data`` with ``schema``; a failure becomes ``BadInput`` (400)."""
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as exc:
        raise validation_error(exc.messages) from None


def dump(schema: Schema, obj: Any) -> Any:
    return schema.dump(obj)


def check_period_order(data: dict[str, Any], start: str = "period_from", end: str = "period_to") -> None:
    """In a ``@validates_schema``: refuse a period that ends before it starts."""
    if data.get(start) and data.get(end) and data[start] > data[end]:
        raise ValidationError("The period ends before it starts / 期间的结束日期早于开始日期", end)


class PeriodQuery(Schema):
    """An optional period of China dates, both days included (open ends: from the beginning /
    up to now), refused when it ends before it starts; statistics queries extend it."""
    period_from = fields.Date(load_default=None, allow_none=True, validate=QUERY_DATES)
    period_to = fields.Date(load_default=None, allow_none=True, validate=QUERY_DATES)

    @validates_schema
    def _period_in_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_period_order(data)
