"""Seoul's 25 districts (gu): the demo city's geography, shared by the platform's demo data and
the planning library's generators.

Populations are registered residents rounded to the thousand (Seoul Open Data Plaza, resident
registration statistics, 2023); centroids are approximate district-office coordinates (WGS 84).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    code: str
    name_ko: str
    name_en: str
    population: int
    latitude: float
    longitude: float


DISTRICTS: tuple[District, ...] = (
    District("jongno", "종로구", "Jongno-gu", 141_000, 37.5730, 126.9794),
    District("jung", "중구", "Jung-gu", 121_000, 37.5641, 126.9979),
    District("yongsan", "용산구", "Yongsan-gu", 217_000, 37.5326, 126.9905),
    District("seongdong", "성동구", "Seongdong-gu", 281_000, 37.5633, 127.0371),
    District("gwangjin", "광진구", "Gwangjin-gu", 335_000, 37.5385, 127.0823),
    District("dongdaemun", "동대문구", "Dongdaemun-gu", 340_000, 37.5744, 127.0396),
    District("jungnang", "중랑구", "Jungnang-gu", 385_000, 37.6063, 127.0925),
    District("seongbuk", "성북구", "Seongbuk-gu", 430_000, 37.5894, 127.0167),
    District("gangbuk", "강북구", "Gangbuk-gu", 289_000, 37.6396, 127.0257),
    District("dobong", "도봉구", "Dobong-gu", 311_000, 37.6688, 127.0471),
    District("nowon", "노원구", "Nowon-gu", 500_000, 37.6542, 127.0568),
    District("eunpyeong", "은평구", "Eunpyeong-gu", 462_000, 37.6027, 126.9291),
    District("seodaemun", "서대문구", "Seodaemun-gu", 308_000, 37.5791, 126.9368),
    District("mapo", "마포구", "Mapo-gu", 368_000, 37.5663, 126.9019),
    District("yangcheon", "양천구", "Yangcheon-gu", 436_000, 37.5170, 126.8665),
    District("gangseo", "강서구", "Gangseo-gu", 563_000, 37.5509, 126.8495),
    District("guro", "구로구", "Guro-gu", 399_000, 37.4954, 126.8874),
    District("geumcheon", "금천구", "Geumcheon-gu", 230_000, 37.4569, 126.8955),
    District("yeongdeungpo", "영등포구", "Yeongdeungpo-gu", 375_000, 37.5264, 126.8962),
    District("dongjak", "동작구", "Dongjak-gu", 385_000, 37.5124, 126.9393),
    District("gwanak", "관악구", "Gwanak-gu", 487_000, 37.4784, 126.9516),
    District("seocho", "서초구", "Seocho-gu", 408_000, 37.4837, 127.0324),
    District("gangnam", "강남구", "Gangnam-gu", 536_000, 37.5172, 127.0473),
    District("songpa", "송파구", "Songpa-gu", 656_000, 37.5145, 127.1059),
    District("gangdong", "강동구", "Gangdong-gu", 459_000, 37.5301, 127.1238),
)


def by_code() -> dict[str, District]:
    return {d.code: d for d in DISTRICTS}
