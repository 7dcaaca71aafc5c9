"""Why a volunteer ranks where they do: five parts, each 0..1, and their weights.

- distance: 1 at the elder's door, 0 at the edge of the volunteer's service radius;
- reliability: completed services over completed + no-shows, with one of each assumed
  (a newcomer starts at 0.5, not at 0 or 1);
- rating: mean evaluation score out of 5, with a prior of two 4-star ratings;
- fairness: 1 for someone who has served nothing this month, 0 from 20 hours on, so work is spread;
- continuity: 1 if this elder rated this volunteer 4 or 5 before.
"""
from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

WEIGHTS = {"distance": 0.35, "reliability": 0.2, "rating": 0.15, "fairness": 0.15,
           "continuity": 0.15}
FAIR_MONTHLY_MINUTES = 20 * 60
RATING_PRIOR_COUNT = 2
RATING_PRIOR_MEAN = 4.0
GOOD_RATING = 4


def score_parts(distance_km: FloatArray, radius_km: FloatArray, completed: FloatArray,
                no_shows: FloatArray, rating_sum: FloatArray, rating_count: FloatArray,
                minutes_this_month: FloatArray, continuity: npt.NDArray[np.bool_]
                ) -> dict[str, FloatArray]:
    """The parts for arrays of volunteers (numpy arrays of equal length)."""
    return {
        "distance": np.clip(1.0 - distance_km / np.maximum(radius_km, 0.1), 0.0, 1.0),
        "reliability": (completed + 1.0) / (completed + no_shows + 2.0),
        "rating": (rating_sum + RATING_PRIOR_COUNT * RATING_PRIOR_MEAN)
        / (rating_count + RATING_PRIOR_COUNT) / 5.0,
        "fairness": np.clip(1.0 - minutes_this_month / FAIR_MONTHLY_MINUTES, 0.0, 1.0),
        "continuity": continuity.astype(float),
    }


def total_score(parts: dict[str, FloatArray]) -> FloatArray:
    total: FloatArray = sum(  # type: ignore[assignment]
        WEIGHTS[name] * values for name, values in parts.items())
    return total


def demand_weight(priority_elder: bool, waiting_days: float) -> float:
    """How much matching this demand is worth in dispatch: priority elders count double,
    and a demand gains up to half a match more the longer it has waited (full after 7 days)."""
    return (2.0 if priority_elder else 1.0) + 0.5 * min(max(waiting_days, 0.0), 7.0) / 7.0
