"""Elders' proxies (代理人): who may act for an elder."""
from __future__ import annotations

from marshmallow import fields

from timebank_common.service import rpc

from ..app import proxies
from ..contracts import ElderProxies, SetElderProxySchema


class ProxyEntrypoints:
    @rpc(args={"data": SetElderProxySchema}, returns=ElderProxies)
    def set_elder_proxy(self, caller, elder_id, data):
        """Let a verified direct relative act for the elder (the elder, or staff in scope)."""
        return proxies.set_elder_proxy(self.db, caller, elder_id, data)

    @rpc(returns=ElderProxies)
    def remove_elder_proxy(self, caller, elder_id, proxy_person_id):
        """Remove a proxy (the elder, the proxy stepping down, or staff in scope)."""
        return proxies.remove_elder_proxy(self.db, caller, elder_id, proxy_person_id)

    @rpc(returns=fields.Bool(), internal=True)
    def may_act_for(self, person_id, elder_id):
        """Whether ``person_id`` may act for the elder (their proxy, or an operator of their
        station)."""
        return proxies.may_act_for(self.db, person_id, elder_id)

    @rpc(returns=fields.List(fields.Str()), internal=True)
    def elders_acted_for(self, person_id):
        """The ids of the elders ``person_id`` is the proxy of (their relative link still
        verified), sorted; station operators' elders are not listed."""
        return proxies.elders_acted_for(self.db, person_id)
