"""RPC: the message templates, kept as data."""
from __future__ import annotations

from typing import Any

from timebank_common.service import rpc

from ..app import templates
from ..contracts import TemplateIn, TemplateList, TemplateView
from .base import NotifyEntrypoints


class TemplateEntrypoints(NotifyEntrypoints):
    @rpc(returns=TemplateList)
    def templates(self, caller) -> dict[str, Any]:
        """Every template, zh-CN and en per event kind and recipient role (province, city
        and county admins, auditors)."""
        view = TemplateView()
        return {"items": [view.dump(row) for row in templates.list_templates(self.db, caller)]}

    @rpc(args={"data": TemplateIn}, returns=TemplateView)
    def set_template(self, caller, event_type, role, locale, data) -> dict[str, Any]:
        """A province admin's new text for one template (only the placeholders its kind
        supplies); the next message uses it."""
        return TemplateView().dump(templates.edit_template(self.db, caller, event_type, role,
                                                           locale, data))
