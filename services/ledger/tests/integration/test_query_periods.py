"""Periods a person asks about are dates 2000–2100 (issue 15 item 7): a certificate, the
statistics or a statement for a period ending 9999-12-31 overflowed the day after it
(``OverflowError``, a 500); now it is 400 and nothing is issued."""
import pytest

from timebank_common.errors import BadInput

PROVINCE_ADMIN = {"person_id": "adm-he", "roles": ["province_admin"], "scope": "130000000000"}
VOLUNTEER = "vol-periods"
ME = {"person_id": VOLUNTEER, "roles": ["volunteer"], "scope": None}


@pytest.mark.parametrize("period", [
    {"from": "2026-01-01", "to": "9999-12-31"},
    {"from": "1999-12-31", "to": "2026-01-01"},
    {"from": "0001-01-01", "to": "0001-01-02"},
])
def test_a_certificate_for_a_period_outside_2000_to_2100_is_refused(ledger, period):
    with pytest.raises(BadInput) as refused:
        ledger.issue_certificate(ME, VOLUNTEER, period)
    assert refused.value.code == "validation_failed"
    assert set(refused.value.details) & {"from", "to"}


def test_statistics_for_a_period_ending_9999_are_refused(ledger):
    with pytest.raises(BadInput) as refused:
        ledger.ledger_stats(PROVINCE_ADMIN, None, "2026-01-01", "9999-12-31")
    assert "period_to" in refused.value.details
    assert ledger.ledger_stats(PROVINCE_ADMIN, None, "2000-01-01", "2100-12-31")["region_code"]


def test_a_statement_until_9999_is_refused(ledger):
    with pytest.raises(BadInput) as refused:
        ledger.statement(ME, VOLUNTEER, {"until": "9999-12-31T00:00:00+08:00"})
    assert "until" in refused.value.details
