"""What each event adds to the read model, and the roll-up to every level."""
import datetime as dt

from reporting.domain.facts import RULES, UNSPECIFIED, effect_of
from reporting.domain.rollup import child_length, prefixes, rolled_up

COMMUNITY = "130102001001"


def envelope(event_type, payload, occurred_at="2026-11-30T17:30:00+00:00", region=COMMUNITY):
    return {"event_id": "e1", "event_type": event_type, "occurred_at": occurred_at, "v": 1,
            "region_code": region, "payload": payload}


def values(effect):
    return {d.measure: d.value for d in effect.deltas}


def test_a_recorded_service_counts_on_its_china_day_with_category_and_funding():
    effect = effect_of("service_recorded", envelope("service_recorded", {
        "volunteer_id": "v1", "minutes": 90, "category": "companionship",
        "funding_source": "own_hours"}))
    assert values(effect) == {"services_recorded": 1, "service_minutes": 90,
                              "minutes_spent": 90}
    delta = effect.deltas[0]
    # 17:30 UTC on 30 November is 01:30 on 1 December in China
    assert delta.day == dt.date(2026, 12, 1)
    assert (delta.category, delta.funding_source) == ("companionship", "own_hours")
    assert [(d.volunteer_id, d.day) for d in effect.service_days] == [
        ("v1", dt.date(2026, 12, 1))]


def test_a_service_without_a_funding_source_is_paid_by_issuance_and_spends_nothing():
    effect = effect_of("service_recorded", envelope("service_recorded", {
        "volunteer_id": "v1", "minutes": 60, "category": None}))
    assert "minutes_spent" not in values(effect)
    assert (effect.deltas[0].category, effect.deltas[0].funding_source) == (UNSPECIFIED,
                                                                            "issuance")


def test_gifts_donations_expiry_and_cancellation_each_have_their_measure():
    assert values(effect_of("hours_given", envelope("hours_given", {
        "kind": "gift_to_relative", "minutes": 30}))) == {"minutes_gifted": 30}
    assert values(effect_of("hours_given", envelope("hours_given", {
        "kind": "donation", "minutes": 45}))) == {"minutes_donated": 45}
    assert values(effect_of("demand_cancelled", envelope("demand_cancelled", {
        "reason": "expired"}))) == {"demands_expired": 1}
    assert values(effect_of("demand_cancelled", envelope("demand_cancelled", {
        "reason": "elder_request"}))) == {"demands_cancelled": 1}


def test_evaluations_keep_count_and_score_sum_and_held_records_their_flags():
    assert values(effect_of("evaluation_submitted", envelope("evaluation_submitted", {
        "score": 4}))) == {"evaluations": 1, "evaluation_score_sum": 4}
    held = effect_of("record_held", envelope("record_held", {
        "flags": [{"code": "no_check_in"}, {"code": "too_long"}]}))
    assert sorted((d.measure, d.category) for d in held.deltas) == [
        ("records_held", UNSPECIFIED), ("records_held_by_flag", "no_check_in"),
        ("records_held_by_flag", "too_long")]


def test_registrations_by_profile_and_an_event_without_a_place_counts_nowhere():
    assert values(effect_of("person_registered", envelope("person_registered", {
        "profile": "elder"}))) == {"elders_registered": 1}
    assert effect_of("person_registered", envelope("person_registered", {
        "profile": "relative"})).deltas == ()
    assert effect_of("dispute_opened", envelope("dispute_opened", {}, region=None)).deltas == ()


def test_every_rule_answers_an_effect():
    assert {"service_recorded", "hours_credited", "volunteer_eligible"} <= set(RULES)


def test_a_community_fact_rolls_up_to_township_county_city_and_province():
    assert prefixes(COMMUNITY) == [("13", ""), ("1301", "13"), ("130102", "1301"),
                                   ("130102001", "130102"), (COMMUNITY, "130102001")]
    effect = effect_of("demand_submitted", envelope("demand_submitted", {"category": "meal"}))
    twice = rolled_up(effect.deltas + effect.deltas)
    assert len(twice) == 5 and set(twice.values()) == {2}
    assert {key[0] for key in twice} == {"13", "1301", "130102", "130102001", COMMUNITY}


def test_the_children_of_each_level():
    assert child_length("130000000000") == 4
    assert child_length("130100000000") == 6
    assert child_length("130102000000") == 9
    assert child_length("130102001000") == 12
    assert child_length(COMMUNITY) is None


def test_xinji_counts_beside_shijiazhuang_not_inside_it():
    from reporting.domain.periods import activity_changes

    assert prefixes("130181102003") == [("13", ""), ("130181", "13"), ("130181102", "130181"),
                                        ("130181102003", "130181102")]
    # a volunteer serving in 辛集 and, the next day, in 石家庄 proper is new to 石家庄 (1301)
    # on the second day: 辛集's day is not 石家庄's
    import datetime as dt
    day = dt.date(2026, 11, 2)
    changes = activity_changes("130102001001", day, [("130181102003", day - dt.timedelta(1))])
    assert ("1301", "13", day, 1) in changes
    assert not any(prefix == "13" and change == 1 and when == day
                   for prefix, _, when, change in changes)  # the province knew them already


def test_corrections_grants_and_allocations_each_have_their_measure():
    taken_back = effect_of("credit_corrected", envelope("credit_corrected", {
        "minutes": -30, "credited_minutes": 60, "outcome": "minutes_adjusted"}))
    assert values(taken_back) == {"minutes_reversed": 30}  # a positive sum
    assert effect_of("credit_corrected", envelope("credit_corrected", {
        "minutes": 0, "credited_minutes": 60, "outcome": "minutes_adjusted"})).deltas == ()
    granted = effect_of("hours_granted", envelope("hours_granted", {
        "minutes": 120, "category": "economic_hardship", "period": "2026-Q4"}))
    assert values(granted) == {"minutes_granted": 120}
    assert granted.deltas[0].category == "economic_hardship"
    assert values(effect_of("pool_allocated", envelope("pool_allocated", {
        "minutes": 60, "pool_region_code": "130100000000"}))) == {"minutes_allocated": 60}


def test_waits_count_from_submission_and_old_events_add_none():
    published = effect_of("demand_published", envelope("demand_published", {
        "category": "companionship", "submitted_at": "2026-11-30T08:00:00+08:00",
        "published_at": "2026-11-30T09:30:00+08:00"}))
    assert values(published) == {"demands_published": 1, "publication_wait_seconds": 5400}
    assert published.deltas[0].category == "companionship"
    started = effect_of("demand_started", envelope("demand_started", {
        "category": "companionship", "submitted_at": "2026-11-30T08:00:00+08:00",
        "started_at": "2026-11-30T10:00:00+08:00"}))
    assert values(started) == {"demands_served": 1, "service_wait_seconds": 7200}
    # before demand said when the demand was submitted: counted, no wait
    assert values(effect_of("demand_started", envelope("demand_started", {}))) == {
        "demands_served": 1}
    # no submitted_at on the published event either: the envelope's moment is not enough
    assert values(effect_of("demand_published", envelope("demand_published", {
        "category": "meal_help"}))) == {"demands_published": 1}


def test_an_unrecorded_service_counts_once_at_its_first_reminder():
    assert values(effect_of("recording_overdue", envelope("recording_overdue", {
        "level": "station"}))) == {"services_unrecorded": 1}
    # the escalation to the township counts apart (demand's overdue_to_township)
    assert values(effect_of("recording_overdue", envelope("recording_overdue", {
        "level": "township"}))) == {"services_unrecorded_township": 1}


def test_low_scores_and_dispute_outcomes_and_assignments_are_counted():
    low = effect_of("evaluation_submitted", envelope("evaluation_submitted", {"score": 2}))
    assert values(low) == {"evaluations": 1, "evaluation_score_sum": 2, "evaluations_low": 1}
    assert "evaluations_low" not in values(effect_of(
        "evaluation_submitted", envelope("evaluation_submitted", {"score": 3})))
    resolved = effect_of("dispute_resolved", envelope("dispute_resolved",
                                                      {"outcome": "voided"}))
    assert [(d.measure, d.category) for d in resolved.deltas] == [("disputes_resolved",
                                                                   "voided")]
    for kind, measure in (("demand_assigned", "assignments"),
                          ("assignment_no_show", "no_shows"),
                          ("assignment_withdrawn", "withdrawals")):
        assert values(effect_of(kind, envelope(kind, {}))) == {measure: 1}


def test_priority_categories_count_up_and_down_and_a_service_names_its_elder():
    granted = effect_of("elder_priority_granted", envelope("elder_priority_granted", {
        "person_id": "e1", "category": "empty_nest"}))
    revoked = effect_of("elder_priority_revoked", envelope("elder_priority_revoked", {
        "person_id": "e1", "category": "empty_nest"}))
    assert [(d.measure, d.category, d.value) for d in granted.deltas + revoked.deltas] == [
        ("priority_elders", "empty_nest", 1), ("priority_elders", "empty_nest", -1)]
    assert [(p.elder_id, p.category, p.change) for p in granted.priorities + revoked.priorities
            ] == [("e1", "empty_nest", 1), ("e1", "empty_nest", -1)]
    served = effect_of("service_recorded", envelope("service_recorded", {
        "volunteer_id": "v1", "elder_id": "e1", "minutes": 30}))
    assert [(e.elder_id, e.day, e.region_code) for e in served.elders_served] == [
        ("e1", dt.date(2026, 12, 1), COMMUNITY)]


def test_every_measure_has_a_name_in_both_languages():
    from reporting.contracts import MEASURE_NAMES, MEASURES

    assert set(MEASURE_NAMES) == set(MEASURES)
    assert all(zh and en for zh, en in MEASURE_NAMES.values())


def test_dispatch_proposals_count_on_their_runs_day_whenever_decided():
    run = effect_of("dispatch_run", envelope("dispatch_run", {"proposed": 3}))
    assert values(run) == {"dispatch_runs": 1, "proposals_held": 3}
    decided = effect_of("proposal_decided", envelope("proposal_decided", {
        "status": "applied", "created_at": "2026-10-01T17:00:00+00:00"}))  # 10-02 in China
    assert [(d.day.isoformat(), d.measure, d.value) for d in decided.deltas] == [
        ("2026-10-02", "proposals_held", -1), ("2026-10-02", "proposals_applied", 1)]
    assert effect_of("first_candidate_found", envelope("first_candidate_found", {})).deltas == ()
