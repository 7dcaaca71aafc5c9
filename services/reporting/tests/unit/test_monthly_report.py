"""The monthly report's pure parts: the month, the number, the content, and the signature
round trip with the kit's keys."""
from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reporting.domain import monthly
from timebank_common.errors import BadInput
from timebank_common.signing import SigningKeys, key_id

D = dt.date
NOW = dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC)


def test_a_month_is_parsed_and_must_be_over_in_china_time():
    assert monthly.parse_month("2026-11") == D(2026, 11, 1)
    for bad in ("2026-13", "2026-1", "26-11", ""):
        with pytest.raises(BadInput) as refused:
            monthly.parse_month(bad)
        assert refused.value.code == "month_malformed"
    monthly.check_complete(D(2026, 11, 1), D(2026, 12, 1))
    with pytest.raises(BadInput) as refused:
        monthly.check_complete(D(2026, 11, 1), D(2026, 11, 30))
    assert refused.value.code == "month_not_complete"
    assert monthly.last_day(D(2028, 2, 1)) == D(2028, 2, 29)
    assert monthly.previous_month(D(2027, 1, 1)) == D(2026, 12, 1)


def test_numbers_carry_the_region_and_month_and_catch_typos():
    number = monthly.make_number("130100000000", D(2026, 11, 1), 123456789)
    assert number.startswith("YB-1301-202611-")
    assert monthly.normalize_number(number.lower()) == number
    assert monthly.make_number("130000000000", D(2026, 11, 1), 1).startswith("YB-13-202611-")
    assert monthly.make_number("130102000000", D(2026, 11, 1), 1).startswith("YB-130102-")
    typo = number[:-2] + ("A" if number[-2] != "A" else "B") + number[-1]
    for bad in (typo, "YB-1301-202611", "HB-1301-20261129-7K3QXM5"):
        with pytest.raises(BadInput) as refused:
            monthly.normalize_number(bad)
        assert refused.value.code == "report_number_malformed"
    spoken = monthly.make_number("130100000000", D(2026, 11, 1), 0)  # random part 000000
    assert monthly.normalize_number(spoken.replace("-000000", "-OOOOOO")) == spoken


def test_content_has_each_key_figure_against_the_month_before_and_its_history():
    months = monthly.history_months(D(2026, 11, 1))
    assert months[0] == D(2026, 6, 1) and len(months) == 6
    history = [(m, {"services_recorded": i, "evaluations": 2 * i,
                    "evaluation_score_sum": 9 * i}) for i, m in enumerate(months, 1)]
    content = monthly.build_content(
        number="YB-1301-202611-0000000", region_code="130100000000", region_name="石家庄市",
        first=D(2026, 11, 1), history=history,
        children=[("130102000000", "长安区", {"services_recorded": 4, "evaluations": 0})],
        commendation={"milestones": [{"person_id": "p", "level": 2, "day": D(2026, 11, 3),
                                      "name": "王*明", "cumulative_minutes": 1200}]},
        as_of=NOW, generated_at=NOW)
    figures = {f["measure"]: f for f in content["figures"]}
    assert [f["measure"] for f in content["figures"]] == [m for m, _, _ in monthly.KEY_FIGURES]
    assert figures["services_recorded"]["value"] == 6
    assert figures["services_recorded"]["previous"] == 5
    assert [h["value"] for h in figures["services_recorded"]["history"]] == [1, 2, 3, 4, 5, 6]
    assert figures["mean_score"]["value"] == 4.5
    assert figures["minutes_donated"]["value"] == 0
    assert content["children"][0]["mean_score"] == 0 and content["children"][0]["name"] == "长安区"
    assert content["commendation"]["milestones"][0]["day"] == "2026-11-03"
    assert content["month_zh"] == "2026年11月"
    assert content["period"] == ["2026-11-01", "2026-11-30"]


def test_a_signature_verifies_and_any_change_of_what_it_covers_does_not():
    private = Ed25519PrivateKey.generate()
    keys = SigningKeys(private, {key_id(private.public_key()): private.public_key()})
    content = {"figures": [{"measure": "services_recorded", "value": 6}], "region_name": "石家庄市"}
    signed = {"number": "YB-1301-202611-0000000", "region_code": "130100000000",
              "month": "2026-11", "content": content, "generated_at": NOW, "as_of": None}
    signature = keys.sign(monthly.signed_bytes(**signed))
    assert keys.verify(monthly.signed_bytes(**signed), signature, keys.key_id) is None
    edited = {**signed, "content": {**content, "figures": [{"measure": "services_recorded",
                                                            "value": 7}]}}
    assert keys.verify(monthly.signed_bytes(**edited), signature, keys.key_id) \
        == "signature_mismatch"
    assert keys.verify(monthly.signed_bytes(**{**signed, "month": "2026-10"}), signature,
                       keys.key_id) == "signature_mismatch"
    assert keys.verify(monthly.signed_bytes(**signed), signature, "0" * 16) == "unknown_key"


def test_a_month_outside_the_calendar_reporting_answers_is_refused_by_the_contract():
    from reporting.contracts import MonthlyReportRequest

    for month in ("0000-01", "1999-12", "2100-01"):  # "0000-01" answered a 500 to the fuzzer
        errors = MonthlyReportRequest().validate({"region_code": "130102000000", "month": month})
        assert "month" in errors, month
    assert MonthlyReportRequest().validate({"region_code": "130102000000",
                                            "month": "2026-11"}) == {}
