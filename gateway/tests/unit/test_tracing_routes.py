"""The gateway traces as every service does (``ServiceBase``'s ``TracingProvider``), and the
``http.route`` of its spans is the ``route`` label of its request metrics."""
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR
from nameko.web.handlers import HttpRequestHandler

from gateway.routing import ROUTES
from gateway.service import GatewayService
from timebank_common.tracing import TracingProvider, route_template


def test_the_gateway_has_the_tracing_provider():
    assert isinstance(GatewayService.tracing, TracingProvider)


def test_span_route_is_the_metrics_route_label():
    urls = {entrypoint.url  # the rule each route's nameko entrypoint serves
            for cls in GatewayService.__mro__
            for member in vars(cls).values()
            for entrypoint in getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, ())
            if isinstance(entrypoint, HttpRequestHandler)}
    assert ROUTES
    for spec in ROUTES:
        assert spec.path in urls, spec.path
        assert route_template(spec.path) == spec.openapi_path
