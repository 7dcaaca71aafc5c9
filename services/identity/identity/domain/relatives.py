"""Direct relatives (直系亲属): the kinds of relation and their inverses.

A link ``(person, relative, kind)`` reads "relative is person's <kind>": kind ``parent``
means the relative is the person's parent, so the person is the relative's ``child``.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..contracts import RELATION_INVERSES, RELATION_KINDS

EVIDENCE_MAX = 2000

_REASONS = {
    "unknown_kind": ("未知的亲属关系", "Unknown kind of relation"),
    "self_link": ("不能把本人登记为自己的亲属", "A person cannot be their own relative"),
    "evidence_required": ("请提供证明材料（如户口簿、结婚证、出生证明的说明或编号）",
                          "Evidence is required (e.g. household register, marriage or birth "
                          "certificate reference)"),
    "evidence_too_long": (f"证明材料说明不超过{EVIDENCE_MAX}个字符",
                          f"Evidence has at most {EVIDENCE_MAX} characters"),
    "already_linked": ("这两人之间已有待审核或已认定的亲属关系",
                       "These two people already have a pending or verified link"),
}


class RelationRefused(ValueError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def inverse(kind: str) -> str:
    return RELATION_INVERSES[kind]


def kind_names(kind: str) -> dict[str, str]:
    zh, en = RELATION_KINDS.get(kind, (kind, kind))
    return {"zh": zh, "en": en}


def check_link(person_id: str, relative_person_id: str, kind: str, evidence: str | None,
               open_link_exists: bool) -> str:
    """The evidence to store (trimmed), or ``RelationRefused``.

    ``open_link_exists``: a pending or verified link joins the two already (either way round).
    """
    if kind not in RELATION_KINDS:
        raise RelationRefused("unknown_kind")
    if str(person_id) == str(relative_person_id):
        raise RelationRefused("self_link")
    evidence = (evidence or "").strip()
    if not evidence:
        raise RelationRefused("evidence_required")
    if len(evidence) > EVIDENCE_MAX:
        raise RelationRefused("evidence_too_long")
    if open_link_exists:
        raise RelationRefused("already_linked")
    return evidence


def kind_seen_from(link: Mapping[str, Any], viewer_id: object) -> str:
    """What the other person of a link is to ``viewer_id`` (one of the two)."""
    if str(link["person_id"]) == str(viewer_id):
        return str(link["kind"])
    if str(link["relative_person_id"]) == str(viewer_id):
        return inverse(str(link["kind"]))
    raise ValueError("the viewer is not part of this link")


def other_person(link: Mapping[str, Any], viewer_id: object) -> str:
    if str(link["person_id"]) == str(viewer_id):
        return str(link["relative_person_id"])
    return str(link["person_id"])
