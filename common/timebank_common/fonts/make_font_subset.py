"""Rebuild ``WenQuanYiMicroHei-subset.ttf``: the glyphs the platform's PDFs need, from the full font.

Not used at run time. The full font comes from Debian's ``fonts-wqy-microhei``
(``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``, Apache-2.0 or GPL-3+ with the font
exception; we take it under Apache-2.0, see ``timebank_common/fonts/LICENSE-Apache-2.0.txt``). Run by
path, with fonttools in a throw-away environment (it imports nothing of the ledger):

    apt-get install fonts-wqy-microhei
    python -m venv /tmp/ft && /tmp/ft/bin/pip install fonttools==4.68.0
    /tmp/ft/bin/python common/timebank_common/fonts/make_font_subset.py

The subset keeps every character of GB 2312 (6,763 hanzi: all common characters and
nearly every name), the extra characters of GBK's level-1 name blocks listed in
``EXTRA_NAME_CHARACTERS``, ASCII, Latin-1, general punctuation, CJK symbols and the
full-width forms. A character outside the subset is reported by ``timebank_common.pdf_fonts``
(``missing_glyphs``) rather than silently printed as an empty box.
"""
from __future__ import annotations

import sys
from pathlib import Path

SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
TARGET = Path(__file__).parent / "WenQuanYiMicroHei-subset.ttf"

# characters outside GB 2312 that are common in given names (and in the region's place names)
EXTRA_NAME_CHARACTERS = (
    "喆堃昇玥赟珺琇璟瑄瑆琤琬瑀瑨瑱璇瑢玙珏玏珣珅珩琦琪瑶璐璠瑾璨彧昀昱晞晗晔晖暐曦曌"
    "淏淇淞湉溥滢潆澍濛燚焱炜烨煜熠燊熹骞骎骢骅鑫钰铖锘镕镛钊钧铎铠锴翀翊翎羿旻昊晟"
    "堉垚垲埕埔塬嫣婧婕媛嫚妍姝姣娅娴婵嫦嬿祎祐祺禛禧禹秭稷穆筠箐篪緖缇缙缛芃苒茜荟"
    "莜菡萱蓁蕙蕤薇薏芮芸苓茗荀莘菁葳蔚蓥邕郗郜鄢邰砚碧磊祯祾禾秾犇犀猷麒麟鹏鹤鹭"
    "骏骥驰骐骊驹骢"
)


def characters() -> str:
    chars = set()
    for first in range(0xA1, 0xF8):
        for second in range(0xA1, 0xFF):
            try:
                chars.add(bytes([first, second]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    chars.update(chr(c) for c in range(0x20, 0x7F))
    chars.update(chr(c) for c in range(0xA0, 0x100))
    chars.update(chr(c) for c in range(0x2000, 0x206F))  # general punctuation
    chars.update(chr(c) for c in range(0x3000, 0x3040))  # CJK symbols and punctuation
    chars.update(chr(c) for c in range(0xFF00, 0xFFF0))  # full-width forms
    chars.update(EXTRA_NAME_CHARACTERS)
    return "".join(sorted(chars))


def main() -> int:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.hinting = False
    options.layout_features = []  # reportlab maps characters to glyphs directly
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(SOURCE, fontNumber=0)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    font.save(TARGET)
    print(f"{TARGET}: {TARGET.stat().st_size} bytes, {len(font.getGlyphOrder())} glyphs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
