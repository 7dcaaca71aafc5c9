"""Encryption at rest of personal data: round trip, wrong key, rotation, keyed hash."""
import base64
import json
import os

import pytest

from timebank_common.pii import (
    FieldCipher,
    KeyedHash,
    PiiKeyError,
    add_key,
    ensure_key_file,
    load_key_file,
)

OLD, NEW = os.urandom(32), os.urandom(32)


def test_a_value_round_trips_and_is_not_stored_in_clear():
    cipher = FieldCipher({"k1": OLD}, "k1")
    sealed = cipher.encrypt("130102194803080827")
    assert sealed.startswith("v1:k1:") and "130102194803080827" not in sealed
    assert cipher.decrypt(sealed) == "130102194803080827"
    assert cipher.encrypt("同一个值") != cipher.encrypt("同一个值")  # a fresh nonce each time
    assert cipher.encrypt(None) is None and cipher.decrypt(None) is None


def test_a_wrong_key_or_a_tampered_value_does_not_open():
    sealed = FieldCipher({"k1": OLD}, "k1").encrypt("13800000008")
    with pytest.raises(PiiKeyError):
        FieldCipher({"k1": NEW}, "k1").decrypt(sealed)
    with pytest.raises(PiiKeyError):
        FieldCipher({"k2": OLD}, "k2").decrypt(sealed)  # the key id it names is unknown
    raw = bytearray(base64.b64decode(sealed.split(":")[2]))
    raw[-1] ^= 1
    with pytest.raises(PiiKeyError):
        FieldCipher({"k1": OLD}, "k1").decrypt("v1:k1:" + base64.b64encode(raw).decode())
    with pytest.raises(PiiKeyError):
        FieldCipher({"k1": OLD}, "k1").decrypt("13800000008")


def test_after_rotation_old_values_open_and_are_resealed_under_the_new_key():
    old = FieldCipher({"k1": OLD}, "k1").encrypt("石家庄市长安区建北街道1号")
    rotated = FieldCipher({"k1": OLD, "k2": NEW}, "k2")
    assert rotated.decrypt(old) == "石家庄市长安区建北街道1号"
    assert rotated.needs_rotation(old)
    resealed = rotated.reencrypt(old)
    assert resealed.startswith("v1:k2:") and not rotated.needs_rotation(resealed)
    assert rotated.reencrypt(resealed) == resealed  # idempotent
    assert FieldCipher({"k2": NEW}, "k2").decrypt(resealed) == "石家庄市长安区建北街道1号"


def test_the_keyed_hash_is_stable_keyed_and_separates_purposes():
    h = KeyedHash(OLD)
    assert h.digest("phone", "13800000008") == KeyedHash(OLD).digest("phone", "13800000008")
    assert len(h.digest("phone", "13800000008")) == 64
    assert h.digest("phone", "13800000008") != KeyedHash(NEW).digest("phone", "13800000008")
    assert h.digest("phone", "13800000008") != h.digest("id_number", "13800000008")
    assert h.digest("phone", None) is None


def test_a_bad_key_set_is_refused():
    with pytest.raises(PiiKeyError):
        FieldCipher({"k1": OLD}, "k2")
    with pytest.raises(PiiKeyError):
        FieldCipher({"k1": b"short"}, "k1")


def test_the_key_file_is_made_once_and_a_new_key_becomes_active(tmp_path):
    path = tmp_path / "keys" / "pii-keys.json"
    with pytest.raises(PiiKeyError, match="missing"):
        load_key_file(path)
    ensure_key_file(path)
    first = path.read_text()
    ensure_key_file(path)
    assert path.read_text() == first and oct(path.stat().st_mode)[-3:] == "600"
    keys = load_key_file(path)
    sealed = keys.cipher.encrypt("13800000008")
    kid = add_key(path)
    rotated = load_key_file(path)
    assert rotated.cipher.active == kid != keys.cipher.active
    assert rotated.cipher.decrypt(sealed) == "13800000008"
    assert rotated.hasher.digest("phone", "1") == keys.hasher.digest("phone", "1")
    assert len(json.loads(path.read_text())["keys"]) == 2
