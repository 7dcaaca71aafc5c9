"""The kit's verifiable-document pieces: the shared PDF font shows every Hebei place name the
platform ships, numbers' check symbols, and signatures verified by current and retired keys."""
from __future__ import annotations

import csv
from pathlib import Path

from timebank_common.documents import ALPHABET, canonical_json, check_symbol, mask_name
from timebank_common.pdf_fonts import FONT_FILE, missing_glyphs
from timebank_common.signing import load_keys
from timebank_common.tokens import generate_keypair

HEBEI = (Path(__file__).resolve().parents[3] / "services" / "identity" / "identity" / "adapters"
         / "data" / "hebei_regions.csv")


def test_the_font_shows_every_shipped_region_name_and_stays_small():
    with HEBEI.open(encoding="utf-8", newline="") as f:
        names = [row["name"] for row in csv.DictReader(f)]
    assert len(names) > 150
    assert missing_glyphs("".join(names) + "时间银行月度报告服务记录证明０１２３４５６７８９") == set()
    assert missing_glyphs("𠀀") == {"𠀀"}  # outside GB 2312 and the name blocks: reported
    assert FONT_FILE.stat().st_size < 5 * 1024 * 1024


def test_a_check_symbol_catches_every_single_mistyped_symbol():
    payload = "1301202611" + "7K3QXM"
    number = payload + check_symbol(payload)
    for position in range(len(number)):
        for symbol in ALPHABET:
            if symbol != number[position]:
                typo = number[:position] + symbol + number[position + 1:]
                assert check_symbol(typo[:-1]) != typo[-1]


def test_canonical_bytes_do_not_depend_on_key_order_and_names_are_masked():
    assert canonical_json(b"x\n", {"b": 1, "a": "河北"}) == canonical_json(b"x\n",
                                                                           {"a": "河北", "b": 1})
    assert canonical_json(b"x\n", {"a": "河北"}) == 'x\n{"a":"河北"}'.encode()
    assert [mask_name(n) for n in ("王小明", "王明", "欧阳小明", "王", "")] == [
        "王*明", "王*", "欧**明", "王", ""]


def test_a_retired_key_still_verifies_what_it_signed(tmp_path):
    old_private, old_public = tmp_path / "old.pem", tmp_path / "old.pub.pem"
    new_private, new_public = tmp_path / "new.pem", tmp_path / "new.pub.pem"
    generate_keypair(old_private, old_public)
    generate_keypair(new_private, new_public)
    old = load_keys(str(old_private))
    signature = old.sign(b"report")
    current = load_keys(str(new_private), str(new_public), [str(old_public)])
    assert current.key_id != old.key_id
    assert current.verify(b"report", signature, old.key_id) is None
    assert current.verify(b"report!", signature, old.key_id) == "signature_mismatch"
    assert load_keys(str(new_private)).verify(b"report", signature, old.key_id) == "unknown_key"
