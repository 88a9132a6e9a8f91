from django.db.models import QuerySet

from .models import PlanningRun


def runs(*, kind: str | None = None) -> QuerySet[PlanningRun]:
    qs = PlanningRun.objects.select_related("created_by").prefetch_related("artifacts")
    return qs.filter(kind=kind) if kind else qs


def runs_to_compare(ids: list[int]) -> list[PlanningRun]:
    found = {r.pk: r for r in runs().filter(pk__in=ids[:6])}
    return [found[i] for i in ids if i in found]
