"""The certificate as an A4 PDF (reportlab), Chinese text in an embedded font.

The font is the platform's subset of WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0) in the kit
(``timebank_common.pdf_fonts``, ``timebank_common/fonts/``; see the ledger README, "Certificates"):
reportlab embeds the glyphs used, so the PDF reads the same in every viewer, and the
renderer needs nothing installed on the machine. The QR code (reportlab's own widget)
holds the public verification URL, which is also printed and made a link.
"""
from __future__ import annotations

import io
import logging
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from timebank_common.pdf_fonts import FONT_NAME, missing_glyphs
from timebank_common.pdf_fonts import cjk_font as _font

from ..domain.certificates import CertificateContent, verify_url
from ..domain.display import minutes_en, minutes_zh

log = logging.getLogger(__name__)

TITLE_ZH = "服务记录证明"
TITLE_EN = "Certificate of Volunteer Service Record"
INK = colors.HexColor("#1F2A44")
RULE = colors.HexColor("#9AA5B8")
SHADE = colors.HexColor("#EEF1F6")


def _styles() -> dict[str, ParagraphStyle]:
    _font()
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=10, leading=14, textColor=INK,
                          wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=24, leading=30,
                                alignment=TA_CENTER, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=12, leading=16,
                                   alignment=TA_CENTER, textColor=colors.HexColor("#4A5670")),
        "number": ParagraphStyle("number", parent=base, fontSize=10, alignment=TA_CENTER),
        "label": ParagraphStyle("label", parent=base, fontSize=9, leading=12,
                                textColor=colors.HexColor("#4A5670")),
        "value": ParagraphStyle("value", parent=base, fontSize=11, leading=15),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11,
                                textColor=colors.HexColor("#4A5670")),
    }


class QrCode(Flowable):
    """A QR code of ``url`` that is also a clickable link to it."""

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url, self.size = url, size
        self.width = self.height = size

    def draw(self):
        widget = QrCodeWidget(self.url, barLevel="M")
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(self.size, self.size, transform=[
            self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0])
        drawing.add(widget)
        drawing.drawOn(self.canv, 0, 0)
        self.canv.linkURL(self.url, (0, 0, self.size, self.size), relative=1)


def _field_rows(content: CertificateContent, s) -> list[list]:
    def label(zh, en):
        return Paragraph(f"{zh}<br/>{en}", s["label"])

    def value(text):
        return Paragraph(text, s["value"])

    return [
        [label("志愿者姓名", "Volunteer"), value(escape(content.volunteer_name)),
         label("身份证号", "ID number"), value(escape(content.id_number_masked or "—"))],
        [label("全国志愿者编号", "National volunteer no."),
         value(escape(content.volunteer_number or "—")),
         label("服务次数", "Services"), value(f"{len(content.lines)} 次 / times")],
        [label("服务期间", "Service period"),
         value(f"{content.period_from} 至 to {content.period_to}"),
         label("服务时长合计", "Total time"),
         value(f"{content.total_display}<br/>（{content.total_minutes} 分钟 minutes）")],
    ]


def _lines_table(content: CertificateContent, s, width: float) -> Table:
    head = [Paragraph(t, s["label"]) for t in
            ("日期<br/>Date", "服务内容<br/>Service", "时长<br/>Duration", "服务站点<br/>Station")]
    rows = [head]
    for line in content.lines:
        service = escape(line.category_zh) if line.category_zh == line.category_en else (
            f"{escape(line.category_zh)}<br/>{escape(line.category_en)}")
        rows.append([Paragraph(line.date, s["cell"]), Paragraph(service, s["cell"]),
                     Paragraph(f"{minutes_zh(line.minutes)}<br/>{minutes_en(line.minutes)}", s["cell"]),
                     Paragraph(escape(line.station or content.issuer_station), s["cell"])])
    table = Table(rows, colWidths=[width * f for f in (0.16, 0.31, 0.17, 0.36)], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def render_certificate(content: CertificateContent, *, signature_fingerprint: str, key_id: str,
                       public_base_url: str) -> bytes:
    """The certificate as PDF bytes."""
    lost = missing_glyphs(content.volunteer_name + content.issuer_station
                          + "".join(line.category_zh for line in content.lines))
    if lost:
        log.warning("certificate %s: the font has no glyph for %s", content.number,
                    "".join(sorted(lost)))
    s = _styles()
    name, station = escape(content.volunteer_name), escape(content.issuer_station)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, title=TITLE_ZH,
                            subject=f"{TITLE_EN} {content.number}", author=content.issuer_organisation,
                            creator="Time Bank ledger")
    width = doc.width
    url = verify_url(public_base_url, content.number)

    fields = Table(_field_rows(content, s), colWidths=[width * f for f in (0.2, 0.3, 0.18, 0.32)])
    fields.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, INK),
        ("INNERGRID", (0, 0), (-1, -1), 0.3, RULE),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("BACKGROUND", (2, 0), (2, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))

    statement = Paragraph(
        f"兹证明 {name} 于上述期间在时间银行平台完成以下志愿服务，"
        f"共计 {content.total_display.split(' / ')[0]}，以上记录与时间银行账本一致。<br/>"
        f"This certifies that {name} performed the volunteer services below "
        f"during the period stated, {content.total_display.split(' / ')[1]} in total, "
        "as recorded in the Time Bank ledger.", s["base"])

    issuer = Paragraph(
        f"出具单位 Issued by：{station}<br/>{escape(content.issuer_organisation)}<br/>"
        f"出具日期 Date of issue：{content.issued_on}<br/>"
        f"证明编号 Certificate No.：{content.number}", s["value"])
    signature = Paragraph(
        f"电子签名 Digital signature：Ed25519<br/>密钥 Key：{key_id}<br/>"
        f"签名指纹 Fingerprint：{signature_fingerprint}<br/>"
        f"核验 Verify：{url}", s["small"])
    qr_size = 34 * mm
    qr_block = Table([[QrCode(url, qr_size)], [Paragraph("扫码核验真伪<br/>Scan to verify",
                                                          s["small"])]],
                     colWidths=[qr_size + 4 * mm])
    qr_block.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    closing = Table([[[issuer, Spacer(1, 4 * mm), signature], qr_block]],
                    colWidths=[width - qr_size - 8 * mm, qr_size + 8 * mm])
    closing.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("LINEABOVE", (0, 0), (-1, 0), 0.8, INK),
                                 ("TOPPADDING", (0, 0), (-1, -1), 8)]))

    story = [
        Paragraph(TITLE_ZH, s["title"]),
        Paragraph(TITLE_EN, s["subtitle"]),
        Spacer(1, 2 * mm),
        Paragraph(f"证明编号 Certificate No. <b>{content.number}</b>", s["number"]),
        Spacer(1, 6 * mm),
        fields,
        Spacer(1, 5 * mm),
        statement,
        Spacer(1, 4 * mm),
        _lines_table(content, s, width),
        Spacer(1, 8 * mm),
        closing,
    ]

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8)
        canvas.setFillColor(colors.HexColor("#4A5670"))
        canvas.drawString(doc.leftMargin, 10 * mm,
                          f"{TITLE_ZH} {content.number} · 时间银行 Time Bank")
        canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm,
                               f"第 {document.page} 页 / Page {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
