"""The HTTP gateway: authentication, routing to services over RPC, error mapping,
OpenAPI and docs. It owns no domain data (DESIGN.md §2)."""
from __future__ import annotations

from pathlib import Path

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy
from nameko.web.handlers import http

from timebank_common.auth import TokenCache
from timebank_common.service import ServiceBase, json_response

from .routes.accounts import AccountRoutes
from .routes.auth import AuthRoutes
from .routes.certificates import CertificateRoutes
from .routes.demands import DemandRoutes
from .routes.docs import DocsRoutes
from .routes.inbox import InboxRoutes
from .routes.people import PeopleRoutes
from .routing import bearer_token

DOWNSTREAM = ("identity", "demand", "matching", "ledger", "notify")


class TokenVerifier(DependencyProvider):
    """Verifies access tokens with identity's public key: no round trip per request,
    and each token's signature is checked once (TokenCache) rather than per request."""

    def setup(self):
        self.tokens = TokenCache(Path(self.container.config["JWT_PUBLIC_KEY_FILE"]).read_bytes())

    def get_dependency(self, worker_ctx):
        return lambda token: self.tokens.verify(token).to_dict()


class Setting(DependencyProvider):
    def __init__(self, key, default=None, cast=str):
        self.key, self.default, self.cast = key, default, cast

    def get_dependency(self, worker_ctx):
        return self.cast(self.container.config.get(self.key, self.default))


class GatewayService(AuthRoutes, PeopleRoutes, DemandRoutes, AccountRoutes, CertificateRoutes,
                     InboxRoutes, DocsRoutes, ServiceBase):
    name = "gateway"

    identity = RpcProxy("identity")
    demand = RpcProxy("demand")
    matching = RpcProxy("matching")
    ledger = RpcProxy("ledger")
    notify = RpcProxy("notify")

    verify_token = TokenVerifier()
    rpc_timeout = Setting("RPC_TIMEOUT_SECONDS", 30, float)
    public_base_url = Setting("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

    def authenticate(self, request) -> dict:
        return self.verify_token(bearer_token(request))

    @http("GET", "/health")
    def health(self, request):
        """Ready when every service answers an RPC ping within 3 seconds."""
        checks = {}

        def ping(name):
            try:
                with eventlet.Timeout(3):
                    getattr(self, name).ping()
                checks[name] = "ok"
            except BaseException as exc:  # eventlet.Timeout is a BaseException
                checks[name] = f"error: {exc.__class__.__name__}"

        pool = eventlet.GreenPool()
        for name in DOWNSTREAM:
            pool.spawn_n(ping, name)
        pool.waitall()
        healthy = all(v == "ok" for v in checks.values())
        return json_response({"service": "gateway", "status": "ok" if healthy else "degraded",
                              "checks": checks}, status=200 if healthy else 503)
