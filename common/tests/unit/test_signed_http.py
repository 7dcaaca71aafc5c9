"""The kit's signed HTTP: the HMAC scheme (with and without a nonce), verification, the
back-off schedule, and a POST's outcome when nobody answers."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import socket

from timebank_common import signed_http


def test_the_signature_is_hmac_sha256_of_timestamp_nonce_and_body():
    body = b'{"a":1}'
    assert signed_http.sign("k", 100, body) == hmac.new(
        b"k", b"100." + body, hashlib.sha256).hexdigest()
    assert signed_http.sign("k", 100, body, "n") == hmac.new(
        b"k", b"100.n." + body, hashlib.sha256).hexdigest()


def test_verify_refuses_an_old_timestamp_another_body_or_nonce():
    good = signed_http.sign("k", 1000, b"x", "n")
    assert signed_http.verify("k", good, 1000, b"x", 1200, "n")
    assert not signed_http.verify("k", good, 1000, b"x", 1400, "n")  # outside 300 s
    assert not signed_http.verify("k", good, 1000, b"y", 1000, "n")
    assert not signed_http.verify("k", good, 1000, b"x", 1000, "m")
    assert not signed_http.verify("k", good, 1000, b"x", 1000)


def test_backoff_doubles_from_the_base_up_to_the_cap():
    assert [signed_http.backoff(n, 30, 200) for n in (0, 1, 2, 3, 4)] == [
        dt.timedelta(seconds=s) for s in (30, 30, 60, 120, 200)]


def test_a_post_nobody_answers_is_an_outcome_not_an_exception():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    outcome = signed_http.post(f"http://127.0.0.1:{port}/x", b"{}", {}, timeout=0.5)
    assert outcome.status is None and not outcome.ok and outcome.error.startswith("no answer")
