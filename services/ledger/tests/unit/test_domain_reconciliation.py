from ledger.domain.reconciliation import Credit, reconcile


def record(record_id, minutes):
    return {"record_id": record_id, "demand_id": f"d-{record_id}", "volunteer_id": "v",
            "minutes": minutes, "recorded_at": "2026-11-02T10:00:00+00:00"}


def credit(record_id, minutes, reversed_minutes=0):
    return Credit(record_id, f"service_record:{record_id}", "v", minutes, reversed_minutes)


def test_everything_matching_is_ok():
    report = reconcile([record("r1", 60), record("r2", 30)],
                       {"r1": credit("r1", 60), "r2": credit("r2", 30)})
    assert report["ok"]
    assert report["totals"] == {"records": 2, "recorded_minutes": 90, "credited_records": 2,
                                "credited_minutes": 90, "reversed_minutes": 0,
                                "records_without_credit": 0, "credits_without_record": 0,
                                "amount_differences": 0}


def test_missing_orphan_and_different_amounts_are_reported():
    report = reconcile([record("r1", 60), record("r2", 30)],
                       {"r1": credit("r1", 45), "r9": credit("r9", 20)})
    assert not report["ok"]
    assert [m["record_id"] for m in report["records_without_credit"]] == ["r2"]
    assert [o["record_id"] for o in report["credits_without_record"]] == ["r9"]
    [diff] = report["amount_differences"]
    assert (diff["recorded_minutes"], diff["credited_minutes"], diff["difference"],
            diff["explained"], diff["reason"]) == (60, 45, -15, False, None)
    assert report["totals"]["credited_minutes"] == 45


def test_a_credit_whose_record_belongs_elsewhere_is_not_an_orphan():
    report = reconcile([], {"r9": credit("r9", 20)}, elsewhere={"r9"})
    assert report["ok"] and report["credits_without_record"] == []


def test_a_rounding_policy_explains_a_difference():
    def rounded_to_quarter_hours(rec):
        return (rec["minutes"] + 14) // 15 * 15, "rounding"

    report = reconcile([record("r1", 50), record("r2", 40)],
                       {"r1": credit("r1", 60), "r2": credit("r2", 41)},
                       expected=rounded_to_quarter_hours)
    explained, unexplained = report["amount_differences"]
    assert (explained["reason"], explained["explained"]) == ("rounding", True)
    assert (unexplained["reason"], unexplained["explained"]) == (None, False)
    assert not report["ok"]


def test_a_reversal_is_shown_not_counted_as_a_difference():
    report = reconcile([record("r1", 60)], {"r1": credit("r1", 60, reversed_minutes=60)})
    assert report["ok"] and report["totals"]["reversed_minutes"] == 60


def test_the_ledgers_own_policy_explains_what_the_credit_says_it_did():
    from ledger.domain.reconciliation import as_credited_by_policy

    records = [{"record_id": "r1", "demand_id": "d1", "volunteer_id": "v", "minutes": 50},
               {"record_id": "r2", "demand_id": "d2", "volunteer_id": "v", "minutes": 50}]
    credits = {"r1": Credit("r1", "service_record:r1", "v", 45, recorded_minutes=50),  # rounded
               "r2": Credit("r2", "service_record:r2", "v", 45, recorded_minutes=60)}  # not ours
    report = reconcile(records, credits, expected=as_credited_by_policy(credits))
    explained = {d["record_id"]: d["explained"] for d in report["amount_differences"]}
    assert explained == {"r1": True, "r2": False}
    assert report["amount_differences"][0]["reason"] == "policy_rounding_or_yearly_cap"
