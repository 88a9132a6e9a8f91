"""Citizen voice test data, built on the core factories' small example city."""

from __future__ import annotations

import itertools

from sharingcity.core.models import Department
from sharingcity.voice import services
from sharingcity.voice.models import Category, Proposal, RoutingRule
from tests import factories as f

_seq = itertools.count(1)


def category(code: str = "transport") -> Category:
    return Category.objects.get_or_create(code=code, defaults={"name_ko": code, "name_en": code})[0]


def mayors_office() -> Department:
    return f.department(
        "mayors-office", name_ko="시장실", name_en="Mayor's Office", is_mayors_office=True
    )


def rule(category_code: str = "transport", department: Department | None = None) -> RoutingRule:
    f.district()
    return RoutingRule.objects.update_or_create(
        category=category(category_code),
        district=None,
        defaults={"department": department or f.department()},
    )[0]


def proposal(
    author=None, *, title: str | None = None, category_code: str = "transport", routed: bool = True
) -> Proposal:
    if routed:
        rule(category_code)
    else:
        category(category_code)
    f.district()
    author = author or f.resident()
    return services.check_submit_online(
        author=author,
        title=title or f"심야버스 노선 연장 제안 {next(_seq)}",
        body="종로구에서 새벽에 귀가하는 시민이 많습니다. 심야버스 노선을 늘려 주세요.",
        category=category_code,
        district="jongno",
    )


def supporters(n: int, *, verified: bool = True):
    return [f.resident(verified=verified) for _ in range(n)]
