"""Webhook URLs and signatures (pure)."""
import hashlib
import hmac

import pytest

from notify.domain import webhooks


@pytest.mark.parametrize("url", ["https://city.example.cn/hooks", "http://127.0.0.1:8080/h",
                                 "http://localhost/h", "http://[::1]:9/h"])
def test_https_anywhere_and_http_only_on_this_machine(url):
    assert webhooks.check_url(url) == url


@pytest.mark.parametrize("url", ["http://city.example.cn/hooks", "ftp://127.0.0.1/x",
                                 "https://user:pw@city.example.cn/", "https://", "not a url",
                                 "http://127.0.0.1:99999/"])
def test_other_urls_are_refused_with_a_reason_in_both_languages(url):
    with pytest.raises(webhooks.UrlRefused) as refused:
        webhooks.check_url(url)
    assert refused.value.zh and refused.value.en


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"a":1}'
    expected = hmac.new(b"whsec_k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature_header("whsec_k", 1700000000, body) == \
        f"t=1700000000,v1={expected}"


def test_verify_accepts_a_fresh_signature_and_refuses_tampering_age_and_other_keys():
    body = b'{"change":{"sequence":1}}'
    header = webhooks.signature_header("whsec_k", 1000, body)
    assert webhooks.verify("whsec_k", header, body, now=1100)
    assert not webhooks.verify("whsec_k", header, body + b" ", now=1100)
    assert not webhooks.verify("whsec_other", header, body, now=1100)
    assert not webhooks.verify("whsec_k", header, body, now=1000 + 301)
    assert not webhooks.verify("whsec_k", "garbage", body, now=1000)


def test_secrets_are_new_each_time():
    first, second = webhooks.new_secret(), webhooks.new_secret()
    assert first != second and first.startswith("whsec_") and len(first) > 40
