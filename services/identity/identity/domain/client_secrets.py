"""Two live secrets while a municipal system's secret is rotated (issue 18 item 5).

A municipal system cannot switch to a new secret at the instant an admin makes one: it is
deployed by another team, perhaps days later. So a rotation keeps the **previous** secret
valid until an end the admin gives (default ``DEFAULT_OVERLAP``, 7 days; at most
``MAX_OVERLAP``, 30 days), after which it stops working; the admin may end it earlier.

Rules:
- at most two secrets live: the current one and, until its end, the previous one;
- a rotation while a previous secret is still live is refused (``previous_secret_live``):
  a second rotation (a double click, say) would otherwise end at once the secret the
  municipal system still uses. End the previous secret first (that is a decision), then
  rotate;
- the end lies after now and at most ``MAX_OVERLAP`` ahead (``end_not_in_future``,
  ``overlap_too_long``);
- ending the previous secret early needs one that is live (``no_previous_secret``).

Pure: instants are passed in (aware datetimes); the hashes are opaque strings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_OVERLAP = dt.timedelta(days=7)
MAX_OVERLAP = dt.timedelta(days=30)

_REASONS = {
    "previous_secret_live": (
        "上一个密钥仍在过渡期内，请先停用上一个密钥再更换",
        "The previous secret is still valid; end it before rotating again"),
    "end_not_in_future": (
        "旧密钥的停用时间须晚于当前时间",
        "The previous secret's end must lie in the future"),
    "overlap_too_long": (
        "旧密钥最多再使用30天",
        "The previous secret may stay valid for at most 30 days"),
    "no_previous_secret": (
        "没有仍在过渡期内的旧密钥",
        "There is no previous secret still valid"),
}


class SecretRotationRefused(ValueError):
    """Why a rotation (or its early end) is refused, in both languages."""

    def __init__(self, reason: str):
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


@dataclass(frozen=True)
class ClientSecrets:
    """What is stored of a client's secrets: hashes only."""
    current_hash: str
    previous_hash: str | None = None
    previous_valid_until: dt.datetime | None = None

    def previous_live(self, now: dt.datetime) -> bool:
        return (self.previous_hash is not None and self.previous_valid_until is not None
                and now < self.previous_valid_until)

    def accepted_hashes(self, now: dt.datetime) -> list[str]:
        """The hashes a presented secret may match at ``now``: the current one, then the
        previous one until its end."""
        hashes = [self.current_hash]
        if self.previous_live(now):
            assert self.previous_hash is not None
            hashes.append(self.previous_hash)
        return hashes

    def previous_end(self, now: dt.datetime) -> dt.datetime | None:
        """Until when the previous secret is accepted; None when it no longer is."""
        return self.previous_valid_until if self.previous_live(now) else None


def previous_secret_end(now: dt.datetime, requested: dt.datetime | None) -> dt.datetime:
    """Until when the secret being replaced stays valid: ``requested``, or the default."""
    if requested is None:
        return now + DEFAULT_OVERLAP
    if requested <= now:
        raise SecretRotationRefused("end_not_in_future")
    if requested > now + MAX_OVERLAP:
        raise SecretRotationRefused("overlap_too_long")
    return requested


def rotate(secrets: ClientSecrets, new_hash: str, now: dt.datetime,
           requested_end: dt.datetime | None) -> ClientSecrets:
    """The secrets after a rotation: the new one current, the one it replaces previous until
    its end."""
    if secrets.previous_live(now):
        raise SecretRotationRefused("previous_secret_live")
    return ClientSecrets(new_hash, secrets.current_hash, previous_secret_end(now, requested_end))


def end_previous(secrets: ClientSecrets, now: dt.datetime) -> ClientSecrets:
    """The secrets once the admin ended the previous one early: its hash forgotten, its end
    now (what the admin sees: when it stopped)."""
    if not secrets.previous_live(now):
        raise SecretRotationRefused("no_previous_secret")
    return ClientSecrets(secrets.current_hash, None, now)
