"""What the gateway keeps between requests to answer them cheaper (tests/perf/bench_gateway.py)
still answers as if it were made per request: the caller of a token (its expiry and
revocations checked on every request, its roles and scope too), the rate limits' counters
(windows end on time, memory stays bounded), the shared marshmallow schemas (no state
carried from one request to the next), and the path values' signature check (skipped only
for routes, whose endpoints take any)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from limits import parse
from marshmallow import RAISE
from nameko.exceptions import IncorrectSignature
from werkzeug.test import EnvironBuilder

from gateway.process_counters import ProcessCounters
from gateway.rate_limits import RateLimited, RateLimiter, Request, storage_of
from gateway.routing import ROUTES, RouteEndpoint, RouteSpec, check_access
from gateway.schema_cache import schema_of
from gateway.service import GatewayService, Tokens
from ledger.contracts.accounts import BalanceOut
from timebank_common.caller import Caller
from timebank_common.clock import FixedClock
from timebank_common.errors import Forbidden, Unauthenticated
from timebank_common.tokens import RevocationList, TokenCache, generate_keypair, issue_access_token

# --- the caller of a token ------------------------------------------------------------------



@pytest.fixture
def issued() -> dt.datetime:
    """Now, when the test runs (not when the module was collected: a revocation is kept for
    the longest token lifetime by the machine's clock, and in a busy CI run this module's
    tests ran over 15 minutes after collection, when a revocation "issued" then was already
    dropped)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    where = tmp_path_factory.mktemp("keys")
    generate_keypair(where / "k", where / "k.pub")
    return (where / "k").read_bytes(), (where / "k.pub").read_bytes()


def _tokens(public: bytes, at: dt.datetime) -> tuple[Tokens, FixedClock]:
    clock = FixedClock(at)
    return Tokens(TokenCache(public, revocations=RevocationList(900)), clock), clock


def test_a_cached_token_is_refused_once_it_has_expired(keys, issued):
    private, public = keys
    tokens, clock = _tokens(public, issued + dt.timedelta(seconds=1))
    token = issue_access_token(private, Caller("p1", ("volunteer",), "130102001001"), 60, issued)
    assert tokens(token)["person_id"] == "p1"
    clock.advance(seconds=58)
    assert tokens(token)["person_id"] == "p1"  # from the cache, still valid
    clock.advance(seconds=1)
    with pytest.raises(Unauthenticated) as refused:
        tokens(token)
    assert refused.value.code == "token_expired"


def test_a_cached_token_is_refused_once_revoked(keys, issued):
    private, public = keys
    tokens, clock = _tokens(public, issued + dt.timedelta(seconds=1))
    caller = Caller("p1", ("volunteer",), "130102001001", session_id="s1")
    token = issue_access_token(private, caller, 600, issued)
    assert tokens(token)["session_id"] == "s1"
    tokens.revoked({"person_id": None, "client_id": None, "session_id": "s1",
                    "revoked_before": (issued + dt.timedelta(seconds=1)).isoformat()})
    with pytest.raises(Unauthenticated) as refused:
        tokens(token)
    assert refused.value.code == "token_revoked"


def test_the_caller_answered_is_a_fresh_dict_with_the_roles_and_scope_checked(keys, issued):
    private, public = keys
    tokens, _ = _tokens(public, issued + dt.timedelta(seconds=1))
    caller = Caller("p1", ("township_admin",), "130102001000")
    token = issue_access_token(private, caller, 600, issued)
    first = tokens(token)
    assert first == caller.to_dict()
    first["roles"].append("province_admin")  # a request changing its copy...
    first["scope"] = "130000000000"
    second = tokens(token)
    assert second == caller.to_dict()  # ...changes no other request's
    spec = RouteSpec("POST", "/api/v1/x", "x", ["t"], roles=["township_admin"],
                     scoped=["region_code"])
    check_access(spec, second, {"body": {"region_code": "130102001001"}})
    with pytest.raises(Forbidden) as refused:
        check_access(spec, second, {"body": {"region_code": "130102002001"}})
    assert refused.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as refused:
        check_access(RouteSpec("POST", "/api/v1/x", "x", ["t"], roles=["province_admin"]),
                     second, {})
    assert refused.value.code == "role_required"


# --- the rate limits' counters --------------------------------------------------------------

class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_process_counters_count_in_fixed_windows_that_end_on_time():
    clock = Clock()
    counters = ProcessCounters(clock)
    assert [counters.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert counters.get("k") == 3 and counters.get_expiry("k") == clock.now + 60
    clock.now += 59.9
    assert counters.incr("k", 60) == 4  # the same window
    clock.now += 0.1
    assert counters.get("k") == 0  # it has ended
    assert counters.incr("k", 60) == 1 and counters.get_expiry("k") == clock.now + 60


def test_process_counters_forget_ended_windows_so_memory_stays_bounded():
    clock = Clock()
    counters = ProcessCounters(clock, sweep_every=100)
    for i in range(99):
        counters.incr(f"caller-{i}", 60)
    clock.now += 61
    for i in range(99, 250):
        counters.incr(f"caller-{i}", 60)
    assert len(counters) == 151  # the first 99, ended, were swept at the 100th new key
    assert counters.get("caller-0") == 0 and counters.get("caller-249") == 1


def test_the_limiter_refuses_with_retry_after_on_process_counters():
    clock = Clock()
    limiter = RateLimiter(ProcessCounters(clock), {"read": parse("2/minute")}, clock=clock)
    request = Request(rate_class="read", client_ip="127.0.0.1", subject="p1")
    limiter.check(request)
    limiter.check(request)
    clock.now += 20
    with pytest.raises(RateLimited) as refused:
        limiter.check(request)
    assert refused.value.details["retry_after_seconds"] == 40
    clock.now += 40
    limiter.check(request)  # a new window


def test_memory_storage_is_the_process_counters():
    assert isinstance(storage_of("memory://"), ProcessCounters)


# --- schemas shared by requests -------------------------------------------------------------

def test_a_shared_schema_carries_nothing_from_one_answer_to_the_next():
    schema = schema_of(BalanceOut, False, RAISE)
    assert schema is schema_of(BalanceOut, False, RAISE)
    assert schema_of(BalanceOut, True, RAISE) is not schema  # the list form is its own
    good = {"person_id": "00000000-0000-4000-8000-000000000001", "earned_minutes": 60,
            "grant_minutes": 0, "reserved_minutes": 0, "available_minutes": 60}
    assert schema.validate(good) == {}
    assert "surprise" in schema.validate({**good, "surprise": 1})  # unknown fields refused
    assert schema.validate(good) == {}  # and not remembered
    assert set(schema_of(BalanceOut, True, RAISE).validate([good, {"nope": 1}])) == {1}


# --- the signature check --------------------------------------------------------------------

def _entrypoint(method_name: str) -> RouteEndpoint:
    entrypoint = RouteEndpoint("GET", "/x")
    entrypoint.container = SimpleNamespace(service_cls=GatewayService)
    entrypoint.method_name = method_name
    return entrypoint


def test_routes_take_any_path_values_and_other_methods_are_still_checked():
    request = EnvironBuilder(path="/x").get_request()
    _entrypoint("account_balance").check_signature((request,), {"person_id": "p"})
    with pytest.raises(IncorrectSignature):  # not a route: checked as nameko does
        _entrypoint("on_tokens_revoked").check_signature((request,), {"person_id": "p"})


def test_every_route_is_served_by_a_route_endpoint():
    served = {(e.method, e.url): type(e) for e in _entrypoints_of(GatewayService)}
    for spec in ROUTES:
        assert served[(spec.method, spec.path)] is RouteEndpoint, spec.path


def _entrypoints_of(service_cls):
    from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

    for name in dir(service_cls):
        for extension in getattr(getattr(service_cls, name), ENTRYPOINT_EXTENSIONS_ATTR, ()):
            if hasattr(extension, "url"):
                yield extension


# --- the route's metrics and its query string -------------------------------------------------

def _route_sample(name: str, labels: dict) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_route_metrics_count_every_request_by_status_and_time_each():
    from gateway.routing import RouteMetrics

    spec = RouteSpec("GET", "/api/v1/hot/<uuid:thing_id>", "x", ["t"])
    route = {"route": "/api/v1/hot/{thing_id}", "method": "GET"}

    def count(code: str) -> float:
        return _route_sample("timebank_http_requests_total", {**route, "code": code})

    before = count("200"), count("404"), _route_sample(
        "timebank_http_request_duration_seconds_count", route)
    observed = RouteMetrics(spec)
    for status in (200, 200, 404):
        observed.record(status, 0.01)
    RouteMetrics(spec).record(200, 0.01)  # another worker of the same route: the same series
    after = count("200"), count("404"), _route_sample(
        "timebank_http_request_duration_seconds_count", route)
    assert [a - b for a, b in zip(after, before, strict=True)] == [3, 1, 4]


def test_query_values_are_read_when_sent_and_empty_when_not():
    from gateway.routing import _query_values

    assert _query_values(EnvironBuilder(path="/x").get_request()) == {}
    sent = EnvironBuilder(path="/x", query_string={"q": ["a", "b"], "n": "1"}).get_request()
    assert _query_values(sent) == {"q": ["a", "b"], "n": ["1"]}
    assert _query_values(SimpleNamespace(args={"q": "a"})) == {"q": "a"}  # a test's bare request


# --- the services asked, one dependency --------------------------------------------------------

def test_the_services_are_one_dependency_whose_proxies_are_made_per_request():
    from nameko.containers import ServiceContainer
    from nameko.rpc import RpcProxy as NamekoRpcProxy
    from nameko.rpc import ServiceProxy

    from gateway.service import Downstream

    container = ServiceContainer(GatewayService, {"AMQP_URI": "memory://"})
    providers = [d for d in container.dependencies if isinstance(d, Downstream | NamekoRpcProxy)]
    assert [type(d) for d in providers] == [Downstream]  # one, whatever the number of services
    first, second = (providers[0].get_dependency(SimpleNamespace(n=n)) for n in (1, 2))
    assert isinstance(first.ledger, ServiceProxy)
    assert (first.ledger.service_name, first.ledger.worker_ctx.n) == ("ledger", 1)
    assert first.ledger is first.ledger and first.ledger is not second.ledger
    assert {name: getattr(first, name).service_name for name in
            ("identity", "demand", "matching", "notify", "reporting")} == {
        "identity": "identity", "demand": "demand", "matching": "matching", "notify": "notify",
        "reporting": "reporting"}
    with pytest.raises(AttributeError):
        first.billing  # noqa: B018  (not a service the gateway asks)
    worker = SimpleNamespace(services=first)
    assert GatewayService.ledger.fget(worker) is first.ledger  # self.ledger, as before


def test_the_timeout_and_base_url_come_from_the_config_of_each_request():
    configured = SimpleNamespace(config={"RPC_TIMEOUT_SECONDS": "7.5",
                                         "PUBLIC_BASE_URL": "https://timebank.example"})
    assert GatewayService.rpc_timeout.fget(configured) == 7.5
    assert GatewayService.public_base_url.fget(configured) == "https://timebank.example"
    defaults = SimpleNamespace(config={})
    assert GatewayService.rpc_timeout.fget(defaults) == 30.0
    assert GatewayService.public_base_url.fget(defaults) == "http://127.0.0.1:8000"
