"""The demo city: Seoul's 25 districts, large hospitals, welfare centres and call-taxi garages.

Coordinates are approximate locations of the district offices and hospitals (degrees, rounded to
about 100 m), projected to kilometres on a local plane around Seoul City Hall; district weights
are rounded resident populations in thousands (around 2020). They shape a realistic demo, not
official statistics: pass your own :class:`DemoCity` for real work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sharingcity.planning.dispatch.errors import DispatchError

__all__ = ["DemoCity", "seoul_demo_city", "SEOUL_DISTRICTS"]

_ORIGIN = (37.5665, 126.9780)  # Seoul City Hall
_KM_PER_DEG_LAT = 111.0
_KM_PER_DEG_LON = 111.0 * math.cos(math.radians(_ORIGIN[0]))

# name, latitude, longitude, residents (thousands, rounded)
SEOUL_DISTRICTS: tuple[tuple[str, float, float, int], ...] = (
    ("Jongno-gu", 37.5730, 126.9794, 150),
    ("Jung-gu", 37.5641, 126.9979, 130),
    ("Yongsan-gu", 37.5324, 126.9900, 230),
    ("Seongdong-gu", 37.5634, 127.0369, 300),
    ("Gwangjin-gu", 37.5385, 127.0823, 350),
    ("Dongdaemun-gu", 37.5744, 127.0400, 350),
    ("Jungnang-gu", 37.6066, 127.0927, 400),
    ("Seongbuk-gu", 37.5894, 127.0167, 440),
    ("Gangbuk-gu", 37.6396, 127.0257, 310),
    ("Dobong-gu", 37.6688, 127.0471, 320),
    ("Nowon-gu", 37.6542, 127.0568, 520),
    ("Eunpyeong-gu", 37.6027, 126.9291, 480),
    ("Seodaemun-gu", 37.5791, 126.9368, 310),
    ("Mapo-gu", 37.5663, 126.9019, 380),
    ("Yangcheon-gu", 37.5170, 126.8665, 450),
    ("Gangseo-gu", 37.5509, 126.8495, 580),
    ("Guro-gu", 37.4954, 126.8874, 420),
    ("Geumcheon-gu", 37.4569, 126.8955, 240),
    ("Yeongdeungpo-gu", 37.5264, 126.8962, 400),
    ("Dongjak-gu", 37.5124, 126.9393, 390),
    ("Gwanak-gu", 37.4784, 126.9516, 500),
    ("Seocho-gu", 37.4837, 127.0324, 430),
    ("Gangnam-gu", 37.5172, 127.0473, 540),
    ("Songpa-gu", 37.5145, 127.1059, 670),
    ("Gangdong-gu", 37.5301, 127.1238, 460),
)

# Large general hospitals (approximate): where many call-taxi trips go.
_HOSPITALS = (
    (37.5796, 126.9990),  # Seoul National University Hospital, Jongno
    (37.5622, 126.9408),  # Severance, Seodaemun
    (37.4881, 127.0855),  # Samsung Medical Center, Gangnam
    (37.5270, 127.1080),  # Asan Medical Center, Songpa
    (37.5017, 127.0049),  # Seoul St. Mary's, Seocho
    (37.5871, 127.0264),  # Korea University Anam, Seongbuk
    (37.4936, 126.9246),  # Boramae Medical Center, Dongjak
    (37.6365, 127.0216),  # National Rehabilitation Center, Gangbuk
)

# Call-taxi garages (approximate, spread over the city).
_DEPOTS = (
    (37.6400, 127.0600),
    (37.5500, 126.8500),
    (37.4700, 126.9500),
    (37.4950, 127.0900),
    (37.5700, 127.0300),
    (37.6000, 126.9300),
)


def _km(lat: float, lon: float) -> tuple[float, float]:
    return ((lon - _ORIGIN[1]) * _KM_PER_DEG_LON, (lat - _ORIGIN[0]) * _KM_PER_DEG_LAT)


@dataclass(frozen=True)
class DemoCity:
    """Places of a city for the demand generator (kilometres on a local plane).

    Attributes
    ----------
    names : tuple of str
        District names.
    centres : array (d, 2)
        District centres.
    weights : array (d,)
        Relative number of users living in each district.
    spread_km : float
        Standard deviation of homes around a district centre.
    hospitals, welfare_centres, depots : array (k, 2)
    """

    names: tuple[str, ...]
    centres: np.ndarray
    weights: np.ndarray
    hospitals: np.ndarray
    welfare_centres: np.ndarray
    depots: np.ndarray
    spread_km: float = 1.2

    def __post_init__(self) -> None:
        d = len(self.names)
        if d == 0:
            raise DispatchError("a city needs at least one district")
        if self.centres.shape != (d, 2) or self.weights.shape != (d,):
            raise DispatchError(f"centres must be ({d}, 2) and weights ({d},)")
        if (self.weights < 0).any() or self.weights.sum() <= 0:
            raise DispatchError("district weights must be non-negative with a positive sum")
        for label, arr in (
            ("hospitals", self.hospitals),
            ("welfare_centres", self.welfare_centres),
            ("depots", self.depots),
        ):
            if arr.ndim != 2 or arr.shape[1] != 2 or len(arr) == 0:
                raise DispatchError(f"{label} must be a non-empty (k, 2) array")

    def district_of(self, x: float, y: float) -> int:
        """Nearest district centre (a Voronoi stand-in for district borders)."""
        return int(np.argmin((self.centres[:, 0] - x) ** 2 + (self.centres[:, 1] - y) ** 2))


def seoul_demo_city() -> DemoCity:
    """Seoul's 25 districts with one welfare centre near each district office."""
    centres = np.array([_km(lat, lon) for _, lat, lon, _ in SEOUL_DISTRICTS])
    # Welfare centres sit near, not at, the district offices.
    welfare = centres + np.array([[0.6, -0.4]])
    return DemoCity(
        names=tuple(name for name, *_ in SEOUL_DISTRICTS),
        centres=centres,
        weights=np.array([float(p) for *_, p in SEOUL_DISTRICTS]),
        hospitals=np.array([_km(lat, lon) for lat, lon in _HOSPITALS]),
        welfare_centres=welfare,
        depots=np.array([_km(lat, lon) for lat, lon in _DEPOTS]),
    )
