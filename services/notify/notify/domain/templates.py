"""Message templates with named placeholders, rendered Chinese first.

A template is a title and a body such as ``"您的服务时长 {minutes} 已存入时间账户"``.
Rendering refuses a template that names a placeholder the event did not supply,
instead of sending a message with a hole in it.
"""
from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_FORMATTER = string.Formatter()


class TemplateError(ValueError):
    """A template cannot be rendered (missing placeholder, bad syntax, no template)."""


@dataclass(frozen=True)
class Template:
    event_type: str
    role: str
    locale: str
    title: str
    body: str


@dataclass(frozen=True)
class RenderedMessage:
    title_zh: str
    body_zh: str
    title_en: str
    body_en: str


def placeholders(text: str) -> set[str]:
    """The names a template text uses: "{a} and {b}" -> {"a", "b"}."""
    try:
        names = {field for _, field, _, _ in _FORMATTER.parse(text) if field is not None}
    except ValueError as exc:
        raise TemplateError(f"template syntax error in {text!r}: {exc}") from None
    for name in names:
        if not name.isidentifier():
            raise TemplateError(f"placeholder {{{name}}} must be a plain name")
    return names


def render(text: str, values: Mapping[str, Any]) -> str:
    """Fill the named placeholders of ``text``; a missing one is a ``TemplateError``."""
    missing = sorted(placeholders(text) - set(values))
    if missing:
        raise TemplateError(f"no value for placeholder(s) {', '.join(missing)} in {text!r}")
    return text.format_map(values)


def render_message(templates: list[Template],
                   values_by_locale: Mapping[str, Mapping[str, Any]]) -> RenderedMessage:
    """Render the zh-CN and en templates of one (event type, role) with locale-specific values."""
    by_locale = {t.locale: t for t in templates}
    for locale in ("zh-CN", "en"):
        if locale not in by_locale:
            raise TemplateError(f"no {locale} template among {sorted(by_locale)}")
    zh, en = by_locale["zh-CN"], by_locale["en"]
    return RenderedMessage(
        title_zh=render(zh.title, values_by_locale["zh-CN"]),
        body_zh=render(zh.body, values_by_locale["zh-CN"]),
        title_en=render(en.title, values_by_locale["en"]),
        body_en=render(en.body, values_by_locale["en"]),
    )


def offered(texts: Iterable[tuple[str, str]],
            universal: frozenset[str] = frozenset({"greeting"})) -> set[str]:
    """The placeholders a kind of message supplies: those of its seeded ``(title, body)``
    texts, in either language, and ``{greeting}``, which every message has. Not those of the
    current texts: once an admin dropped a placeholder from both languages, it would never be
    allowed again, and the seed text could not be restored."""
    return set(universal).union(*(placeholders(title) | placeholders(body)
                                  for title, body in texts))


def check_edit(allowed: set[str], title: str, body: str) -> None:
    """An admin's new text for a template may use only the placeholders ``allowed`` (what
    the kind of message supplies, ``offered``); a ``TemplateError`` otherwise."""
    used = placeholders(title) | placeholders(body)
    unknown = sorted(used - allowed)
    if unknown:
        raise TemplateError(f"unknown placeholder(s) {', '.join(unknown)}; "
                            f"available: {', '.join(sorted(allowed)) or 'none'}")
