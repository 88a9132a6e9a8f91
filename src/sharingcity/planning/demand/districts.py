"""Seoul's 25 districts (gu): the zones of the demo city.

The table ships as package data (``data/seoul_districts.csv``) so the platform's demo city and
the network designer reuse the same zones.

Sources
-------
* Population by gu (resident registration, 2013; total 10,143,645): Academy of Korean Studies,
  *Geography of Korea*, chapter IV.1 "Seoul", table 4-1
  (http://dh.aks.ac.kr/~cefia/wiki/index.php?title=4.1_Seoul).
* Area by gu (km², total 605.2): Seoul statistics, "Households and Population by Gu", as
  reprinted in the Dongdaemun-gu statistical yearbook 2015, p. 345 (ddm.go.kr).
* Administrative codes: the Ministry of the Interior's sigungu codes (Seoul = 11).
* Centroids are approximate (about 1 km) geographic centres, enough for a demo city; they
  are not official boundaries.
* ``night_weight`` and ``night_role`` are *assumptions of the synthetic generator*: how much
  more than its population share a district draws people at night (nightlife in Mapo/Hongdae,
  Gangnam, Itaewon; night markets in Jung-gu/Dongdaemun; large hospitals). They are not data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class District:
    """One gu of Seoul.

    Attributes
    ----------
    code : str
        Administrative (sigungu) code, e.g. ``"11440"`` for Mapo-gu.
    name, name_ko : str
        Romanised and Korean names, e.g. ``"Mapo-gu"``, ``"마포구"``.
    population : int
        Registered residents (2013).
    area_km2 : float
        Area in square kilometres.
    lat, lon : float
        Approximate centroid (WGS 84).
    night_weight : float
        Relative pull at night used by the synthetic generator (1 = its population share).
    night_role : str
        Why it draws people at night (nightlife, markets, hospitals), in words.
    """

    code: str
    name: str
    name_ko: str
    population: int
    area_km2: float
    lat: float
    lon: float
    night_weight: float
    night_role: str


@cache
def seoul_districts() -> tuple[District, ...]:
    """Return Seoul's 25 districts in administrative-code order.

    Returns
    -------
    tuple of District
        25 entries; populations sum to 10,143,645 and areas to 605.2 km².

    Examples
    --------
    >>> d = {x.name: x for x in seoul_districts()}
    >>> d["Songpa-gu"].population
    668415
    """
    text = resources.files(__package__).joinpath("data/seoul_districts.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        District(
            code=r["code"],
            name=r["name"],
            name_ko=r["name_ko"],
            population=int(r["population"]),
            area_km2=float(r["area_km2"]),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            night_weight=float(r["night_weight"]),
            night_role=r["night_role"],
        )
        for r in rows
    )
