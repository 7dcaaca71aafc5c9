"""Exports through a real gateway container and a stand-in ``reporting`` over real RabbitMQ:
asked for (202), and a file larger than one chunk streamed to the client chunk after chunk
(the later chunks asked for while the client reads, after the route returned)."""
import base64
import hashlib
import uuid
from urllib.parse import unquote

import pytest
import requests

from gateway.service import GatewayService
from reporting.contracts import CHUNK_BYTES
from timebank_common.caller import Caller
from timebank_common.errors import Conflict
from timebank_common.tokens import issue_access_token

from .stand_ins import answers_as

DONE, QUEUED = str(uuid.uuid4()), str(uuid.uuid4())
FILE = hashlib.sha256(b"seed").digest() * ((CHUNK_BYTES * 5 // 2) // 32)  # 2.5 chunks
ASKED: list = []
JOB = {"kind": "service_records", "format": "csv", "status": "queued", "percent": None,
       "rows": 0, "total_rows": None,
       "params": {"region_code": "130102000000", "from": "2026-11-01", "to": "2026-11-30"},
       "created_at": "2026-12-01T00:00:00+00:00", "started_at": None, "finished_at": None,
       "expires_at": None, "file_name": None, "size_bytes": None, "error": None}


class StandInReporting:
    name = "reporting"

    @answers_as("reporting")
    def start_export(self, caller, request, idempotency_key=None):
        return {**JOB, "id": QUEUED}

    @answers_as("reporting", expected_exceptions=Conflict)
    def export_file_chunk(self, caller, job_id, offset=0):
        ASKED.append(offset)
        if job_id != DONE:
            raise Conflict("export_not_ready", "导出尚未完成", "The export is not done yet")
        data = FILE[offset:offset + CHUNK_BYTES]
        return {"data": base64.b64encode(data).decode(), "offset": offset,
                "next_offset": offset + len(data), "size_bytes": len(FILE),
                "eof": offset + len(data) >= len(FILE), "file_name": "服务记录_2026年11月.csv",
                "media_type": "text/csv; charset=utf-8"}


@pytest.fixture
def gateway(service_config, start_service, token_keys):
    start_service(StandInReporting, service_config(None))
    cfg = service_config(None, RPC_TIMEOUT_SECONDS=5, STRICT_RESPONSES=True)
    start_service(GatewayService, cfg)
    base = f"http://{cfg['WEB_SERVER_ADDRESS']}"
    private = open(token_keys["JWT_PRIVATE_KEY_FILE"], "rb").read()

    def call(method, path, **kwargs):
        token = issue_access_token(private, Caller("adm", ("city_admin",), "130100000000"), 60)
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{base}{path}", timeout=20, headers=headers,
                                **kwargs)

    return call


def test_asking_answers_202_and_a_done_file_streams_whole(gateway):
    asked = gateway("POST", "/api/v1/reports/exports", headers={"Idempotency-Key": "k1"},
                    json={"kind": "service_records", "format": "csv", "params": JOB["params"]})
    assert asked.status_code == 202 and asked.json()["id"] == QUEUED
    ASKED.clear()
    response = gateway("GET", f"/api/v1/reports/exports/{DONE}/file", stream=True)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Length"] == str(len(FILE))
    name = response.headers["Content-Disposition"].split("filename*=UTF-8''")[1]
    assert unquote(name) == "服务记录_2026年11月.csv"
    assert response.content == FILE
    assert ASKED == [0, CHUNK_BYTES, 2 * CHUNK_BYTES]


def test_a_file_not_ready_is_409(gateway):
    response = gateway("GET", f"/api/v1/reports/exports/{QUEUED}/file")
    assert response.status_code == 409 and response.json()["error"] == "export_not_ready"
