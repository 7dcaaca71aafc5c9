"""The province day's probe sampler (tests/perf/probe_sampler.py) counts every probe's answers
and those that were not 200, against a local HTTP server."""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "perf"))

from probe_sampler import ProbeSampler, percentile  # noqa: E402


class Answers(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.send_response(200 if self.path == "/livez" else 503)
        self.end_headers()
        self.server.asked.set()

    def log_message(self, *args):
        pass


def test_percentile_of_sorted_values():
    assert percentile([], 0.99) == 0.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile([float(n) for n in range(100)], 0.99) == 99.0


def test_the_sampler_counts_answers_and_those_not_200():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    server.asked = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sampler = ProbeSampler({"one": f"http://127.0.0.1:{server.server_port}"}, interval=0.01)
        sampler.start()
        server.asked.wait(5)
        sampler.stop()
    finally:
        server.shutdown()
    assert len(sampler.seconds["/livez"]) >= 1
    assert sampler.bad["/livez"] == 0
    assert sampler.bad["/readyz"] == len(sampler.seconds["/readyz"]) >= 1
    assert "/readyz" in sampler.table() and "(1 processes)" in sampler.table()
