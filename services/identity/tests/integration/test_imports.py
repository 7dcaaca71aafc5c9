"""Imports of the national volunteer system's files as jobs (issue 16 item 6): a GB18030 CSV
and an XLSX with good and bad rows, the same file again, a bad file, and a process killed
mid-file resuming from its checkpoint. In process, rolled back, at the test clock."""
import base64
import datetime as dt
import io
import itertools
import random

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from identity.adapters.tables import audit_log, import_job_rows, import_jobs
from identity.app import imports
from identity.commands.demo import QIAOTUN_COMMUNITY, demo_id_number
from timebank_common.errors import Forbidden, NotFound

OPERATOR, AUDITOR, VOLUNTEER, COUNTY_ADMIN = "13800000005", "13800000006", "13800000007", \
    "13800000003"
YUCAI = "130102001001"
HEADER = ["志愿者编号", "姓名", "证件类型", "证件号码", "手机号码", "注册时间", "所属区划代码", "状态"]
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


def person(**changes) -> dict:
    n = next(_serial)
    born = dt.date(1990, 1, 1) + dt.timedelta(days=n)
    return {"number": f"NV{_BLOCK:03d}{n:05d}", "name": "钱志愿",
            "id_number": demo_id_number(f"{born:%Y%m%d}", "713"),
            "phone": f"1377{_BLOCK:03d}{n:04d}", "region": YUCAI, "status": "已认证", **changes}


def row(p: dict) -> list[str]:
    return [p["number"], p["name"], "居民身份证", p["id_number"], p["phone"], "2024-03-05",
            p["region"], p["status"]]


def csv_bytes(rows: list[list[str]], encoding: str = "gb18030") -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode(encoding) + b"\r\n"


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def start(identity, caller, content: bytes, name="志愿者名册.csv",
          kind="volunteer_registrations") -> dict:
    return identity.start_import(caller, {"kind": kind, "file_name": name,
                                          "content": base64.b64encode(content).decode()})


def run_all(identity_db, clock, owner="test-runner", **options) -> None:
    while imports.run_next(identity_db, clock, owner, **options) is not None:
        pass


def errors(identity, caller, job_id) -> list[tuple[int, str]]:
    page = identity.import_errors(caller, job_id, {"page": 1, "page_size": 100})
    assert all(r["zh"] and r["en"] for r in page["items"])
    return [(r["line"], r["code"]) for r in page["items"]]


def counts(job: dict) -> tuple[int, int, int, int]:
    return job["created"], job["updated"], job["unchanged"], job["refused"]


@pytest.fixture
def operator(login):
    return login(OPERATOR)


def test_a_gb18030_csv_registers_updates_and_refuses_with_line_numbers(
        identity, identity_db, clock, operator, events):
    known = person()
    identity.register_volunteer(operator, {
        "name": known["name"], "id_number": known["id_number"], "phone": known["phone"],
        "region_code": YUCAI, "initial_password": "Volunteer@2026"})  # no number, unverified
    new, outside, no_phone = person(), person(region=QIAOTUN_COMMUNITY), person(phone="")
    rows = [HEADER, row(new), row(known), row(person(id_number="130102199001010000")),
            row(outside), [], row(no_phone), row({**person(), "status": "注销中"})]
    job = start(identity, operator, csv_bytes(rows))
    assert (job["status"], job["percent"], job["file_name"]) == ("queued", None, "志愿者名册.csv")
    run_all(identity_db, clock)
    done = identity.get_import(operator, job["id"])
    assert (done["status"], done["percent"], done["rows_done"], done["total_rows"]) == \
        ("done", 100, 6, 6)
    assert counts(done) == (1, 1, 0, 4)
    assert errors(identity, operator, job["id"]) == [
        (4, "invalid_id_number"), (5, "out_of_scope"), (7, "phone_required"),
        (8, "invalid_status")]
    registered = [p for p in events("person_registered") if p["profile"] == "volunteer"]
    assert len(registered) == 2  # the known one at its registration, the new one by import
    listed = identity.list_volunteers(operator, {"id_number": new["id_number"]})["items"]
    assert [v["name"] for v in listed] == [new["name"]]
    found = identity.list_volunteers(operator, {"id_number": known["id_number"]})["items"][0]
    assert found["volunteer_number"] == known["number"]
    assert identity.eligibility(operator, found["person_id"])["registry_status"] == "verified"

    clock.advance(minutes=1)  # the list is newest first
    again = start(identity, operator, csv_bytes(rows))
    run_all(identity_db, clock)
    assert counts(identity.get_import(operator, again["id"])) == (0, 0, 2, 4)
    assert len([p for p in events("person_registered") if p["profile"] == "volunteer"]) == 2
    mine = {again["id"], job["id"]}  # (other tests' jobs by the same operator may be listed)
    assert [j["id"] for j in identity.list_imports(operator)["items"] if j["id"] in mine] == \
        [again["id"], job["id"]]
    with identity_db() as uow:
        actions = [r.action for r in uow.execute(
            select(audit_log.c.action).where(audit_log.c.target_id == job["id"])
            .order_by(audit_log.c.at, audit_log.c.id))]
    assert actions == ["start_import", "finish_import"]


def test_an_xlsx_in_english_headers_and_any_order(identity, identity_db, clock, operator):
    first, second = person(), person(status="未通过")
    header = ["status", "region_code", "phone", "id_number", "name", "volunteer_number"]

    def english(p):
        return [p["status"], p["region"], int(p["phone"]), p["id_number"], p["name"],
                p["number"]]

    content = xlsx_bytes([header, english(first), english(second), ["", "", "", "", "", ""],
                          english({**person(), "number": first["number"]})])
    job = start(identity, operator, content, name="registrations.xlsx")
    run_all(identity_db, clock)
    done = identity.get_import(operator, job["id"])
    assert counts(done) == (2, 0, 0, 1)
    assert errors(identity, operator, job["id"]) == [(5, "volunteer_number_in_use")]


def test_a_bad_file_fails_the_job_with_its_reason(identity, identity_db, clock, operator):
    bad_header = start(identity, operator, csv_bytes([["志愿者编号", "爱好"], ["V1", "唱歌"]],
                                                     "utf-8"))
    not_a_table = start(identity, operator, b"%PDF-1.7\x00\x01\x02", name="scan.pdf")
    run_all(identity_db, clock)
    failed = identity.get_import(operator, bad_header["id"])
    assert failed["status"] == "failed" and failed["error"]["code"] == "unknown_header"
    assert "爱好" in failed["error"]["zh"] and failed["error"]["en"]
    assert identity.get_import(operator, not_a_table["id"])["error"]["code"] == "not_a_table"


def test_the_registry_status_file_as_the_command_took_it(identity, identity_db, clock, operator):
    volunteer = person()
    rows = [HEADER, row({**volunteer, "status": "待认证"})]
    start(identity, operator, csv_bytes(rows))
    run_all(identity_db, clock)
    content = csv_bytes([[volunteer["number"], "verified"], ["NV-UNKNOWN", "verified"],
                         [volunteer["number"], "pending"]], "utf-8-sig")
    job = start(identity, operator, content, name="核验结果.csv", kind="registry_status")
    run_all(identity_db, clock)
    assert counts(identity.get_import(operator, job["id"])) == (0, 1, 0, 2)
    assert errors(identity, operator, job["id"]) == [(2, "unknown_volunteer_number"),
                                                     (3, "invalid_status")]
    again = start(identity, operator, content, name="核验结果.csv", kind="registry_status")
    run_all(identity_db, clock)
    assert counts(identity.get_import(operator, again["id"])) == (0, 0, 1, 2)


def test_who_may_import_and_read_a_job(identity, identity_db, clock, operator, login):
    with pytest.raises(Forbidden) as info:
        start(identity, login(VOLUNTEER), csv_bytes([HEADER]))
    assert info.value.code == "role_required"
    job = start(identity, operator, csv_bytes([HEADER, row(person())]))
    assert identity.get_import(login(COUNTY_ADMIN), job["id"])["id"] == job["id"]  # supervises
    with pytest.raises(NotFound):
        identity.get_import(login("13800000010"), job["id"])  # 唐山's operator
    assert identity.list_imports(login(COUNTY_ADMIN))["items"] == []


class Killed(BaseException):
    """The process dies (not an exception a row's savepoint takes for a refusal)."""


def test_a_job_killed_mid_file_resumes_from_its_checkpoint_and_does_no_row_twice(
        identity, identity_db, clock, operator, monkeypatch):
    people = [person() for _ in range(5)]
    job = start(identity, operator, xlsx_bytes([HEADER, *[row(p) for p in people]]),
                name="big.xlsx")
    real_apply, calls = imports._apply, itertools.count(1)

    def dies_on_the_third_row(*args):
        if next(calls) == 3:
            raise Killed
        return real_apply(*args)

    monkeypatch.setattr(imports, "_apply", dies_on_the_third_row)
    with pytest.raises(Killed):  # the first chunk (lines 2-3) committed, the second not
        imports.run_next(identity_db, clock, "process-a", chunk_rows=2)
    monkeypatch.setattr(imports, "_apply", real_apply)
    midway = identity.get_import(operator, job["id"])
    assert (midway["status"], midway["rows_done"], midway["total_rows"], midway["percent"]) == \
        ("running", 2, 5, 40)
    assert imports.run_next(identity_db, clock, "process-b", chunk_rows=2) is None  # leased
    clock.advance(seconds=imports.QUEUE.lease.total_seconds() + 1)
    assert imports.run_next(identity_db, clock, "process-b", chunk_rows=2) == job["id"]
    done = identity.get_import(operator, job["id"])
    assert (done["status"], counts(done)) == ("done", (5, 0, 0, 0))
    with identity_db() as uow:
        lines = [r.line for r in uow.execute(select(import_job_rows.c.line).where(
            import_job_rows.c.job_id == job["id"]).order_by(import_job_rows.c.line))]
        attempts = uow.execute(select(import_jobs.c.attempts).where(
            import_jobs.c.id == job["id"])).scalar_one()
        with_person = uow.execute(select(func.count()).select_from(import_job_rows).where(
            import_job_rows.c.job_id == job["id"],
            import_job_rows.c.person_id.is_not(None))).scalar_one()
    assert lines == [2, 3, 4, 5, 6] and attempts == 2 and with_person == 5


def test_the_commands_run_the_same_jobs_and_print_progress(demo, tmp_path, capsys):
    from identity.commands import import_registry, import_volunteers

    config = tmp_path / "identity.yaml"
    config.write_text(f"DATABASE_URL: {demo['url']}\n", encoding="utf-8")
    good, bad = person(), person(phone="12")
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_bytes([HEADER, row(good), row(bad)]))
    assert import_volunteers.main([str(path), "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "2/2" in out and "created: 1" in out and "第3行 line 3  invalid_phone" in out
    assert import_volunteers.main([str(path), "--config", str(config)]) == 1
    assert "unchanged: 1" in capsys.readouterr().out
    status = tmp_path / "status.csv"
    status.write_text(f"volunteer_number,status\n{good['number']},rejected\n", encoding="utf-8")
    assert import_registry.main([str(status), "--config", str(config),
                                 "--region", "130102000000"]) == 0
    assert "updated: 1" in capsys.readouterr().out
