"""The 通存通兑 report's rules on a small story (pure): who issued, who holds, what flowed."""
from ledger.domain.interchange import AccountMove, Movement, interchange

SJZ, TS, DZ = "130102001001", "130202001001", "130682100001"  # 石家庄, 唐山, 定州
SJZ_UNIT, TS_UNIT, DZ_UNIT = "130100000000", "130200000000", "130682000000"


def units(report):
    return {u["unit_code"]: u for u in report["units"]}


def test_a_story_across_three_units_reconciles():
    story = [
        # a 石家庄 volunteer serves in 唐山: 唐山's issuance pays, the minutes go to 石家庄
        Movement("service_credit", "issuance", "personal", "130200000000", SJZ, 60),
        # they give 20 to a relative in 定州
        Movement("gift_to_relative", "personal", "personal", SJZ, DZ, 20),
        # the 定州 relative spends 15 of them on a 定州 volunteer's service
        Movement("service_credit", "personal", "personal", DZ, DZ, 15),
        # a credit of 10 is reversed: back to 唐山's issuance
        Movement("reversal", "personal", "issuance", SJZ, "130200000000", 10),
    ]
    moves = [AccountMove("personal", SJZ, TS, 30)]  # the volunteer moves to 唐山 with 30
    report = interchange(story, moves)
    by_unit = units(report)
    assert report["reconciles"] and report["complete"]
    assert by_unit[TS_UNIT]["issued_minutes"] == 50  # 60 issued, 10 taken back
    assert by_unit[SJZ_UNIT]["held_minutes"] == 0  # 60 - 20 - 10 - 30 moved away
    assert by_unit[TS_UNIT]["held_minutes"] == 30
    assert by_unit[DZ_UNIT]["held_minutes"] == 20  # 15 changed hands inside 定州
    assert by_unit[DZ_UNIT]["spent_minutes"] == 15
    assert by_unit[DZ_UNIT]["spent_by_source"] == {"personal": 15, "grant": 0,
                                                    "donation_pool": 0}
    assert report["totals"]["issued_minutes"] == report["totals"]["held_minutes"] == 50
    pairs = {(p["from_unit"], p["to_unit"]): p["by_kind"] for p in report["pairs"]}
    assert pairs == {(TS_UNIT, SJZ_UNIT): {"service_credit": 60},
                     (SJZ_UNIT, DZ_UNIT): {"gift_to_relative": 20},
                     (SJZ_UNIT, TS_UNIT): {"move": 30, "reversal": 10}}


def test_before_the_period_is_opening_holdings_not_flows():
    report = interchange([Movement("service_credit", "issuance", "personal", TS_UNIT, SJZ, 60,
                                   before_period=True),
                          Movement("gift_to_relative", "personal", "personal", SJZ, TS, 20)],
                         [])
    by_unit = units(report)
    assert by_unit[SJZ_UNIT]["opening_held_minutes"] == 60
    assert by_unit[TS_UNIT]["issued_minutes"] == 0  # issued before the period
    assert (by_unit[SJZ_UNIT]["held_minutes"], by_unit[TS_UNIT]["held_minutes"]) == (40, 20)
    assert [p["by_kind"] for p in report["pairs"]] == [{"gift_to_relative": 20}]
    assert report["reconciles"]


def test_a_city_sees_its_unit_and_the_pairs_touching_it():
    report = interchange([Movement("gift_to_relative", "personal", "personal", SJZ, TS, 20),
                          Movement("gift_to_relative", "personal", "personal", DZ, SJZ, 5)],
                         [], visible=lambda code: code == TS_UNIT)
    assert [u["unit_code"] for u in report["units"]] == [TS_UNIT]
    assert [(p["from_unit"], p["to_unit"]) for p in report["pairs"]] == [(SJZ_UNIT, TS_UNIT)]
    assert not report["complete"]
