"""Unknown paths and methods answered in JSON, in one place: the gateway's WSGI app.

nameko's ``WsgiApp`` matches each request against a werkzeug ``Map`` of every ``@http``
entrypoint and answers werkzeug's HTML page when nothing matches. ``GatewayWsgiApp`` is
the same dispatch with JSON answers (and problem+json when asked, ``problems.py``):

* no route for the path: 404 ``not_found``;
* a route for the path but not for the method: 405 ``method_not_allowed`` with ``Allow``.

The console's index fallback (``routes/console.py``) is declared ``/<console:path>``: it
matches every path except ``/api/...`` and ``/docs/...``, so an unknown API path is a 404
(or a 405) here instead of the console's page, and client routes such as ``/demands/42``
keep getting ``index.html``.

``JsonDispatch`` is the dependency that installs the app on the shared nameko ``WebServer``
of the gateway's container (before it starts, when it asks for its WSGI app).
"""
from __future__ import annotations

from nameko.extensions import DependencyProvider
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WsgiApp
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, PathConverter, RequestRedirect
from werkzeug.wrappers import Request

from .problems import error_body, error_response


class ConsolePathConverter(PathConverter):
    """A path (slashes allowed) outside ``api`` and ``docs``: the console's client routes."""

    regex = r"(?!(?:api|docs)(?:/|$))[^/].*?"


CONVERTERS = {"console": ConsolePathConverter}

NOT_FOUND = ("not_found", "没有这个地址", "No such path")
METHOD_NOT_ALLOWED = ("method_not_allowed", "此地址不支持该请求方法",
                      "This path does not accept that method")


def not_found(request: Request):
    return error_response(request, error_body(*NOT_FOUND), 404)


def method_not_allowed(request: Request, allowed: list[str]):
    allow = ", ".join(sorted(allowed))
    return error_response(request, error_body(*METHOD_NOT_ALLOWED, {"allow": sorted(allowed)}),
                          405, headers={"Allow": allow})


class GatewayWsgiApp(WsgiApp):
    """nameko's ``WsgiApp`` with the gateway's converters and JSON 404/405."""

    def __init__(self, server):
        self.server = server
        self.url_map = Map(converters=CONVERTERS)
        for provider in server._providers:  # as nameko's WebServer.make_url_map
            rule = provider.get_url_rule()
            rule.endpoint = provider
            self.url_map.add(rule)

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except RequestRedirect as redirect:  # a missing trailing slash: as nameko does
            response = redirect
        except NotFound:
            response = not_found(request)
        except MethodNotAllowed as exc:
            response = method_not_allowed(request, list(exc.valid_methods or []))
        except HTTPException as exc:  # werkzeug's other refusals (a malformed request)
            response = error_response(request, error_body(
                exc.name.lower().replace(" ", "_"), exc.name, exc.name), exc.code or 400)
        return response(environ, start_response)


class JsonDispatch(DependencyProvider):
    """Makes the container's nameko ``WebServer`` serve ``GatewayWsgiApp``. Every ``@http``
    entrypoint shares that one server; it builds its app when it starts, after every
    extension's ``setup``."""

    def setup(self):
        for entrypoint in self.container.entrypoints:
            if isinstance(entrypoint, HttpRequestHandler):
                server = entrypoint.server
                server.get_wsgi_app = lambda server=server: GatewayWsgiApp(server)
