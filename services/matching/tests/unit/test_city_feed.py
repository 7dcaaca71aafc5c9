"""Feed ranking: own city first, earliest window, longest waiting; started windows left out."""
import datetime as dt

from matching.domain.city_feed import OpenDemand, rank_for_volunteer
from matching.domain.slots import slots_on_publish

NOW = dt.datetime(2025, 5, 1, 8, 0, tzinfo=dt.UTC)
SHIJIAZHUANG = "130102001001"  # 长安区, 石家庄
BAODING = "130602001001"
XINJI = "130181001001"  # 辛集: a city-level unit of its own, inside 石家庄's code range


def demand(demand_id, region=SHIJIAZHUANG, starts_in_h=2, published_h_ago=1, slots=1):
    start = NOW + dt.timedelta(hours=starts_in_h)
    return OpenDemand(demand_id, region, "companionship", start, start + dt.timedelta(hours=1),
                      60, slots, NOW - dt.timedelta(hours=published_h_ago))


def ids(demands):
    return [d.demand_id for d in demands]


def test_same_city_comes_before_an_earlier_window_elsewhere():
    ranked = rank_for_volunteer([demand("far", BAODING, starts_in_h=1),
                                 demand("near", SHIJIAZHUANG, starts_in_h=5)], SHIJIAZHUANG, NOW)
    assert ids(ranked) == ["near", "far"]


def test_directly_administered_city_is_not_the_surrounding_city():
    ranked = rank_for_volunteer([demand("xinji", XINJI, starts_in_h=1),
                                 demand("sjz", SHIJIAZHUANG, starts_in_h=5)], "130181002003", NOW)
    assert ids(ranked) == ["xinji", "sjz"]


def test_earlier_window_first_then_longest_waiting():
    ranked = rank_for_volunteer([
        demand("later", starts_in_h=6),
        demand("soon-new", starts_in_h=2, published_h_ago=1),
        demand("soon-old", starts_in_h=2, published_h_ago=48),
    ], SHIJIAZHUANG, NOW)
    assert ids(ranked) == ["soon-old", "soon-new", "later"]


def test_started_windows_and_full_demands_are_left_out():
    ranked = rank_for_volunteer([demand("started", starts_in_h=-1), demand("now", starts_in_h=0),
                                 demand("full", slots=0), demand("open")], SHIJIAZHUANG, NOW)
    assert ids(ranked) == ["open"]


def test_unknown_volunteer_region_still_orders_by_window():
    ranked = rank_for_volunteer([demand("b", BAODING, starts_in_h=3),
                                 demand("a", SHIJIAZHUANG, starts_in_h=4)], None, NOW)
    assert ids(ranked) == ["b", "a"]


def test_feed_is_cut_at_the_limit():
    many = [demand(f"d{i}", starts_in_h=i + 1) for i in range(5)]
    assert ids(rank_for_volunteer(many, SHIJIAZHUANG, NOW, limit=2)) == ["d0", "d1"]


def test_publication_heard_after_its_assignments_keeps_the_lower_count():
    assert slots_on_publish(3, None) == 3
    assert slots_on_publish(3, 1) == 1
    assert slots_on_publish(3, 0) == 0

