"""Moving within the province: who may move whom, and where to."""
import pytest

from identity.domain.moves import MoveRefused, check_destination, check_mover


def test_who_may_move_whom():
    check_mover(("township_admin",), own_station_elder=False)
    check_mover(("station_operator",), own_station_elder=True)
    for roles, own in ((("station_operator",), False), (("auditor",), True),
                       (("volunteer",), False)):
        with pytest.raises(MoveRefused) as info:
            check_mover(roles, own_station_elder=own)
        assert info.value.reason == "role_required"


def test_a_move_goes_to_another_community_of_the_province_with_a_reason():
    here, there = "130102001001", "130203001001"
    assert check_destination(here, there, "community", there, True, " 迁居 ") == "迁居"
    cases = [((here, "110101001001", "community", None, False, "x"), "not_in_province"),
             ((here, "130203000000", "county", None, False, "x"), "not_a_community"),
             ((here, here, "community", None, False, "x"), "already_there"),
             ((here, there, "community", there, False, "x"), "carrier_for_elders"),
             ((here, there, "community", here, True, "x"), "carrier_not_in_region"),
             ((here, there, "community", None, True, " "), "reason_required")]
    for args, reason in cases:
        with pytest.raises(MoveRefused) as info:
            check_destination(*args)
        assert info.value.reason == reason
