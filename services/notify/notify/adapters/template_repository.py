"""Message templates (zh-CN and en per event kind and recipient role), kept as data."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, tuple_, update

from ..domain.templates import Template
from .tables import templates


def templates_for(uow, event_type: str, role: str) -> list[Template]:
    return templates_of(uow, [(event_type, role)]).get((event_type, role), [])


def templates_of(uow, kinds: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Template]]:
    """(event type, role) → its templates (every locale), for several at once: one statement
    for all the messages of an event."""
    wanted = sorted(set(kinds))
    if not wanted:
        return {}
    rows = uow.execute(select(templates).where(
        tuple_(templates.c.event_type, templates.c.role).in_(wanted))).all()
    found: dict[tuple[str, str], list[Template]] = {}
    for r in rows:
        found.setdefault((r.event_type, r.role), []).append(
            Template(r.event_type, r.role, r.locale, r.title, r.body))
    return found


def all_templates(uow):
    return uow.execute(select(templates).order_by(templates.c.event_type, templates.c.role,
                                                  templates.c.locale)).all()


def update_template(uow, event_type: str, role: str, locale: str, title: str, body: str,
                    updated_by: str | None):
    return uow.execute(
        update(templates).where(templates.c.event_type == event_type,
                                templates.c.role == role, templates.c.locale == locale)
        .values(title=title, body=body, updated_by=updated_by, updated_at=func.now())
        .returning(templates)).first()
