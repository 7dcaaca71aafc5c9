"""The certificate PDF: real Chinese text (not boxes), the fields, and the verification link.
The usual certificate is rendered once for the module (``rendered``) and read by several
tests; certificates that differ (many lines, markup, a volunteer number) are rendered apart."""
import datetime as dt
import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from ledger.adapters.certificate_pdf import missing_glyphs, render_certificate
from ledger.domain.certificates import ServiceLine, build_content, make_number, verify_url

DAY = dt.date(2026, 11, 29)
BASE = "https://timebank.example.cn"


def certificate(services=3, name="王小明", volunteer_number=None):
    catalogue = [("emotional_comfort", "情感慰藉", "Emotional comfort", 90),
                 ("assistance", "协助服务", "Assistance", 60)]
    lines = [ServiceLine(f"2026-{(i % 11) + 1:02d}-15", *catalogue[i % 2],
                         transfer_id=f"service_record:{i}") for i in range(services)]
    return build_content(
        number=make_number("130102001001", DAY, 777), period_from=dt.date(2026, 1, 1),
        period_to=DAY, lines=lines, issuer_station="长安区建北街道时间银行服务站",
        issuer_organisation="河北省时间银行 Hebei Time Bank", issued_on=DAY,
        person={"person_id": "p-1", "name": name, "id_number_masked": "130102********1234",
                "volunteer_number": volunteer_number, "region_code": "130102001001"})


def render(content):
    return render_certificate(content, signature_fingerprint="3F9A 1C2B 77D0 A1E4",
                              key_id="0123456789abcdef", public_base_url=BASE)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def links_of(pdf: bytes) -> list[str]:
    return [annot.get_object()["/A"]["/URI"] for page in PdfReader(io.BytesIO(pdf)).pages
            for annot in page.get("/Annots", [])]


@pytest.fixture(scope="module")
def rendered():
    """(content, PDF bytes, its text) of a three-line certificate."""
    content = certificate(services=3)
    pdf = render(content)
    return content, pdf, text_of(pdf)


def test_chinese_text_is_real_text_with_every_field(rendered):
    content, pdf, text = rendered
    assert pdf.startswith(b"%PDF")
    for expected in ["服务记录证明", "Certificate of Volunteer Service Record", "王小明",
                     "130102********1234", "全国志愿者编号", "2026-01-01", "2026-11-29",
                     "4小时 / 4 h", "240 分钟", "1小时30分\n1 h 30 min", "情感慰藉", "协助服务",
                     "长安区建北街道时间银行服务站", "河北省时间银行", content.number,
                     "3F9A 1C2B 77D0 A1E4", "出具日期"]:
        assert expected in text, expected


def test_the_font_is_embedded_in_the_file(rendered):
    reader = PdfReader(io.BytesIO(rendered[1]))
    fonts = [f.get_object() for page in reader.pages
             for f in page["/Resources"]["/Font"].values()]
    cjk = [f for f in fonts if "WenQuanYiMicroHei" in f["/BaseFont"]]
    assert cjk, "the text must be set in the CJK font"
    for font in cjk:  # a subset of it travels inside the PDF, with a map back to Unicode
        assert "/FontFile2" in font["/FontDescriptor"].get_object() and "/ToUnicode" in font


def test_qr_code_and_link_point_to_the_public_verification_url(rendered):
    content, pdf, text = rendered
    url = verify_url(BASE, content.number)
    assert url == f"{BASE}/api/v1/certificates/{content.number}/verify"
    assert links_of(pdf) == [url]
    assert url in text.replace("\n", "")


@pytest.mark.skipif(not (shutil.which("pdftoppm") and shutil.which("zbarimg")),
                    reason="needs poppler-utils and zbar-tools (apt) to read the QR code")
def test_qr_code_decodes_to_the_verification_url(rendered, tmp_path):
    content, pdf, _ = rendered
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "c")], check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "c.png")],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == verify_url(BASE, content.number)


def test_many_services_flow_onto_more_pages_and_keep_the_total():
    pdf = render(certificate(services=40))
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    text = text_of(pdf)
    assert "50小时 / 50 h" in text and "第 2 页 / Page 2" in text


def test_common_name_characters_are_in_the_font_and_rare_ones_are_reported():
    assert missing_glyphs("王小明欧阳张伟李娜刘洋陈静杨帆赵磊黄敏周杰吴昊喆堃玥") == set()
    assert missing_glyphs("服务记录证明出具单位签名指纹核验扫码") == set()
    assert missing_glyphs("𠀾") == {"𠀾"}


def test_markup_in_a_name_is_printed_not_interpreted():
    pdf = render(certificate(name="王<b>明&"))
    assert "王<b>明&" in text_of(pdf)


def test_the_national_volunteer_number_is_printed_when_identity_gives_it():
    assert "V1301020001" in text_of(render(certificate(volunteer_number="V1301020001")))
