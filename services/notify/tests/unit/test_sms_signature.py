"""The SMS request signature (Tencent Cloud API 3.0, TC3-HMAC-SHA256)."""
from notify.adapters.channels.sms_signature import (
    headers_to_sign,
    parse_authorization,
    signature,
    signed_headers,
)


def test_the_signature_matches_the_providers_documented_example():
    """The worked example of Tencent Cloud's "Signature v3" documentation (CVM
    DescribeInstances, signed headers content-type;host)."""
    payload = rb'{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}'
    scope, names, sig = signature("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm", 1551113065,
                                  headers_to_sign("cvm.tencentcloudapi.com", None), payload)
    assert scope == "2019-02-25/cvm/tc3_request"
    assert names == "content-type;host"
    assert sig == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


def test_signed_headers_of_a_send_sms_request():
    headers = signed_headers("AKIDtest", "secret", service="sms", host="sms.tencentcloudapi.com",
                             action="SendSms", version="2021-01-11", region="ap-guangzhou",
                             timestamp=1551113065, payload=b"{}")
    auth = parse_authorization(headers["Authorization"])
    assert auth["algorithm"] == "TC3-HMAC-SHA256"
    assert auth["credential"] == "AKIDtest/2019-02-25/sms/tc3_request"
    assert auth["signed_headers"] == "content-type;host;x-tc-action"
    assert headers["X-TC-Action"] == "SendSms" and headers["X-TC-Version"] == "2021-01-11"
    other = signed_headers("AKIDtest", "secret", service="sms", host="sms.tencentcloudapi.com",
                           action="SendSms", version="2021-01-11", region="ap-guangzhou",
                           timestamp=1551113065, payload=b'{"x":1}')
    assert other["Authorization"] != headers["Authorization"]  # the body is signed
