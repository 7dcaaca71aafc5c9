"""Masking of audit snapshots and who may see personal data unmasked (pure rules)."""
import pytest

from identity.domain.disclosure import may_unmask
from identity.domain.masking import WITHHELD, mask_record


def test_an_audit_snapshot_holds_no_personal_number_or_sensitive_text():
    record = {"person_id": "p1", "id_number": "130102194803080827", "phone": "13800000008",
              "login_phone": "13800000008", "emergency_contact_phone": "13800000009",
              "emergency_contact_name": "王志刚", "address": "育才街1号", "health_note": "高血压",
              "evidence": "特扶证 0012", "phone_enc": "v1:k:abc", "phone_hash": "ab" * 32,
              "status": "pending", "nested": {"phone": "13800000001"}}
    masked = mask_record(record)
    assert masked["id_number"] == "130102********0827"
    assert masked["phone"] == masked["login_phone"] == "138****0008"
    assert masked["emergency_contact_phone"] == "138****0009"
    for field in ("emergency_contact_name", "address", "health_note", "evidence"):
        assert masked[field] == WITHHELD
    assert "phone_enc" not in masked and "phone_hash" not in masked
    assert masked["status"] == "pending" and masked["nested"]["phone"] == "138****0001"
    text = str(masked)
    for secret in ("130102194803080827", "13800000008", "王志刚", "育才街", "高血压", "0012"):
        assert secret not in text
    assert mask_record({"address": None})["address"] is None
    assert mask_record(None) is None


@pytest.mark.parametrize("roles, is_self, in_scope, own_station, allowed", [
    ((), True, False, False, True),  # oneself
    (("township_admin",), False, True, False, True),
    (("province_admin",), False, False, False, False),  # an admin outside their scope
    (("station_operator",), False, True, True, True),  # an elder of their own station
    (("station_operator",), False, True, False, False),  # someone else's elder
    (("auditor",), False, True, False, False),  # auditors see masked data
    (("api_client",), False, True, False, False),
    (("volunteer",), False, True, False, False),
])
def test_who_may_see_personal_data_unmasked(roles, is_self, in_scope, own_station, allowed):
    assert may_unmask(roles, is_self, in_scope, own_station) is allowed
