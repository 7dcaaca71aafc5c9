"""Template rendering with named placeholders, and the messages built from events."""
import pytest

from notify.adapters.seed_templates import TEMPLATES
from notify.domain import messages
from notify.domain.templates import Template, TemplateError, render, render_message


def seeded(event_type):
    return [Template(**t) for t in TEMPLATES if t["event_type"] == event_type]


def test_placeholders_are_filled_by_name():
    assert render("余额 {balance}，本次 {minutes}", {"minutes": "30分", "balance": "2小时"}) \
        == "余额 2小时，本次 30分"


def test_missing_placeholder_is_a_clear_error():
    with pytest.raises(TemplateError, match="balance"):
        render("本次 {minutes}，余额 {balance}", {"minutes": "30分"})


def test_positional_placeholder_is_refused():
    with pytest.raises(TemplateError):
        render("本次 {}", {"minutes": "30分"})


def test_both_locales_are_required():
    only_zh = [t for t in seeded("hours_credited") if t.locale == "zh-CN"]
    with pytest.raises(TemplateError, match="en"):
        render_message(only_zh, {"zh-CN": {}, "en": {}})


def test_hours_credited_message_reads_in_hours():
    notice = messages.hours_credited({
        "transfer_id": "t-1", "person_id": "v-1", "minutes": 90, "balance_minutes": 90,
        "kind": "service_credit", "record_id": "r-1", "demand_id": "d-1",
    })
    assert notice.person_id == "v-1"
    assert notice.kind == "hours_credited"
    rendered = render_message(seeded("hours_credited"), notice.values)
    assert rendered.title_zh == "服务时长已入账"
    assert rendered.body_zh == "您的服务时长 1小时30分 已存入时间账户，当前余额 1小时30分。"
    assert "1 h 30 min" in rendered.body_en
    assert notice.data["transfer_id"] == "t-1"


def test_demand_assigned_message_shows_the_window_in_beijing_time():
    notice = messages.demand_assigned({
        "demand_id": "d-1", "volunteer_id": "v-9", "elder_id": "e-1",
        "window_start": "2025-05-01T01:00:00+00:00", "window_end": "2025-05-01T03:00:00+00:00",
        "open_slots": 0,
    })
    assert notice.person_id == "v-9"
    rendered = render_message(seeded("demand_assigned"), notice.values)
    assert rendered.title_zh == "您已接单"
    assert "2025年5月1日 09:00–11:00" in rendered.body_zh
    assert "09:00–11:00 (Beijing time)" in rendered.body_en


def test_every_seeded_template_renders_with_its_builder():
    samples = {
        "hours_credited": messages.hours_credited({"transfer_id": "t", "person_id": "p",
                                                   "minutes": 1, "balance_minutes": 1}),
        "demand_assigned": messages.demand_assigned({
            "demand_id": "d", "volunteer_id": "v", "window_start": "2025-01-01T00:00:00+08:00",
            "window_end": "2025-01-01T01:00:00+08:00"}),
    }
    for event_type, notice in samples.items():
        render_message(seeded(event_type), notice.values)  # raises if a placeholder is missing


def test_an_edited_template_may_use_only_the_placeholders_of_its_kind():
    from notify.domain.templates import TemplateError, check_edit, offered

    current = offered([("服务时长已入账", "您的服务时长 {minutes} 已存入，当前余额 {balance}。"),
                       ("Hours credited", "{minutes} added; balance {balance}.")])
    assert current == {"minutes", "balance", "greeting"}
    check_edit(current, "时长到账啦", "{minutes} 已入账（余额 {balance}）")
    check_edit(current, "时长到账", "感谢您的服务！")
    with pytest.raises(TemplateError, match="volunteer_name"):
        check_edit(current, "时长到账", "{volunteer_name}，您好")
    with pytest.raises(TemplateError):
        check_edit(current, "时长到账", "{minutes")
