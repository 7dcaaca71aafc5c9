"""Impossible preferences are refused at the edge (issue 15 item 7), and nothing changes: a
home far outside the province (``lat: 1000`` overflowed the grid cell), weekly hours that end
before they start or at ``24:14``."""
import pytest

from timebank_common.errors import BadInput

from .conftest import HOME, REGION

GOOD_HOURS = [{"weekday": 0, "start": "08:00", "end": "24:00"}]


@pytest.mark.parametrize("change", [
    {"home": {"lat": 1000, "lng": HOME[1]}},
    {"home": {"lat": HOME[0], "lng": -500}},
    {"home": {"lat": 31.23, "lng": 121.47}},  # Shanghai: in China, far from Hebei
    {"availability": [{"weekday": 1, "start": "18:00", "end": "09:00"}]},
    {"availability": [{"weekday": 1, "start": "09:00", "end": "09:00"}]},
    {"availability": [{"weekday": 1, "start": "20:00", "end": "24:14"}]},
    {"availability": [{"weekday": 1, "start": "24:01", "end": "24:00"}]},
])
def test_impossible_preferences_are_refused_and_change_nothing(matching, volunteers, change):
    vid = volunteers.eligible(availability=GOOD_HOURS)
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    before = matching.get_preferences(me, vid)
    body = {"home": before["home"], "radius_km": 5, "availability": GOOD_HOURS, **change}
    with pytest.raises(BadInput) as refused:
        matching.set_preferences(me, vid, body)
    assert refused.value.status == 400 and refused.value.code == "validation_failed"
    assert matching.get_preferences(me, vid) == before


def test_a_home_near_the_border_and_a_day_to_midnight_are_accepted(matching, volunteers):
    vid = volunteers.eligible()
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    saved = matching.set_preferences(me, vid, {
        "home": {"lat": 35.9, "lng": 120.0}, "radius_km": 5,
        "availability": [{"weekday": 6, "start": "00:00", "end": "24:00"}]})
    assert saved["home"] == {"lat": 35.9, "lng": 120.0}
