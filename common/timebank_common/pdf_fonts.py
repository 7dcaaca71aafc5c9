"""The Chinese font every PDF of the platform embeds (certificates, monthly reports).

A subset of WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0) committed in
``timebank_common/fonts/`` (licence and provenance in its README; ``fonts/make_font_subset.py``
rebuilds it): every character of GB 2312 — all common hanzi, every Hebei place name — plus
common name characters outside it, ASCII, Latin-1, punctuation and full-width forms.
reportlab embeds the glyphs a document uses, so a PDF reads the same in every viewer and
nothing needs installing on the machine.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).parent / "fonts" / "WenQuanYiMicroHei-subset.ttf"


@lru_cache(maxsize=1)
def cjk_font() -> TTFont:
    """The font, registered with reportlab under ``FONT_NAME`` (once per process)."""
    font = TTFont(FONT_NAME, str(FONT_FILE))
    pdfmetrics.registerFont(font)
    return font


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` the embedded font cannot show (they would print as boxes)."""
    cmap = cjk_font().face.charToGlyph
    return {ch for ch in text if not ch.isspace() and ord(ch) not in cmap}
