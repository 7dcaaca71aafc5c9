"""The baseline of DESIGN.md §8: a bare nameko ``@http`` entrypoint that makes one
RPC to an echo service. Run as two processes by bench_gateway.py:

    python tests/perf/echo_services.py rpc  <amqp_uri>
    python tests/perf/echo_services.py http <amqp_uri> <port>
"""
import eventlet

eventlet.monkey_patch()

import sys  # noqa: E402

from nameko.cli.run import run  # noqa: E402
from nameko.rpc import RpcProxy, rpc  # noqa: E402
from nameko.web.handlers import http  # noqa: E402


class EchoRpc:
    name = "perf_echo"

    @rpc
    def echo(self, value):
        return value


class EchoHttp:
    name = "perf_echo_http"
    echo_service = RpcProxy("perf_echo")

    @http("GET", "/echo")
    def echo(self, request):
        return self.echo_service.echo("ok")


if __name__ == "__main__":
    kind, amqp_uri = sys.argv[1], sys.argv[2]
    config = {"AMQP_URI": amqp_uri, "max_workers": 50}
    if kind == "http":
        config["WEB_SERVER_ADDRESS"] = f"127.0.0.1:{sys.argv[3]}"
        run([EchoHttp], config)
    else:
        run([EchoRpc], config)
