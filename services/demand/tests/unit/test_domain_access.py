"""Who may submit and what each caller sees."""
import datetime as dt

import pytest

from demand.contracts import PUBLISHED
from demand.domain import access
from demand.domain.lifecycle import Assignment, Demand
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden

T = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def demand(region="130102001001", status=PUBLISHED, elder="e1") -> Demand:
    d = Demand(id="d", elder_id=elder, category="assistance", region_code=region,
               window_start=T, window_end=T + dt.timedelta(hours=1), expected_minutes=60,
               volunteers_needed=1, channel="phone", address="石家庄市长安区某街道12号")
    d.status = status
    return d


def test_app_submissions_only_by_the_elder_themself():
    access.authorize_submit(Caller("e1", ("elder",)), "app", "e1")
    with pytest.raises(Forbidden):
        access.authorize_submit(Caller("someone", ("elder",)), "app", "e1")


def test_phone_submissions_need_an_operator_api_also_a_client():
    access.authorize_submit(Caller("op", ("station_operator",), "130102001000"), "phone", "e1")
    access.authorize_submit(Caller(None, ("api_client",), "130100000000"), "api", "e1")
    with pytest.raises(Forbidden):
        access.authorize_submit(Caller(None, ("api_client",), "130100000000"), "phone", "e1")
    with pytest.raises(Forbidden):
        access.authorize_submit(Caller("v", ("volunteer",)), "station", "e1")


def test_operator_acts_only_for_elders_in_scope():
    op = Caller("op", ("station_operator",), "130102001000")
    access.authorize_for_elder(op, "e1", "130102001001")
    with pytest.raises(Forbidden):
        access.authorize_for_elder(op, "e1", "130104001001")


def test_staff_see_their_scope():
    v = access.visibility_for(Caller("op", ("county_admin",), "130102000000"))
    assert v.allows(demand()) and not v.allows(demand(region="130104001001"))


def test_volunteer_sees_published_in_city_and_own_assignments():
    v = access.visibility_for(Caller("v1", ("volunteer",)), "130104001001")
    assert v.allows(demand())  # same city 1301, published
    assert not v.allows(demand(region="130201001001"))  # another city
    assert not v.sees_address(demand())
    taken = demand(status="assigned")
    assert not v.allows(taken)
    taken.assignments.append(Assignment("v1", "130104001001", None, T, status="assigned"))
    assert v.allows(taken) and v.sees_address(taken)
    assert access.mask_address(demand().address).endswith("****")


def test_elder_sees_only_their_own():
    v = access.visibility_for(Caller("e1", ("elder",)))
    assert v.allows(demand(elder="e1")) and not v.allows(demand(elder="e2"))


def test_a_caller_with_no_viewing_role_is_refused():
    with pytest.raises(Forbidden):
        access.visibility_for(Caller("x", ()))
    with pytest.raises(Forbidden):
        access.visibility_for(Caller("x", ("api_client",)))  # no scope


def test_a_proxy_lists_the_demands_of_every_elder_they_act_for():
    """A list asks identity's ``elders_acted_for``: all of them at once, nobody else's."""
    proxy = Caller("daughter", ("relative",))
    assert access.may_be_proxy(proxy)  # no elder named: a list
    v = access.visibility_for(proxy, acts_for=("mother", "father"))
    assert v.allows(demand(elder="mother")) and v.allows(demand(elder="father", status="recorded"))
    assert v.speaks_for_elder(demand(elder="father")) and not v.allows(demand(elder="e2"))
    # a proxy of nobody any more (the token still says relative) sees nothing, not an error
    nobody = access.visibility_for(proxy, acts_for=())
    assert not nobody.allows(demand(elder="mother"))


def test_a_proxy_sees_the_elders_demands_as_the_elder_does():
    """A relative who submits and confirms in the app for an elder follows that elder's
    demands (identity's ``may_act_for`` named the elder)."""
    proxy = Caller("daughter", ("relative",))
    assert access.may_be_proxy(proxy, "e1")
    v = access.visibility_for(proxy, acts_for=("e1",))
    taken = demand(elder="e1", status="assigned")
    assert v.allows(taken) and v.sees_address(taken) and v.speaks_for_elder(taken)
    assert not v.allows(demand(elder="e2", status="assigned"))
    # a proxy who also volunteers keeps the volunteer's view of other demands
    both = access.visibility_for(Caller("daughter", ("relative", "volunteer")),
                                 "130102001001", acts_for=("e1",))
    assert both.allows(demand(elder="e2")) and not both.speaks_for_elder(demand(elder="e2"))
    assert both.speaks_for_elder(taken)


def test_only_a_relative_other_than_the_elder_is_asked_about():
    assert not access.may_be_proxy(Caller("v1", ("volunteer",)), "e1")
    assert not access.may_be_proxy(Caller("e1", ("relative", "elder")), "e1")
    assert not access.may_be_proxy(Caller(None, ("relative",)), "e1")
    assert not access.may_be_proxy(Caller("v1", ("volunteer",)))
    assert not access.may_be_proxy(Caller(None, ("relative",)))
