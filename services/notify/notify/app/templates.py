"""Message templates, kept as data: admins read them, province admins edit the texts (only
the placeholders the kind of message supplies); the next message uses the new text."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, NotFound

from ..adapters import template_repository as repository
from ..adapters.seed_templates import seeded_texts
from ..contracts import TEMPLATE_EDITORS, TEMPLATE_READERS
from ..domain.messages import UNIVERSAL_PLACEHOLDERS
from ..domain.templates import TemplateError, check_edit, offered


def list_templates(db: UnitOfWorkFactory, caller: Caller) -> list[Mapping[str, Any]]:
    caller.require(*TEMPLATE_READERS)
    with db() as uow:
        return [row._mapping for row in repository.all_templates(uow)]


def edit_template(db: UnitOfWorkFactory, caller: Caller, event_type: str, role: str,
                  locale: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
    caller.require(*TEMPLATE_EDITORS)
    with db() as uow:
        current = repository.templates_for(uow, str(event_type), str(role))
        if not any(t.locale == locale for t in current):
            raise NotFound("template_not_found", "没有这个消息模板", "No such template",
                           {"event_type": event_type, "role": role, "locale": locale})
        try:
            check_edit(offered(seeded_texts(str(event_type), str(role)),
                               frozenset(UNIVERSAL_PLACEHOLDERS)), data["title"], data["body"])
        except TemplateError as exc:
            raise BadInput("template_placeholder_unknown",
                           "模板中使用了此类消息没有的占位符，或格式有误",
                           "The template uses a placeholder this message does not have, "
                           "or is malformed", {"problem": str(exc)}) from None
        row = repository.update_template(uow, event_type, role, locale, data["title"],
                                         data["body"], caller.person_id)
        uow.commit()
    mapping: Mapping[str, Any] = row._mapping
    return mapping
