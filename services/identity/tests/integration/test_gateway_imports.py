"""An import over HTTP: the raw GB18030 CSV posted to the gateway, run by identity's timer in
its container, followed until done, the refused rows read as JSON and as CSV for Excel."""
import datetime as dt
import itertools
import random

import pytest
import requests
from timebank_testing import wait_for

from identity.commands.demo import demo_id_number
from identity.service import IdentityService

from .conftest import ACCESS_TOKEN_TTL_SECONDS

OPERATOR, VOLUNTEER = "13800000005", "13800000007"
YUCAI = "130102001001"
_BLOCK = random.randrange(1000)
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def running(demo, service_config, start_module_service):
    """identity in a container whose import timer looks often."""
    start_module_service(IdentityService, service_config(
        None, DATABASE_URL=demo["url"], ACCESS_TOKEN_TTL_SECONDS=ACCESS_TOKEN_TTL_SECONDS,
        IMPORT_POLL_SECONDS=0.2))


def line() -> str:
    n = next(_serial)
    born = dt.date(1991, 2, 1) + dt.timedelta(days=n)
    return (f"GW{_BLOCK:03d}{n:04d},网关导入,居民身份证,{demo_id_number(f'{born:%Y%m%d}', '733')},"
            f"1355{_BLOCK:03d}{n:04d},2024-03-05,{YUCAI},已认证")


def test_an_uploaded_csv_is_imported_and_its_refusals_downloaded(http):
    text = "\r\n".join(["志愿者编号,姓名,证件类型,证件号码,手机号码,注册时间,所属区划代码,状态",
                        line(), line().replace("已认证", "注销中"), line()]) + "\r\n"
    token = requests.post(f"{http.base}/auth/login", json={"phone": OPERATOR,
                                                          "password": "Demo@2026"},
                          timeout=10).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    resp = requests.post(f"{http.base}/people/imports", data=text.encode("gb18030"),
                         params={"kind": "volunteer_registrations", "filename": "名册.csv"},
                         headers={**auth, "Content-Type": "text/csv"}, timeout=10)
    assert resp.status_code == 202, resp.text
    http.check("POST", "/api/v1/people/imports", resp.json())
    job_id = resp.json()["id"]

    def finished():
        job = http("GET", f"/people/imports/{job_id}", OPERATOR).json()
        return job if job["status"] in ("done", "failed") else None

    job = wait_for(finished, timeout=30)
    assert (job["status"], job["created"], job["refused"], job["percent"]) == ("done", 2, 1, 100)
    errors = http("GET", f"/people/imports/{job_id}/errors", OPERATOR).json()
    assert [(r["line"], r["code"]) for r in errors["items"]] == [(3, "invalid_status")]
    csv = requests.get(f"{http.base}/people/imports/{job_id}/errors.csv", headers=auth,
                       timeout=10)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "3,invalid_status" in csv.content.decode("utf-8-sig")
    listed = http("GET", "/people/imports", OPERATOR).json()["items"]
    assert listed[0]["id"] == job_id
    assert http("GET", f"/people/imports/{job_id}", VOLUNTEER).status_code == 404
    wrong = requests.post(f"{http.base}/people/imports", data=b"%PDF",
                          params={"kind": "volunteer_registrations", "filename": "x.pdf"},
                          headers={**auth, "Content-Type": "application/pdf"}, timeout=10)
    assert wrong.status_code == 415 and wrong.json()["error"] == "unsupported_media_type"
