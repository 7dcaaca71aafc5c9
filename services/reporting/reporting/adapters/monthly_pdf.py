"""The monthly report as an A4 PDF (reportlab), in Chinese, in the kit's embedded font
(``timebank_common.pdf_fonts``): title and month, the key figures against the month before,
one bar chart per key figure over the month and the 5 before it (reportlab graphics), the
child regions' table, the commendation lists, and the number, signature fingerprint and
verification URL (with its QR code) in every page's footer."""
from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from timebank_common.clock import CHINA
from timebank_common.pdf_fonts import FONT_NAME, cjk_font, missing_glyphs

log = logging.getLogger(__name__)

INK = colors.HexColor("#1F2A44")
MUTED = colors.HexColor("#4A5670")
RULE = colors.HexColor("#9AA5B8")
SHADE = colors.HexColor("#EEF1F6")
BAR = colors.HexColor("#3A6EA5")
BAR_CURRENT = colors.HexColor("#D9822B")
LIST_TITLES = {
    "milestones": "星级志愿者（本月达到星级）",
    "busiest_stations": "服务最多的服务站",
    "best_rated_stations": "评价最好的服务站",
    "long_serving": "长期坚持服务的志愿者",
}


def _styles() -> dict[str, ParagraphStyle]:
    cjk_font()
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=9.5, leading=13, textColor=INK,
                          wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26,
                                alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15,
                                   alignment=TA_CENTER, textColor=MUTED),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=8,
                             spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
    }


def number_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{int(value or 0):,}"


def _moment(text: str | None) -> str:
    if not text:
        return "—"
    return dt.datetime.fromisoformat(text).astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def _chart(figure: Mapping[str, Any], width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    history = figure["history"]
    chart = VerticalBarChart()
    chart.x, chart.y = 26, 18
    chart.width, chart.height = width - 34, height - 36
    chart.data = [[float(h["value"]) for h in history]]
    chart.categoryAxis.categoryNames = [h["month"][2:].replace("-", "/") for h in history]
    chart.categoryAxis.labels.fontName = FONT_NAME
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.labels.fontName = FONT_NAME
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    if figure["measure"] == "mean_score":  # scores are 1 to 5
        chart.valueAxis.valueMax, chart.valueAxis.valueStep = 5, 1
    else:
        top = max(chart.data[0] + [1.0])
        step = max(1, round(top / 3))
        chart.valueAxis.valueStep = step
        chart.valueAxis.valueMax = step * (int(top // step) + 1)
        chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.bars[0].fillColor = BAR
    chart.bars[(0, len(history) - 1)].fillColor = BAR_CURRENT
    chart.bars.strokeColor = None
    drawing.add(chart)
    drawing.add(String(4, height - 11, f"{figure['label']}（{figure['unit']}）",
                       fontName=FONT_NAME, fontSize=8, fillColor=INK))
    return drawing


def _table(rows: list[list[Any]], widths: list[float], header_rows: int = 1,
           text_columns: int = 1) -> Table:
    """A ruled table; the first ``text_columns`` columns left-aligned, numbers right."""
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
        ("ALIGN", (text_columns, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def _list_rows(key: str, rows: list[dict[str, Any]]) -> tuple[list[list[Any]], list[float]]:
    if key == "milestones":
        head = ["星级", "志愿者", "累计服务（小时）", "达到日期"]
        body = [[f"{r['level']}星", r["name"] or "—", f"{r['cumulative_minutes'] / 60:,.1f}",
                 r["day"]] for r in rows]
        return [head, *body], [22 * mm, 50 * mm, 40 * mm, 40 * mm]
    if key == "busiest_stations":
        head = ["名次", "服务站", "服务次数", "服务时长（分钟）"]
        body = [[r["rank"], r["name"] or "—", number_text(r["services"]),
                 number_text(r["minutes"])] for r in rows]
        return [head, *body], [14 * mm, 86 * mm, 26 * mm, 36 * mm]
    if key == "best_rated_stations":
        head = ["名次", "服务站", "平均评分", "评价数"]
        body = [[r["rank"], r["name"] or "—", f"{r['mean_score']:.2f}",
                 number_text(r["evaluations"])] for r in rows]
        return [head, *body], [14 * mm, 86 * mm, 26 * mm, 36 * mm]
    head = ["名次", "志愿者", "连续服务月数", "服务天数"]
    body = [[r["rank"], r["name"] or "—", r["months_served"], r["days_served"]] for r in rows]
    return [head, *body], [14 * mm, 86 * mm, 26 * mm, 36 * mm]


def render(content: Mapping[str, Any], *, signature_fingerprint: str, key_id: str,
           verify_url: str) -> bytes:
    """The PDF of a report's ``content`` (``domain.monthly.build_content``)."""
    s = _styles()
    names = content["region_name"] + "".join(c["name"] for c in content["children"]) + "".join(
        r.get("name") or "" for rows in content["commendation"].values() for r in rows)
    lost = missing_glyphs(names)
    if lost:
        log.warning("monthly report %s: the font has no glyph for %s", content["number"],
                    "".join(sorted(lost)))
    story: list[Any] = [
        Paragraph(escape(f"{content['region_name']}时间银行月度报告"), s["title"]),
        Paragraph(escape(f"{content['month_zh']}（{content['period'][0]} 至 "
                         f"{content['period'][1]}）"), s["subtitle"]),
        Spacer(1, 2 * mm),
        Paragraph(escape(f"报告编号：{content['number']}　　数据截至：{_moment(content['as_of'])}"
                         f"　　生成时间：{_moment(content['generated_at'])}（北京时间）"),
                  s["small"]),
        Paragraph("一、本月主要指标", s["h2"]),
    ]
    rows: list[list[Any]] = [["指标", "本月", "上月", "单位"]]
    for f in content["figures"]:
        rows.append([f["label"], number_text(f["value"]),
                     "—" if f["previous"] is None else number_text(f["previous"]), f["unit"]])
    story.append(_table(rows, [60 * mm, 36 * mm, 36 * mm, 20 * mm]))
    story.append(Paragraph("二、近六个月走势（橙色为本月）", s["h2"]))
    width, height = 58 * mm, 34 * mm
    cells = [_chart(f, width, height) for f in content["figures"]]
    grid = [cells[i:i + 3] + [""] * (3 - len(cells[i:i + 3])) for i in range(0, len(cells), 3)]
    story.append(Table(grid, colWidths=[width + 2 * mm] * 3, rowHeights=height + 2 * mm))
    if content["children"]:
        story.append(Paragraph("三、下级区划情况", s["h2"]))
        rows = [["区划", "服务次数", "服务时长（分钟）", "活跃志愿者", "提交需求", "评价数",
                 "平均评分"]]
        for c in content["children"]:
            rows.append([Paragraph(escape(c["name"] or c["region_code"]), s["cell"]),
                         number_text(c["services_recorded"]), number_text(c["service_minutes"]),
                         number_text(c["active_volunteers"]),
                         number_text(c["demands_submitted"]), number_text(c["evaluations"]),
                         number_text(c["mean_score"])])
        story.append(_table(rows, [40 * mm, 20 * mm, 28 * mm, 22 * mm, 20 * mm, 18 * mm,
                                   20 * mm]))
    story.append(Paragraph(("四" if content["children"] else "三") + "、表扬奖励", s["h2"]))
    for key, title in LIST_TITLES.items():
        rows_of = content["commendation"].get(key) or []
        block: list[Any] = [Paragraph(escape(title), s["base"])]
        if rows_of:
            table_rows, widths = _list_rows(key, rows_of)
            block.append(_table(table_rows, widths, text_columns=2))
        else:
            block.append(Paragraph("本月暂无", s["small"]))
        block.append(Spacer(1, 2 * mm))
        story.append(KeepTogether(block))
    story.append(Paragraph(escape(
        "说明：服务时长、存入、使用、赠与、捐赠时间以分钟计；活跃志愿者为截至月末 90 天内有服务记录的"
        "志愿者人数；平均评分为本月评价得分之和除以评价数。评价最好的服务站须本月至少有 3 条评价；"
        "长期坚持服务的志愿者为近 6 个月每月都有服务记录者，按服务天数排序。姓名已做脱敏处理。"),
        s["small"]))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT_NAME, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(15 * mm, 14 * mm, f"报告编号 {content['number']}　签名 Ed25519 "
                                            f"密钥 {key_id}　指纹 {signature_fingerprint}")
        canvas.drawString(15 * mm, 10 * mm, f"核验真伪：{verify_url}")
        canvas.drawRightString(A4[0] - 35 * mm, 10 * mm, f"第 {doc.page} 页")
        canvas.linkURL(verify_url, (15 * mm, 9 * mm, 150 * mm, 13 * mm), relative=0)
        qr = QrCodeWidget(verify_url)
        x0, y0, x1, y1 = qr.getBounds()
        size = 18 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(qr)
        drawing.drawOn(canvas, A4[0] - 30 * mm, 5 * mm)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=26 * mm,
                            title=f"{content['region_name']} {content['month_zh']} 时间银行月度报告",
                            author="河北省时间银行", subject=content["number"])
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
