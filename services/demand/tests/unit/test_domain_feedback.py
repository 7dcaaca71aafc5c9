"""Evaluations and the dispute state machine (demand/domain/evaluation.py, disputes.py)."""
import pytest

from demand.domain import disputes, evaluation
from timebank_common.caller import Caller
from timebank_common.errors import BadInput, Conflict, Forbidden

PARTIES = disputes.Parties("elder-1", "vol-1", "130102001001")


def caller(person_id, roles=(), scope=None):
    return Caller.from_dict({"person_id": person_id, "roles": list(roles), "scope": scope})


def test_scores_tags_and_comments_are_checked():
    assert evaluation.check_evaluation(5, ["patient", "patient"], " 很好 ") == (
        5, ["patient"], "很好")
    for score in (0, 6, True):
        with pytest.raises(BadInput) as e:
            evaluation.check_evaluation(score, [], None)
        assert e.value.code == "score_out_of_range"
    with pytest.raises(BadInput) as e:
        evaluation.check_evaluation(3, ["rude"], None)
    assert e.value.code == "unknown_tag"


def test_low_scores_open_a_follow_up():
    assert [evaluation.opens_follow_up(s) for s in range(1, 6)] == [True, True, False, False,
                                                                    False]


def test_tag_list_is_bilingual_data():
    tags = evaluation.tag_list()
    assert all(t["name_zh"] and t["name_en"] for t in tags)
    assert {"punctual", "late"} <= {t["code"] for t in tags}


def test_who_may_open_a_dispute():
    assert disputes.opener_role(caller("elder-1"), PARTIES) == "elder"
    assert disputes.opener_role(caller("vol-1", ["volunteer"]), PARTIES) == "volunteer"
    station = caller("op", ["station_operator"], "130102001000")
    assert disputes.opener_role(station, PARTIES) == "station"
    with pytest.raises(Forbidden):
        disputes.opener_role(caller("stranger", ["volunteer"]), PARTIES)
    with pytest.raises(Forbidden):
        disputes.opener_role(caller("op", ["station_operator"], "130104001000"), PARTIES)


def test_disputes_are_handled_at_township_level_or_above_in_scope():
    disputes.require_handler(caller("op", ["station_operator"], "130102001000"), "130102001001")
    disputes.require_handler(caller("adm", ["county_admin"], "130102000000"), "130102001001")
    with pytest.raises(Forbidden) as e:
        disputes.require_handler(caller("op", ["station_operator"], "130102001001"),
                                 "130102001001")  # a community-level operator
    assert e.value.code == "township_level_required"
    with pytest.raises(Forbidden):
        disputes.require_handler(caller("adm", ["county_admin"], "130104000000"), "130102001001")
    with pytest.raises(Forbidden):
        disputes.require_handler(caller("elder-1"), "130102001001")


def test_dispute_state_machine():
    assert disputes.take(disputes.OPEN) == disputes.IN_REVIEW
    assert disputes.take(disputes.IN_REVIEW) == disputes.IN_REVIEW  # handed to someone else
    assert disputes.resolve(disputes.OPEN) == disputes.RESOLVED
    assert disputes.resolve(disputes.IN_REVIEW) == disputes.RESOLVED
    for action in (disputes.take, disputes.resolve, disputes.comment):
        with pytest.raises(Conflict) as e:
            action(disputes.RESOLVED)
        assert e.value.code == "invalid_dispute_transition"


def test_outcomes():
    assert disputes.check_outcome("record", "upheld", None, 60) is None
    assert disputes.check_outcome("record", "voided", 5, 60) is None
    assert disputes.check_outcome("record", "minutes_adjusted", 30, 60) == 30
    assert disputes.check_outcome("record", "minutes_adjusted", 0, 60) == 0
    for minutes in (None, -1, 60, 90):
        with pytest.raises(BadInput) as e:
            disputes.check_outcome("record", "minutes_adjusted", minutes, 60)
        assert e.value.code == "adjusted_minutes_invalid"
    with pytest.raises(BadInput) as e:
        disputes.check_outcome("evaluation", "minutes_adjusted", 30, 60)
    assert e.value.code == "adjustment_needs_record"
    assert disputes.check_outcome("evaluation", "voided", None, 60) is None
    with pytest.raises(BadInput):
        disputes.check_reason("  ")


def test_nobody_resolves_a_dispute_they_opened_or_are_a_party_to():
    for handler in ("op-1", "elder-1", "vol-1"):
        with pytest.raises(Forbidden) as e:
            disputes.require_disinterested(handler, "op-1", ("elder-1", "vol-1"))
        assert e.value.code == "own_dispute"
    disputes.require_disinterested("op-2", "op-1", ("elder-1", "vol-1"))
