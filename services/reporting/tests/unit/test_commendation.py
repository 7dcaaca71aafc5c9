"""The commendation lists' rankings (pure)."""
from __future__ import annotations

import datetime as dt

from reporting.domain import commendation as rules

D = dt.date


def test_each_volunteer_counts_once_at_the_highest_level_reached_and_each_level_is_limited():
    rows = [("a", 1, 600, D(2026, 11, 2)), ("a", 2, 1200, D(2026, 11, 20)),
            ("b", 2, 1250, D(2026, 11, 5)), ("c", 2, 1300, D(2026, 11, 6)),
            ("d", 1, 620, D(2026, 11, 9))]
    listed = rules.milestones(rows, limit=2)
    assert [(r["person_id"], r["level"]) for r in listed] == [("b", 2), ("c", 2), ("d", 1)]
    assert rules.milestones(rows, limit=5)[2] == {"person_id": "a", "level": 2,
                                                  "cumulative_minutes": 1200,
                                                  "day": D(2026, 11, 20)}


def test_stations_rank_by_services_then_minutes_then_id():
    rows = [("s1", 5, 300), ("s2", 7, 100), ("s3", 5, 400), ("s0", 5, 400)]
    assert [(r["rank"], r["carrier_id"]) for r in rules.busiest(rows, 3)] == [
        (1, "s2"), (2, "s0"), (3, "s3")]


def test_best_rated_needs_enough_evaluations_and_ranks_by_mean_then_count():
    rows = [("few", 2, 10), ("s1", 3, 14), ("s2", 6, 28), ("s3", 4, 20)]
    ranked = rules.best_rated(rows, 10)
    assert [(r["carrier_id"], r["mean_score"]) for r in ranked] == [
        ("s3", 5.0), ("s2", 4.67), ("s1", 4.67)]
    assert [r["carrier_id"] for r in rules.best_rated(rows, 10, min_evaluations=2)] == [
        "s3", "few", "s2", "s1"]  # equal means: more evaluations first


def test_long_serving_means_served_in_each_of_the_last_six_months():
    months = rules.months_back(D(2026, 11, 1), 6)
    assert months == [D(2026, 6, 1), D(2026, 7, 1), D(2026, 8, 1), D(2026, 9, 1),
                      D(2026, 10, 1), D(2026, 11, 1)]
    every = [("steady", m, 2) for m in months] + [("keen", m, 5) for m in months]
    gap = [("gap", m, 20) for m in months if m.month != 8]
    earlier = [("old", m, 3) for m in rules.months_back(D(2026, 10, 1), 6)]
    ranked = rules.long_serving(every + gap + earlier, D(2026, 11, 30), limit=10)
    assert [(r["volunteer_id"], r["days_served"]) for r in ranked] == [("keen", 30),
                                                                        ("steady", 12)]
    assert rules.months_back(D(2026, 2, 1), 3) == [D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]


def test_names_are_masked_for_people_and_plain_for_stations():
    lists = {"milestones": [{"person_id": "p", "level": 1}],
             "long_serving": [{"volunteer_id": "v", "rank": 1}],
             "busiest_stations": [{"carrier_id": "c", "rank": 1},
                                  {"carrier_id": "unknown", "rank": 2}]}
    named = rules.named(lists, {"p": "王小明", "v": "欧阳小明"}, {"c": "育才社区服务站"})
    assert named["milestones"][0]["name"] == "王*明"
    assert named["long_serving"][0]["name"] == "欧**明"
    assert [r["name"] for r in named["busiest_stations"]] == ["育才社区服务站", ""]
