"""Distances and the square grid that keeps candidate search sub-linear.

The grid is fixed in degrees: 0.02° of latitude (≈2.2 km) by 0.025° of longitude (≈2.2 km at
Hebei's 36–42.7° N). A search for a disc of radius r visits only the cells of the disc's
bounding box, then checks the exact great-circle distance.
"""
from __future__ import annotations

import math
from typing import Any, overload

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

EARTH_RADIUS_KM = 6371.0088
CELL_LAT = 0.02
CELL_LNG = 0.025
_COLS = 100_000  # cell key = row * _COLS + col (col of longitudes 0..2500 fits easily)
KM_PER_DEG_LAT = math.pi * EARTH_RADIUS_KM / 180


def cell_of(lat: float, lng: float) -> int:
    return math.floor(lat / CELL_LAT) * _COLS + math.floor(lng / CELL_LNG)


def cells_covering(lat: float, lng: float, radius_km: float) -> list[int]:
    """Every cell that may hold a point within ``radius_km`` of (lat, lng)."""
    dlat = radius_km / KM_PER_DEG_LAT
    far_lat = min(89.0, abs(lat) + dlat)
    dlng = radius_km / (KM_PER_DEG_LAT * math.cos(math.radians(far_lat)))
    rows = range(math.floor((lat - dlat) / CELL_LAT), math.floor((lat + dlat) / CELL_LAT) + 1)
    cols = range(math.floor((lng - dlng) / CELL_LNG), math.floor((lng + dlng) / CELL_LNG) + 1)
    return [r * _COLS + c for r in rows for c in cols]


@overload
def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> np.float64: ...


@overload
def haversine_km(lat1: float, lng1: float, lat2: FloatArray, lng2: FloatArray) -> FloatArray: ...


def haversine_km(lat1: Any, lng1: Any, lat2: Any, lng2: Any) -> Any:
    """Great-circle distance in km; numpy arrays or floats."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lng2) - np.asarray(lng1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
