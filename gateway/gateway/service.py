"""The HTTP gateway: authentication, routing to services over RPC, error mapping,
OpenAPI and docs. It owns no domain data (DESIGN.md §2)."""
from __future__ import annotations

import functools
import logging

import eventlet
from nameko.events import BROADCAST, event_handler
from nameko.extensions import DependencyProvider
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.web.handlers import http

from identity.contracts import TOKENS_REVOKED
from timebank_common import metrics, probes
from timebank_common.caller import Caller
from timebank_common.clock import Clock, clock_from_config
from timebank_common.errors import Unauthenticated
from timebank_common.rpc import TransientReplyListener
from timebank_common.service import ServiceBase, json_response
from timebank_common.tokens import KeySet, RevocationList, TokenCache

from .dispatch import JsonDispatch
from .process_counters import ProcessCounters
from .rate_limits import RateLimits
from .routes.accounts import AccountRoutes
from .routes.audit import AuditRoutes
from .routes.auth import AuthRoutes
from .routes.catalog import CatalogRoutes
from .routes.certificates import CertificateRoutes
from .routes.changes import ChangeRoutes
from .routes.console import ConsoleRoutes
from .routes.demands import DemandIntakeRoutes, DemandRoutes
from .routes.disputes import DisputeRoutes
from .routes.docs import DocsRoutes
from .routes.elder_side import ElderSideRoutes
from .routes.imports import ImportRoutes
from .routes.inbox import InboxRoutes
from .routes.matching import MatchingRoutes
from .routes.operators import OperatorRoutes
from .routes.people import PeopleRoutes
from .routes.proxies import ProxyRoutes
from .routes.records import RecordRoutes
from .routes.report_exports import ReportExportRoutes
from .routes.report_interchange import ReportInterchangeRoutes
from .routes.report_monthly import ReportMonthlyRoutes
from .routes.report_national import ReportNationalRoutes
from .routes.reports import ReportRoutes
from .routes.stats import StatsRoutes
from .routes.transfers import TransferRoutes
from .routing import bearer_token

DOWNSTREAM = ("identity", "demand", "matching", "ledger", "notify")

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=50_000)  # as many as TokenCache keeps tokens
def _caller_fields(caller: Caller) -> tuple[tuple[str, object], ...]:
    """``caller.to_dict()`` (``dataclasses.asdict``: a deep copy, 1 % of the gateway's CPU on a
    balance read when made per request) once per caller; ``Caller`` is frozen and hashable."""
    return tuple(caller.to_dict().items())


def caller_dict(caller: Caller) -> dict:
    """``caller.to_dict()``: a new dict (and roles list) each time, so no request can change
    another's."""
    data = dict(_caller_fields(caller))
    data["roles"] = list(data["roles"])  # type: ignore[call-overload]
    return data


class Tokens:
    """What ``TokenVerifier`` injects: ``verify(token)`` → caller dict, and ``revoked(entry)``
    to add a revocation (from the ``tokens_revoked`` event)."""

    def __init__(self, cache: TokenCache, clock: Clock):
        self.cache = cache
        self.clock = clock

    def __call__(self, token: str) -> dict:
        try:
            return caller_dict(self.cache.verify(token, self.clock.now().timestamp()))
        except Unauthenticated as exc:
            if exc.code == "token_revoked":
                metrics.REVOKED_TOKENS_REFUSED.inc()
            raise

    def revoked(self, entry: dict) -> None:
        self.cache.revocations.add(entry)


class TokenVerifier(DependencyProvider):
    """Verifies access tokens with identity's public keys: no round trip per request,
    and each token's signature is checked once (TokenCache) rather than per request.

    The keys (``KeySet``, picked by the token's ``kid``): ``JWT_PUBLIC_KEY_FILE``, the current
    one, and ``JWT_ACCEPTED_PUBLIC_KEY_FILES`` (a list, or paths separated by commas), the
    others accepted during a rotation (deploy/README.md, "Rotating keys").

    Revoked tokens (logout, password change, API client revoked) are refused from a
    ``RevocationList`` kept in this process: filled from ``identity.active_revocations``
    at start (retried in the background while identity is away, so the gateway starts
    anyway) and every ``REVOCATION_SYNC_SECONDS`` (default 60; a safety net for events
    missed while disconnected), and by the broadcast ``tokens_revoked`` event handler."""

    def setup(self):
        cfg = self.container.config
        self.revocations = RevocationList(int(cfg.get("ACCESS_TOKEN_TTL_SECONDS") or 900))
        keys = KeySet.from_files(cfg["JWT_PUBLIC_KEY_FILE"],
                                 cfg.get("JWT_ACCEPTED_PUBLIC_KEY_FILES") or ())
        log.info("access tokens verified with keys %s (current %s)", ", ".join(keys.kids),
                 keys.current_kid)
        self.tokens = TokenCache(keys, revocations=self.revocations)
        self.clock = clock_from_config(cfg)  # the platform's (a simulated one in some tests)
        self.sync_seconds = float(cfg.get("REVOCATION_SYNC_SECONDS") or 60)
        self.retry_seconds = float(cfg.get("REVOCATION_RETRY_SECONDS") or 2)

    def start(self):
        # a first attempt before requests are served (bounded: identity may be down)
        loaded = self._try_load(timeout=3)
        self.container.spawn_managed_thread(lambda: self._sync_loop(loaded),
                                            identifier="revocation_sync")

    def load_active_revocations(self) -> None:
        config = {"AMQP_URI": self.container.config["AMQP_URI"]}
        with ServiceRpcProxy("identity", config, timeout=5) as identity:
            answer = identity.active_revocations()
        self.revocations.max_token_age = max(self.revocations.max_token_age,
                                             float(answer["max_token_age"]))
        for entry in answer["items"]:
            self.revocations.add(entry)

    def _try_load(self, timeout: float) -> bool:
        try:
            with eventlet.Timeout(timeout):
                self.load_active_revocations()
            return True
        except (Exception, eventlet.Timeout) as exc:  # identity or broker away: retry later
            log.warning("could not load token revocations from identity (will retry): %r", exc)
            return False

    def _sync_loop(self, loaded: bool):
        while True:
            eventlet.sleep(self.sync_seconds if loaded else self.retry_seconds)
            loaded = self._try_load(timeout=10) or loaded

    def get_dependency(self, worker_ctx):
        return Tokens(self.tokens, self.clock)


def rate_limit_store(container) -> probes.Check:
    """The readiness check of the rate-limit counters' store (``RATE_LIMIT_STORAGE_URL``): a
    shared one (Redis) answers a ping; counters kept in memory, or no limits, always ``ok``.
    Looked up when asked: the limiter is made in its own ``setup``."""

    def check() -> str:
        limits = next((d for d in container.dependencies if isinstance(d, RateLimits)), None)
        limiter = getattr(limits, "limiter", None)
        if limiter is None or isinstance(limiter.storage, ProcessCounters):
            return probes.OK
        if limiter.storage.check():
            return probes.OK
        return "error: unreachable (requests pass uncounted)"

    return check


class Downstream(DependencyProvider):
    """The services the gateway asks, as one dependency (``services``): ``self.ledger`` is
    ``services.ledger``, the same proxy nameko's ``RpcProxy("ledger")`` gives (its replies on a
    ``TransientReplyListener``, as ``timebank_common.rpc.RpcProxy``), made when a request first
    uses it.

    Why one: nameko calls every dependency provider of a service for every request
    (``get_dependency``, then ``worker_setup``, ``worker_result`` and ``worker_teardown``), and a
    request asks one service; six ``RpcProxy`` providers were six of each, for every request."""

    rpc_reply_listener = TransientReplyListener()

    def __init__(self, *names: str):
        self.names = frozenset(names)

    def get_dependency(self, worker_ctx):
        return Services(worker_ctx, self.names, self.rpc_reply_listener)


class Services:
    """One request's proxies to the services (``Downstream``), each made on first use."""

    def __init__(self, worker_ctx, names: frozenset[str], reply_listener):
        self._worker_ctx, self._names, self._reply_listener = worker_ctx, names, reply_listener

    def __getattr__(self, name: str) -> ServiceProxy:
        if name not in self._names:
            raise AttributeError(name)
        proxy = ServiceProxy(self._worker_ctx, name, self._reply_listener)
        setattr(self, name, proxy)  # kept for the rest of the request
        return proxy


def _service(name: str) -> property:
    return property(lambda self: getattr(self.services, name), doc=f"the {name} service (RPC)")


class GatewayService(AuthRoutes, PeopleRoutes, OperatorRoutes, AuditRoutes, ProxyRoutes,
                     StatsRoutes, CatalogRoutes, DemandRoutes, DemandIntakeRoutes, RecordRoutes,
                     DisputeRoutes, MatchingRoutes, AccountRoutes, CertificateRoutes,
                     TransferRoutes, InboxRoutes, ElderSideRoutes, DocsRoutes, ConsoleRoutes,
                     ChangeRoutes, ReportRoutes, ReportExportRoutes, ReportInterchangeRoutes,
                     ReportNationalRoutes, ReportMonthlyRoutes, ImportRoutes, ServiceBase):
    name = "gateway"

    services = Downstream(*DOWNSTREAM, "reporting")
    identity = _service("identity")
    demand = _service("demand")
    matching = _service("matching")
    ledger = _service("ledger")
    notify = _service("notify")
    reporting = _service("reporting")

    verify_token = TokenVerifier()
    json_dispatch = JsonDispatch()  # unknown paths and methods: JSON 404/405 (dispatch.py)
    rate_limits = RateLimits()

    # settings read from the injected config (not dependency providers of their own: see
    # Downstream on what each provider costs every request)
    @property
    def rpc_timeout(self) -> float:
        return float(self.config.get("RPC_TIMEOUT_SECONDS", 30))

    @property
    def public_base_url(self) -> str:
        return str(self.config.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000"))

    def authenticate(self, request) -> dict:
        return self.verify_token(bearer_token(request))

    @event_handler(TOKENS_REVOKED.source, TOKENS_REVOKED.name, handler_type=BROADCAST,
                   reliable_delivery=False)
    def on_tokens_revoked(self, event):
        """Every gateway process hears every revocation (a broadcast queue of its own)."""
        self.verify_token.revoked(event["payload"])

    @probes.readyz("GET", "/readyz", extra={"rate_limit_store": rate_limit_store},
                   advisory=("rate_limit_store",))
    def readyz(self, request):
        """The gateway's own connections: the broker (its reply queues and its revocation
        handler attached), never the services behind it — a service that is down is that
        service's 503, and taking every gateway out of rotation for it would refuse every
        other route too. The rate-limit store is reported, not waited for: while it is away
        requests pass uncounted (``rate_limits.py``), and a Redis outage must not take the
        platform down (``probes.Readiness``, outside the worker pool; never called)."""

    @http("GET", "/health")
    def health(self, request):
        """Ready when every service answers an RPC ping within 3 seconds: what the local runner
        waits on before it calls the platform up. Orchestrators ask ``/readyz``."""
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
