"""/api/v1/elders/<id>/proxies: an elder's proxies (identity)."""
from identity.contracts import ElderProxies, SetElderProxySchema

from ..routing import route


class ProxyRoutes:
    @route("POST", "/api/v1/elders/<elder_id>/proxies",
           summary="设置代理人 Let a verified direct relative act for the elder "
                   "(the elder, or staff in scope)",
           tags=["people"], body=SetElderProxySchema,
           response=ElderProxies)
    def set_elder_proxy(self, request, caller, elder_id, body):
        return self.identity.set_elder_proxy(caller, elder_id, body)

    @route("DELETE", "/api/v1/elders/<elder_id>/proxies/<proxy_person_id>",
           summary="取消代理人 Remove a proxy (the elder, the proxy, or staff in scope)",
           tags=["people"],
           response=ElderProxies)
    def remove_elder_proxy(self, request, caller, elder_id, proxy_person_id):
        return self.identity.remove_elder_proxy(caller, elder_id, proxy_person_id)
