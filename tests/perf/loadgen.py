"""Closed-loop HTTP load on loopback: wrk when installed (apt-get install wrk),
otherwise a Python client. Both report rate and p50/p99 latency."""
from __future__ import annotations

import http.client
import re
import shutil
import subprocess
import tempfile
import threading
import time
from urllib.parse import urlparse


def _assert_loopback(url: str) -> None:
    host = urlparse(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load tests only target loopback addresses, not {host}")


def run_wrk(url: str, seconds: int, connections: int, headers: dict) -> dict:
    lua = "".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", f.name, url],
        capture_output=True, text=True, timeout=seconds + 60,
    ).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"tool": "wrk", "rate": rate, "p50_ms": ms("50"), "p99_ms": ms("99"),
            "errors": int(non2xx.group(1)) if non2xx else 0}


def run_python(url: str, seconds: int, connections: int, headers: dict) -> dict:
    parsed = urlparse(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            conn.request("GET", parsed.path or "/", headers=headers)
            resp = conn.getresponse()
            resp.read()
            mine.append(time.perf_counter() - started)
            if resp.status >= 300:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"tool": "python", "rate": len(latencies) / elapsed, "p50_ms": pick(0.5), "p99_ms": pick(0.99),
            "errors": errors[0]}


def load(url: str, seconds: int = 10, connections: int = 50, headers: dict | None = None) -> dict:
    _assert_loopback(url)
    headers = headers or {}
    if shutil.which("wrk"):
        return run_wrk(url, seconds, connections, headers)
    return run_python(url, seconds, min(connections, 16), headers)
