"""What participatory budgeting shows on the bureau's dashboard and publishes as open data.

Read-only queries over this app's models, registered with ``core.registry`` (insights never
imports this module). Metrics take ``(start, end, district)``: aware datetimes (start inclusive,
end exclusive, either None) and a district code or None. Ballots carry no identity; panel
members appear only as counts per feature."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sharingcity.core.models import District, ResidentProfile
from sharingcity.core.registry import (
    Metric,
    OpenDataExport,
    register_export,
    register_metric,
    register_personal_data,
)

from .models import Ballot, BudgetProject, Panel, PanelVolunteer, Tally

CHUNK = 2000
SEATED = (PanelVolunteer.Status.SELECTED, PanelVolunteer.Status.REPLACEMENT)


def _name() -> str:
    return "name_ko" if (get_language() or "ko").startswith("ko") else "name_en"


def turnout_by_district(start, end, district) -> list[dict]:
    """Ballots cast in the window per district and turnout: ballots as a percent of the
    district's verified residents (the electorate of a city or district vote)."""
    q = Q(district__isnull=False)
    if start is not None:
        q &= Q(cast_at__gte=start)
    if end is not None:
        q &= Q(cast_at__lt=end)
    if district:
        q &= Q(district__code=district)
    ballots = dict(Ballot.objects.filter(q).values_list("district_id").annotate(n=Count("id")))
    electorate = dict(
        ResidentProfile.objects.filter(verification=ResidentProfile.Verification.VERIFIED)
        .values_list("district_id")
        .annotate(n=Count("id"))
    )
    districts = District.objects.filter(code=district) if district else District.objects.all()
    rows = []
    for d in districts.order_by("code"):
        n, e = ballots.get(d.pk, 0), electorate.get(d.pk, 0)
        if not n and not e:
            continue
        rows.append(
            {
                "label": getattr(d, _name()),
                "value": n,
                "electorate": e,
                "turnout": round(100 * n / e, 1) if e else None,
            }
        )
    return sorted(rows, key=lambda r: (-r["value"], r["label"]))


def panel_composition(start, end, district) -> list[dict]:
    """Members of the latest drawn panel (drawn in the window) per feature and value, as a
    percent of the panel, beside the reference share: the population for districts, the city's
    residents for age bands, and the volunteer pool for other features (the city holds no
    census of them). The district filter does not apply: a panel speaks for the whole city."""
    panels = Panel.objects.filter(stage=Panel.Stage.DRAWN)
    if start is not None:
        panels = panels.filter(created_at__gte=start)
    if end is not None:
        panels = panels.filter(created_at__lt=end)
    panel = panels.order_by("-created_at", "-pk").first()
    if panel is None:
        return []
    members = list(
        PanelVolunteer.objects.filter(panel=panel, status__in=SEATED).values_list(
            "features", flat=True
        )
    )
    pool = list(PanelVolunteer.objects.filter(panel=panel).values_list("features", flat=True))
    seated: Counter[tuple[str, str]] = Counter()
    pooled: Counter[tuple[str, str]] = Counter()
    for f in members:
        seated.update((k, str(v)) for k, v in f.items())
    for f in pool:
        pooled.update((k, str(v)) for k, v in f.items())
    population = dict(District.objects.values_list("code", "population"))
    ages = dict(
        ResidentProfile.objects.exclude(age_band="").values_list("age_band").annotate(n=Count("id"))
    )
    rows = []
    for feature, value in sorted(pooled):
        if feature == "district":
            ref, total, source = population.get(value, 0), sum(population.values()), _("population")
        elif feature == "age_band":
            ref, total, source = ages.get(value, 0), sum(ages.values()), _("residents")
        else:
            ref = pooled[(feature, value)]
            total = sum(n for (f, _v), n in pooled.items() if f == feature)
            source = _("volunteer pool")
        rows.append(
            {
                "label": f"{feature}: {value}",
                "members": seated[(feature, value)],
                "value": round(100 * seated[(feature, value)] / len(members), 1)
                if members
                else 0.0,
                "reference": round(100 * ref / total, 1) if total else None,
                "source": str(source),
                "panel": panel.title,
            }
        )
    return rows


register_metric(
    Metric(
        "budgeting.turnout",
        _("Budget votes and turnout by district"),
        turnout_by_district,
        app="budgeting",
        chart="bars",
        columns=(
            ("label", _("District")),
            ("value", _("Ballots")),
            ("electorate", _("Verified residents")),
            ("turnout", _("Turnout (%)")),
        ),
        order=50,
    )
)
register_metric(
    Metric(
        "budgeting.panel_composition",
        _("Citizens' panel against the population"),
        panel_composition,
        app="budgeting",
        unit="%",
        chart="bars",
        columns=(
            ("label", _("Feature")),
            ("members", _("Members")),
            ("value", _("Share of the panel (%)")),
            ("reference", _("Reference share (%)")),
            ("source", pgettext_lazy("data source", "Reference")),
        ),
        order=51,
    )
)

# --------------------------------------------------------------------------- open data


def project_rows():
    for r in (
        BudgetProject.objects.order_by("pk")
        .values(
            "id",
            "process_id",
            "process__year",
            "code",
            "title",
            "district__code",
            "department__code",
            "proposed_cost",
            "cost",
            "status",
            "percent_done",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield {
            "id": r["id"],
            "process_id": r["process_id"],
            "year": r["process__year"],
            "code": r["code"],
            "title": r["title"],
            "district": r["district__code"],
            "department": r["department__code"],
            "proposed_cost": r["proposed_cost"],
            "cost": r["cost"],
            "status": r["status"],
            "percent_done": r["percent_done"],
        }


def tally_rows():
    for r in (
        Tally.objects.order_by("pk")
        .values(
            "id",
            "process_id",
            "district__code",
            "rule",
            "budget",
            "spent",
            "voters",
            "selected",
            "computed_at",
        )
        .iterator(chunk_size=CHUNK)
    ):
        yield {
            "id": r["id"],
            "process_id": r["process_id"],
            "district": r["district__code"],
            "rule": r["rule"],
            "budget": r["budget"],
            "spent": r["spent"],
            "ballots": r["voters"],
            "selected": " ".join(r["selected"]),
            "computed_at": r["computed_at"],
        }


register_export(
    OpenDataExport(
        "budget_projects",
        _("Participatory budgeting projects"),
        (
            "id",
            "process_id",
            "year",
            "code",
            "title",
            "district",
            "department",
            "proposed_cost",
            "cost",
            "status",
            "percent_done",
        ),
        project_rows,
        description=_("Projects of every budget process, their costing, result and progress."),
        field_descriptions={
            "id": _("Project number"),
            "process_id": _("Budget process"),
            "year": _("Year of the process"),
            "code": _("Project code on the ballot"),
            "title": _("Title"),
            "district": _("District code, empty for city-wide projects"),
            "department": _("Department carrying it out"),
            "proposed_cost": _("Cost proposed (KRW)"),
            "cost": _("Cost after costing (KRW)"),
            "status": _(
                "submitted, feasible, infeasible, funded, not_funded, implementing or completed"
            ),
            "percent_done": _("Percent carried out"),
        },
        field_types={
            "id": "int",
            "process_id": "int",
            "year": "int",
            "proposed_cost": "int",
            "cost": "int",
            "percent_done": "int",
        },
        app="budgeting",
    )
)
register_export(
    OpenDataExport(
        "budget_tallies",
        _("Budget vote counts"),
        (
            "id",
            "process_id",
            "district",
            "rule",
            "budget",
            "spent",
            "ballots",
            "selected",
            "computed_at",
        ),
        tally_rows,
        description=_(
            "The count of each budget vote: rule, budget, voters and projects funded in order."
        ),
        field_descriptions={
            "id": _("Count number"),
            "process_id": _("Budget process"),
            "district": _("District code, empty for a city-wide count"),
            "rule": _("Counting rule"),
            "budget": _("Budget counted (KRW)"),
            "spent": _("Budget allocated (KRW)"),
            "ballots": _("Ballots counted"),
            "selected": _("Project codes funded, in funding order, separated by spaces"),
            "computed_at": _("When it was counted"),
        },
        field_types={
            "id": "int",
            "process_id": "int",
            "budget": "int",
            "spent": "int",
            "ballots": "int",
            "computed_at": "datetime",
        },
        app="budgeting",
    )
)

# --------------------------------------------------------------------------- personal data


def collect(user) -> dict:
    """Ballots carry no identity, so only panel volunteering is personal here."""
    return {
        "panel_volunteering": list(
            PanelVolunteer.objects.filter(user=user).values(
                "panel_id", "panel__title", "features", "household", "status"
            )
        )
    }


def anonymise(user) -> None:
    """A deleted account keeps its place in a drawn panel's published record, without the link
    to the person or their household."""
    PanelVolunteer.objects.filter(user=user).update(user=None, household="")


register_personal_data("budgeting", collect, anonymise)
