"""Evaluations (item 8), pure: a score 1–5, tags from a fixed list, a comment; a low
score opens a follow-up task for the station."""
from __future__ import annotations

from timebank_common.errors import BadInput

SCORES = (1, 5)
LOW_SCORE = 2  # this score or lower opens a follow-up
COMMENT_MAX = 500
# The tag list as data: code -> (zh, en). Positive first, then the ones that need a look.
TAGS = {
    "punctual": ("准时守约", "Punctual"),
    "patient": ("耐心细致", "Patient and careful"),
    "warm": ("热情亲切", "Warm and kind"),
    "skilled": ("专业熟练", "Skilled"),
    "good_communication": ("沟通顺畅", "Easy to talk to"),
    "late": ("迟到", "Late"),
    "left_early": ("提前离开", "Left early"),
    "impolite": ("态度不好", "Impolite"),
    "service_incomplete": ("服务未完成", "Service not completed"),
}
CHANNELS = ("app", "proxy", "phone")  # the elder in the app, their proxy, the station by phone


def tag_list() -> list[dict[str, str]]:
    return [{"code": code, "name_zh": zh, "name_en": en} for code, (zh, en) in TAGS.items()]


def check_evaluation(score: int, tags: list[str], comment: str | None
                     ) -> tuple[int, list[str], str]:
    low, high = SCORES
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise BadInput("score_out_of_range", f"评分须为 {low} 到 {high} 的整数",
                       f"The score must be a whole number from {low} to {high}",
                       {"min": low, "max": high})
    unknown = sorted(set(tags) - set(TAGS))
    if unknown:
        raise BadInput("unknown_tag", "评价标签不在列表中", "Unknown evaluation tag",
                       {"unknown": unknown, "tags": list(TAGS)})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise BadInput("comment_too_long", f"评价内容不能超过 {COMMENT_MAX} 字",
                       f"The comment cannot exceed {COMMENT_MAX} characters")
    return score, list(dict.fromkeys(tags)), comment


def opens_follow_up(score: int) -> bool:
    return score <= LOW_SCORE


def channel_for(caller_person_id: str | None, elder_id: str, is_proxy: bool) -> str | None:
    """How an evaluation arrives: the elder (app), their proxy, else None (staff: phone)."""
    if caller_person_id and caller_person_id == elder_id:
        return "app"
    if is_proxy:
        return "proxy"
    return None
