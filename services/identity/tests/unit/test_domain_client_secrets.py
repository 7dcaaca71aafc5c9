"""Two live secrets during an API client's rotation (domain.client_secrets): pure rules."""
import datetime as dt

import pytest

from identity.domain.client_secrets import (
    DEFAULT_OVERLAP,
    MAX_OVERLAP,
    ClientSecrets,
    SecretRotationRefused,
    end_previous,
    previous_secret_end,
    rotate,
)

NOW = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def refused(reason: str, fn, *args):
    with pytest.raises(SecretRotationRefused) as info:
        fn(*args)
    assert info.value.reason == reason and info.value.zh and info.value.en
    return info.value


def test_a_client_without_rotation_has_its_one_secret():
    secrets = ClientSecrets("h1")
    assert secrets.accepted_hashes(NOW) == ["h1"]
    assert not secrets.previous_live(NOW) and secrets.previous_end(NOW) is None


def test_after_a_rotation_both_secrets_are_accepted_until_the_end_then_only_the_new():
    end = NOW + dt.timedelta(days=2)
    rotated = rotate(ClientSecrets("h1"), "h2", NOW, end)
    assert rotated == ClientSecrets("h2", "h1", end)
    assert rotated.accepted_hashes(NOW) == ["h2", "h1"]
    assert rotated.accepted_hashes(end - SECOND) == ["h2", "h1"]
    assert rotated.previous_end(end - SECOND) == end
    assert rotated.accepted_hashes(end) == ["h2"]  # the end is exclusive
    assert rotated.accepted_hashes(end + dt.timedelta(days=400)) == ["h2"]
    assert rotated.previous_end(end) is None


def test_the_default_end_is_a_week_and_the_longest_thirty_days():
    assert DEFAULT_OVERLAP == dt.timedelta(days=7) and MAX_OVERLAP == dt.timedelta(days=30)
    assert previous_secret_end(NOW, None) == NOW + DEFAULT_OVERLAP
    assert rotate(ClientSecrets("h1"), "h2", NOW, None).previous_valid_until == NOW + DEFAULT_OVERLAP
    assert previous_secret_end(NOW, NOW + MAX_OVERLAP) == NOW + MAX_OVERLAP
    assert previous_secret_end(NOW, NOW + SECOND) == NOW + SECOND
    refused("overlap_too_long", previous_secret_end, NOW, NOW + MAX_OVERLAP + SECOND)
    refused("end_not_in_future", previous_secret_end, NOW, NOW)
    refused("end_not_in_future", previous_secret_end, NOW, NOW - dt.timedelta(hours=1))


def test_a_second_rotation_while_the_previous_secret_is_live_is_refused():
    """A double click would otherwise end at once the secret the municipal system still uses."""
    rotated = rotate(ClientSecrets("h1"), "h2", NOW, NOW + dt.timedelta(hours=1))
    refused("previous_secret_live", rotate, rotated, "h3", NOW + dt.timedelta(minutes=59), None)
    # once the previous secret has ended, rotating again is allowed; h1 is gone for good
    later = NOW + dt.timedelta(hours=1)
    again = rotate(rotated, "h3", later, None)
    assert again == ClientSecrets("h3", "h2", later + DEFAULT_OVERLAP)
    assert "h1" not in again.accepted_hashes(later)


def test_the_admin_ends_the_previous_secret_early():
    rotated = rotate(ClientSecrets("h1"), "h2", NOW, NOW + dt.timedelta(days=7))
    ended = end_previous(rotated, NOW + dt.timedelta(hours=3))
    assert ended == ClientSecrets("h2", None, NOW + dt.timedelta(hours=3))
    assert ended.accepted_hashes(NOW + dt.timedelta(hours=3)) == ["h2"]
    refused("no_previous_secret", end_previous, ended, NOW + dt.timedelta(hours=4))
    refused("no_previous_secret", end_previous, ClientSecrets("h1"), NOW)
    # past its end there is nothing left to end
    refused("no_previous_secret", end_previous, rotated, NOW + dt.timedelta(days=7))
    # and a new rotation may follow at once
    assert rotate(ended, "h3", NOW + dt.timedelta(hours=4), None).previous_hash == "h2"
