"""Reconciliation of interchange, pure: a channel's deliveries against the ledger's credits."""
from __future__ import annotations

from reporting.domain import reconciliation as rec


def test_every_kind_of_difference_and_nothing_for_agreeing_records():
    ledger = {"a": 60, "b": 30, "c": 45, "d": 0, "e": 20}
    delivered = {"a": 60, "b": 25, "d": 30, "f": 10, "e": 20}
    found = rec.differences(ledger, delivered)
    assert [(d.record_id, d.ledger_minutes, d.delivered_minutes, d.kind) for d in found] == [
        ("b", 30, 25, rec.MINUTES_DIFFER),
        ("c", 45, None, rec.MISSING),
        ("d", 0, 30, rec.NOT_CREDITED),  # reversed since it was delivered
        ("f", None, 10, rec.NOT_CREDITED),  # the ledger has no credit at all
    ]


def test_voids_agree_when_both_sides_are_zero():
    assert rec.differences({"a": 0}, {"a": 0}) == []
    assert rec.differences({"a": 0}, {}) == []  # a void never delivered is no difference


def test_totals_count_records_with_minutes():
    assert rec.totals({"a": 60, "b": 0, "c": 15}) == {"records": 2, "minutes": 75}
