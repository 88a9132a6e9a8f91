from django.db.models import Count, Q, QuerySet

from .models import Ballot, BudgetProcess, BudgetProject, Panel, PanelVolunteer, Tally


def processes() -> QuerySet[BudgetProcess]:
    return BudgetProcess.objects.exclude(phase=BudgetProcess.Phase.DRAFT)


def latest_tallies(process: BudgetProcess) -> list[Tally]:
    """The newest count per scope (city, or each district)."""
    seen, out = set(), []
    for t in process.tallies.select_related("district").order_by("-computed_at", "-id"):
        if t.district_id not in seen:
            seen.add(t.district_id)
            out.append(t)
    return sorted(out, key=lambda t: t.district.name if t.district else "")


def turnout_by_district(process: BudgetProcess) -> list[dict]:
    return list(
        Ballot.objects.filter(process=process)
        .values("district__code")
        .annotate(ballots=Count("id"), paper=Count("id", filter=Q(channel=Ballot.Channel.PAPER)))
        .order_by("district__code")
    )


def projects(process: BudgetProcess) -> QuerySet[BudgetProject]:
    return process.projects.select_related("district", "department")


def panels() -> QuerySet[Panel]:
    return Panel.objects.annotate(
        pool=Count("volunteers", filter=~Q(volunteers__status=PanelVolunteer.Status.WITHDRAWN))
    )


def panel_members(panel: Panel) -> QuerySet[PanelVolunteer]:
    return panel.volunteers.filter(
        status__in=[PanelVolunteer.Status.SELECTED, PanelVolunteer.Status.REPLACEMENT]
    )


def composition(panel: Panel) -> list[dict]:
    """Seats per quota in the current panel against the quota bounds."""
    members = list(panel_members(panel).values_list("features", flat=True))
    rows = []
    for q in panel.quotas:
        seats = sum(1 for f in members if str(f.get(q["feature"])) == q["value"])
        pool = (
            panel.volunteers.exclude(status=PanelVolunteer.Status.WITHDRAWN)
            .filter(**{f"features__{q['feature']}": q["value"]})
            .count()
        )
        rows.append({**q, "seats": seats, "pool": pool, "met": q["min"] <= seats <= q["max"]})
    return rows
