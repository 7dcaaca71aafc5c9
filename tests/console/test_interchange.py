"""Issue 16's supervisor pages in a real browser: the 报表 page's service records export
downloaded as XLSX and read back with openpyxl; a monthly report made and its PDF downloaded
(text read with pypdf); the commendation lists; the data interchange page's three tabs; and a
station operator's import of a small GB18030 CSV with one bad row, followed to done."""
from __future__ import annotations

import io
import re

import openpyxl
import pypdf
import pytest

from console_browser import axe, login, shot
from first_path import new_person_numbers, run_path
from platform_fixtures import Api

PROVINCE_ADMIN = "13800000001"


@pytest.fixture(scope="module")
def served(platform, demo_accounts):
    """A service in 长安区 (the demo station), credited 75 minutes: its record id."""
    return run_path(Api(platform.url("gateway")), demo_accounts, minutes=75)["record"]["record_id"]


def test_the_service_records_export_downloads_an_xlsx_with_the_recorded_service(new_page, served):
    record_id = served
    page = new_page(accept_downloads=True)
    login(page, PROVINCE_ADMIN)
    page.goto("/supervisor/reports")
    page.get_by_role("heading", name="服务记录明细").wait_for()
    section = page.locator(".tb-section-head").filter(has=page.get_by_role("heading", name="服务记录明细"))
    deadline_rows = 0
    for _ in range(60):  # the read model may still be absorbing the service: export again
        section.get_by_role("button", name="导出 Excel").click()
        section.get_by_text(re.compile(r"导出完成，共 [\d,]+ 行")).wait_for()
        deadline_rows = int(re.search(r"共 ([\d,]+) 行", section.get_by_role("status").inner_text()).group(1).replace(",", ""))
        if deadline_rows >= 1:
            break
        section.get_by_role("button", name="关闭").click()
        page.wait_for_timeout(1000)
    assert deadline_rows >= 1
    axe(page)
    shot(page, "supervisor-reports-export-done")
    with page.expect_download() as download:
        section.get_by_role("button", name=re.compile(r"下载 .+\.xlsx")).click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    assert header[0] == "服务记录编号 / Record", header
    assert len(rows) - 1 == deadline_rows
    minutes = header.index("记录分钟数 / Recorded minutes")
    ours = [row for row in rows[1:] if row[0] == record_id]
    assert len(ours) == 1 and ours[0][minutes] == 75, (record_id, rows[:3])


def test_a_monthly_report_is_made_and_its_pdf_downloaded(new_page):
    page = new_page(accept_downloads=True)
    login(page, PROVINCE_ADMIN)
    page.get_by_role("menuitem", name="月度报告").click()
    page.wait_for_url("**/supervisor/monthly")
    page.get_by_role("heading", name="月度报告", exact=True).wait_for()
    made = page.get_by_test_id("report-number")
    generate = page.get_by_role("button", name="生成月度报告")
    generate.or_(made).wait_for()
    if generate.is_visible():
        axe(page)
        shot(page, "supervisor-monthly-missing")
        generate.click()
    made.wait_for()
    number = made.inner_text().strip()
    assert re.fullmatch(r"YB-13-\d{6}-[0-9A-Z]{7}", number), number
    page.get_by_role("link", name=re.compile(re.escape(number))).wait_for()
    axe(page)
    shot(page, "supervisor-monthly-made")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    reader = pypdf.PdfReader(download.value.path())
    text = "".join(p.extract_text() or "" for p in reader.pages)
    assert number in text.replace(" ", "")
    assert "河北省" in text or "月度报告" in text


def test_the_commendation_page_shows_the_four_lists(new_page, served):
    page = new_page()
    login(page, PROVINCE_ADMIN)
    page.get_by_role("menuitem", name="表扬名单").click()
    page.wait_for_url("**/supervisor/commendation")
    for heading in ("服务时长里程碑", "服务最多的站点", "评价最好的站点", "长期坚持服务的志愿者"):
        page.get_by_role("heading", name=heading).wait_for()
    busiest = page.get_by_role("table", name="服务最多的站点").or_(
        page.locator(".tb-card").filter(has=page.get_by_role("heading", name="服务最多的站点")))
    for _ in range(30):  # the read model may still be absorbing the service
        if busiest.first.get_by_text("育才社区").count():
            break
        page.get_by_role("button", name="查询").click()
        page.wait_for_timeout(1000)
    busiest.first.get_by_text("育才社区").first.wait_for()
    page.get_by_role("button", name="导出 Excel").first.wait_for()
    axe(page)
    shot(page, "supervisor-commendation")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Commendation lists").wait_for()
    page.get_by_role("heading", name="Busiest stations").wait_for()
    page.get_by_role("menuitem", name="Data interchange").wait_for()
    axe(page)
    shot(page, "supervisor-commendation-english")


def test_the_interchange_page_has_its_three_tabs(new_page, served):
    page = new_page(accept_downloads=True)
    login(page, PROVINCE_ADMIN)
    page.get_by_role("menuitem", name="数据交换").click()
    page.wait_for_url("**/supervisor/interchange")
    page.get_by_role("heading", name="历次导出").wait_for()
    page.get_by_role("heading", name="新的导出").wait_for()
    page.get_by_role("button", name="导出 Excel").click()
    page.get_by_text(re.compile(r"导出完成，共 [\d,]+ 行")).wait_for()
    page.locator(".tb-past .el-table__body tr.el-table__row").first.wait_for()  # the list shows it
    page.mouse.move(0, 0)  # not hovering the download link that appeared under the pointer
    axe(page)
    shot(page, "supervisor-interchange-national")

    page.get_by_role("tab", name="志愿汇").click()
    page.get_by_test_id("zyh-status").wait_for()
    page.get_by_role("heading", name="推送失败的记录").wait_for()
    page.get_by_role("button", name="全部重新推送").wait_for()
    axe(page)
    shot(page, "supervisor-interchange-zyh")

    page.get_by_role("tab", name="对账").click()
    page.get_by_test_id("ledger-totals").wait_for()
    page.get_by_role("heading", name=re.compile("全国志愿服务信息系统")).last.wait_for()
    page.get_by_role("heading", name=re.compile("志愿汇")).last.wait_for()
    # 志愿汇 is not enabled here: the credited service is a difference, its kind in Chinese
    page.get_by_role("cell", name="已入账未交付").first.wait_for()
    axe(page)
    shot(page, "supervisor-interchange-reconciliation")


def test_a_station_operator_imports_a_gb18030_csv_with_one_bad_row(new_page, demo_accounts, tmp_path):
    operator = demo_accounts["station_operator"]
    id_number, phone = new_person_numbers("19880214", "female")
    csv = ("志愿者编号,姓名,证件号码,手机号码,所属区划代码,状态\r\n"
           f"N{phone},赵文静,{id_number},{phone},130102001001,已认证\r\n"
           "N00000000001,钱坏行,110101199001011234,13000000000,130102001001,已认证\r\n")
    file = tmp_path / "志愿者导入.csv"
    file.write_bytes(csv.encode("gb18030"))

    page = new_page(accept_downloads=True)
    login(page, operator["phone"], operator["password"])
    page.get_by_role("menuitem", name="志愿者导入").click()
    page.wait_for_url("**/station/imports")
    page.get_by_label("选择文件").set_input_files(str(file))
    page.get_by_role("button", name="上传并导入").click()
    job = page.get_by_test_id("import-job")
    job.get_by_role("status").filter(has_text=re.compile("已排队|已处理")).wait_for()  # progress first
    job.get_by_text("导入完成").wait_for()
    counts = page.get_by_test_id("import-counts").inner_text()
    assert re.search(r"新增 1，更新 0，未变 0，拒绝 1", counts), counts
    refused = page.locator(".tb-refused .el-table__body tr.el-table__row")
    refused.first.wait_for()
    assert refused.count() == 1
    cells = refused.first.locator("td").all_inner_texts()
    assert cells[0].strip() == "3", cells  # the header is line 1
    page.get_by_role("table").last.wait_for()
    axe(page)
    shot(page, "station-imports-done")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载拒绝明细（CSV）").click()
    assert "3" in open(download.value.path(), "rb").read().decode("utf-8-sig", errors="replace")
