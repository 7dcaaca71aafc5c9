"""Who may read a feed, see candidates and proposals, and read or change preferences."""
import pytest

from matching.domain.access import (
    covered,
    feed_reader,
    no_volunteer,
    preferences_reader,
    require_station_staff_in_scope,
)
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden, NotFound

TOWNSHIP = "130102001000"
VOLUNTEER = Caller("v-1", ("volunteer",), "130102001001")
OPERATOR = Caller("op-1", ("station_operator",), TOWNSHIP)
AUDITOR = Caller("au-1", ("auditor",), "130102000000")


def test_a_feed_is_the_volunteers_own_or_staffs():
    feed_reader(VOLUNTEER, "v-1")
    feed_reader(OPERATOR, "v-1")
    feed_reader(AUDITOR, "v-1")
    for caller in (VOLUNTEER, Caller("e-1", ("elder",), TOWNSHIP)):
        with pytest.raises(Forbidden, match="own demand feed"):
            feed_reader(caller, "v-2")
    with pytest.raises(Forbidden, match="no region scope"):
        feed_reader(Caller("op-9", ("station_operator",), None), "v-1")


def test_an_id_outside_the_scope_is_answered_as_one_nobody_has():
    covered(OPERATOR, "130102001001", no_volunteer("v-1"))
    with pytest.raises(NotFound, match="No such volunteer") as outside:
        covered(OPERATOR, "130104001001", no_volunteer("v-1"))  # another county
    with pytest.raises(NotFound, match="No such volunteer") as nobody:
        covered(OPERATOR, None, no_volunteer("v-1"))  # nobody has it
    assert outside.value.to_body() == nobody.value.to_body()
    with pytest.raises(NotFound):
        covered(Caller("op-9", ("station_operator",), None), "130102001001",
                no_volunteer("v-1"))


def test_dispatch_needs_station_staff_covering_the_region():
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
    preferences_reader(VOLUNTEER, "v-1", write=True)
    preferences_reader(OPERATOR, "v-1", write=True)
    preferences_reader(AUDITOR, "v-1", write=False)
    with pytest.raises(Forbidden):
        preferences_reader(AUDITOR, "v-1", write=True)
    with pytest.raises(Forbidden):
        preferences_reader(VOLUNTEER, "v-2", write=False)
    with pytest.raises(Forbidden, match="no region scope"):
        preferences_reader(Caller("op-9", ("station_operator",), None), "v-1", write=False)
