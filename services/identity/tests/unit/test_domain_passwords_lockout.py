"""Password rules and lockout decisions (pure, no I/O)."""
import datetime as dt

import pytest

from identity.commands.demo import DEMO_PASSWORD
from identity.domain.lockout import (
    Failures,
    LockoutPolicy,
    after_failure,
    is_locked,
    locked_message,
)
from identity.domain.passwords import password_problems

BIRTH = dt.date(1990, 5, 12)
PHONE = "13712345678"


def codes(password, **kw):
    return [p["code"] for p in password_problems(password, **kw)]


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "Volunteer@2026", "Elder@2026", "abC9xyz!",
                                      "correct horse battery", "长城长城Great1"])
def test_acceptable_passwords(password):
    assert codes(password, phone=PHONE, birth_date=BIRTH) == []


@pytest.mark.parametrize("password,code", [
    ("Ab1!xyz", "too_short"),
    ("Ab1!" + "x" * 125, "too_long"),
    ("abcdefgh1", "too_simple"),          # two classes, shorter than 12
    ("ABCDEFGHIJKL", "too_simple"),       # one class even when long
    (f"Xy!{PHONE}", "contains_phone"),
    ("Xy!19900512", "contains_birth_date"),
    ("Xy!900512a", "contains_birth_date"),
    ("Aa123456", "too_common"),
    ("P@ssw0rd", "too_common"),           # common lists ignore case
    ("Qwerty123", "too_common"),
])
def test_each_refusal_reason(password, code):
    assert code in codes(password, phone=PHONE, birth_date=BIRTH)


def test_two_classes_are_enough_from_twelve_characters():
    assert codes("abcdefgh1234") == [] and codes("abcdefgh123") == ["too_simple"]


def test_unchanged_password_is_refused_and_every_reason_is_explained_in_both_languages():
    problems = password_problems("12345678", current_password="12345678")
    assert [p["code"] for p in problems] == ["too_simple", "too_common", "unchanged"]
    assert all(p["zh"] and p["en"] for p in problems)


NOW = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
POLICY = LockoutPolicy(max_failures=5, lock_seconds=900)


def fail(times, start=None, now=NOW):
    state = start
    for _ in range(times):
        state = after_failure(state, now, POLICY)
    return state


def test_fifth_consecutive_failure_locks_for_fifteen_minutes():
    four = fail(4)
    assert four.failed_count == 4 and not is_locked(four, NOW)
    five = after_failure(four, NOW, POLICY)
    assert five.locked_until == NOW + dt.timedelta(minutes=15)
    assert is_locked(five, NOW + dt.timedelta(minutes=14, seconds=59))
    assert not is_locked(five, NOW + dt.timedelta(minutes=15))


def test_after_the_lock_counting_starts_again():
    later = NOW + dt.timedelta(minutes=16)
    state = after_failure(fail(5), later, POLICY)
    assert state == Failures(1, later, None)


def test_old_failures_are_forgotten_after_the_window():
    next_day = NOW + dt.timedelta(hours=25)
    assert after_failure(fail(4), next_day, POLICY) == Failures(1, next_day, None)


def test_nothing_remembered_is_not_locked():
    assert not is_locked(None, NOW) and not is_locked(Failures(), NOW)


def test_lock_message_says_how_long_and_until_when_in_beijing_time():
    state = fail(5)
    zh, en, details = locked_message(state, NOW + dt.timedelta(minutes=5))
    assert "账号已临时锁定，请10分钟后" in zh and "14:15" in zh and "联系站点工作人员" in zh
    assert "10 minutes" in en and "14:15" in en
    assert details == {"locked_until": "2026-11-29T06:15:00+00:00", "retry_after_seconds": 600}


def test_policy_from_config_with_defaults():
    assert LockoutPolicy.from_config({}) == LockoutPolicy(5, 900, 86400)
    assert LockoutPolicy.from_config({"LOGIN_LOCKOUT": {"max_failures": 3}}).max_failures == 3


# -- one-time passwords (identity.commands.bootstrap_admin) -----------------------------------
def test_a_one_time_password_is_long_random_and_holds_every_character_class():
    from identity.domain.passwords import ONE_TIME_LENGTH, character_classes, one_time_password

    made = {one_time_password(phone=PHONE, birth_date=BIRTH) for _ in range(200)}
    assert len(made) == 200  # never the same twice
    for password in made:
        assert len(password) == ONE_TIME_LENGTH >= 16
        assert character_classes(password) == 4
        assert password_problems(password, phone=PHONE, birth_date=BIRTH) == []
        assert not set(password) & set("0Oo1lI")  # no look-alikes to misread
        assert not set(password) & set("$`\\'\" ")  # typed in a shell as it is


def test_a_one_time_password_is_drawn_from_secrets(monkeypatch):
    import secrets

    from identity.domain import passwords

    drawn = []
    real_choice = secrets.choice
    monkeypatch.setattr(secrets, "choice", lambda seq: drawn.append(seq) or real_choice(seq))
    password = passwords.one_time_password(24)
    assert len(password) == 24 and len(drawn) == 24


def test_a_one_time_password_is_never_shorter_than_the_rules_allow():
    from identity.domain.passwords import one_time_password

    with pytest.raises(ValueError):
        one_time_password(7)
