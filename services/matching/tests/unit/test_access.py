"""Who may read a feed, see candidates and proposals, and read or change preferences."""
import pytest

from matching.domain.access import (
    feed_region,
    require_preferences_owner,
    require_station_staff_in_scope,
)
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden

TOWNSHIP = "130102001000"
VOLUNTEER = Caller("v-1", ("volunteer",), "130102001001")
OPERATOR = Caller("op-1", ("station_operator",), TOWNSHIP)
AUDITOR = Caller("au-1", ("auditor",), "130102000000")


def test_a_feed_is_the_volunteers_own_or_staffs_within_their_scope():
    assert feed_region(VOLUNTEER, "v-1") == ("130102001001", None)
    assert feed_region(OPERATOR, "v-1") == (TOWNSHIP, TOWNSHIP)
    assert feed_region(AUDITOR, "v-1") == ("130102000000", "130102000000")
    for caller in (VOLUNTEER, Caller("e-1", ("elder",), TOWNSHIP)):
        with pytest.raises(Forbidden, match="own demand feed"):
            feed_region(caller, "v-2")
    with pytest.raises(Forbidden, match="no region scope"):
        feed_region(Caller("op-9", ("station_operator",), None), "v-1")


def test_candidates_and_dispatch_need_station_staff_covering_the_region():
    require_station_staff_in_scope(OPERATOR, "130102001001")
    require_station_staff_in_scope(Caller("adm", ("county_admin",), "130102000000"),
                                   "130102001001")
    with pytest.raises(Forbidden):
        require_station_staff_in_scope(OPERATOR, "130104001001")  # another county
    with pytest.raises(Forbidden):
        require_station_staff_in_scope(AUDITOR, "130102001001")  # reads only
    with pytest.raises(Forbidden):
        require_station_staff_in_scope(VOLUNTEER, "130102001001")


def test_preferences_are_the_volunteers_station_staff_write_any_staff_read():
    require_preferences_owner(VOLUNTEER, "v-1", write=True)
    require_preferences_owner(OPERATOR, "v-1", write=True)
    require_preferences_owner(AUDITOR, "v-1", write=False)
    with pytest.raises(Forbidden):
        require_preferences_owner(AUDITOR, "v-1", write=True)
    with pytest.raises(Forbidden):
        require_preferences_owner(VOLUNTEER, "v-2", write=False)
