"""Message templates (zh-CN and en per event kind and recipient role), kept as data."""
from __future__ import annotations

from sqlalchemy import func, select, update

from ..domain.templates import Template
from .tables import templates


def templates_for(uow, event_type: str, role: str) -> list[Template]:
    rows = uow.execute(
        select(templates).where(templates.c.event_type == event_type, templates.c.role == role)
    ).all()
    return [Template(r.event_type, r.role, r.locale, r.title, r.body) for r in rows]


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
