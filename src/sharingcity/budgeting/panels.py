"""Citizens' panels: a call for volunteers (or an imported pool), quotas, a published lottery
(LEXIMIN by default, open-source solvers only), a draw from a seed fixed in advance, and
replacement draws. Anyone can re-run the draw from the published lottery and seed."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sharingcity.core import access, audit
from sharingcity.core.errors import Conflict, InvalidInput
from sharingcity.core.models import Role, User
from sharingcity.core.notifications import notify
from sharingcity.planning import sortition

from .models import Panel, PanelVolunteer

Stage = Panel.Stage
EXTRA_FEATURES = ("gender", "housing", "education")


def check_create_panel(
    *,
    actor: User,
    title: str,
    size: int,
    algorithm: str = "leximin",
    one_per_household: bool = False,
    seed_source: str = "",
    description: str = "",
) -> Panel:
    access.require_role(actor, Role.BUREAU_ADMIN)
    if not title.strip():
        raise InvalidInput("missing_title", _("Give the panel a title."), field="title")
    if not 1 <= size <= 10_000:
        raise InvalidInput(
            "invalid_size", _("The panel size must be between 1 and 10,000."), field="size"
        )
    if algorithm not in (Panel.Algorithm.LEXIMIN, Panel.Algorithm.MAXIMIN):
        raise InvalidInput("unknown_algorithm", _("Choose LEXIMIN or maximin."), field="algorithm")
    with transaction.atomic():
        panel = Panel.objects.create(
            title=title.strip()[:200],
            size=size,
            algorithm=algorithm,
            description=description,
            one_per_household=one_per_household,
            seed_source=seed_source.strip()[:300],
            created_by=actor,
        )
        audit.record(actor, "budgeting.panel.created", panel, size=size, algorithm=algorithm)
    return panel


def _new_external_id(panel: Panel) -> str:
    while True:
        candidate = "v" + secrets.token_hex(4)  # a pseudonym: the lottery is published
        if not panel.volunteers.filter(external_id=candidate).exists():
            return candidate


def check_volunteer(
    *, actor: User, panel: Panel, features: Mapping[str, str], household: str = ""
) -> PanelVolunteer:
    """A verified resident volunteers; district and age band come from the verified profile."""
    profile = access.require_verified_resident(actor)
    if panel.stage != Stage.CALL_OPEN:
        raise Conflict("call_closed", _("The call for volunteers is closed."))
    if panel.volunteers.filter(user=actor).exists():
        raise Conflict("already_volunteered", _("You have already volunteered for this panel."))
    values = {"district": profile.district.code, "age_band": profile.age_band or "unknown"}
    for name in EXTRA_FEATURES:
        value = str(features.get(name, "")).strip()
        if not value:
            raise InvalidInput(
                "missing_feature", _("Please answer: %(f)s.") % {"f": name}, field=name
            )
        values[name] = value[:60]
    return PanelVolunteer.objects.create(
        panel=panel,
        user=actor,
        external_id=_new_external_id(panel),
        features=values,
        household=household.strip()[:200],
    )


def check_withdraw(*, actor: User, panel: Panel) -> None:
    if panel.stage != Stage.CALL_OPEN:
        raise Conflict("call_closed", _("The pool is closed; contact the bureau to withdraw."))
    panel.volunteers.filter(user=actor).update(status=PanelVolunteer.Status.WITHDRAWN)


def check_import_pool(*, actor: User, panel: Panel, data: bytes | str) -> int:
    """Import a pool CSV: an ``id`` column, one column per feature, optionally ``household``.
    All rows or none; every bad row is reported with its line number."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    if panel.stage != Stage.CALL_OPEN:
        raise Conflict("call_closed", _("The pool is closed."))
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "id" not in header:
        raise InvalidInput(
            "bad_pool_header", _("The pool file needs an id column."), {"columns": header}
        )
    features = [h for h in header if h not in ("id", "household")]
    if not features:
        raise InvalidInput(
            "bad_pool_header", _("The pool file has no feature columns."), {"columns": header}
        )
    errors: list[dict[str, Any]] = []
    rows: dict[str, PanelVolunteer] = {}
    existing = set(panel.volunteers.values_list("external_id", flat=True))
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        vid = row.get("id", "")
        missing = [f for f in features if not row.get(f)]
        if not vid:
            errors.append({"line": line, "error": _("the id is empty")})
        elif vid in rows or vid in existing:
            errors.append({"line": line, "error": _("the id %(id)s appears twice") % {"id": vid}})
        elif missing:
            errors.append(
                {"line": line, "error": _("no value for %(f)s") % {"f": ", ".join(missing)}}
            )
        else:
            rows[vid] = PanelVolunteer(
                panel=panel,
                external_id=vid[:64],
                features={f: row[f] for f in features},
                household=row.get("household", "")[:200],
            )
    if errors:
        raise InvalidInput(
            "bad_pool_rows",
            _("%(n)d rows of the pool file are invalid; nothing was imported.")
            % {"n": len(errors)},
            {"rows": errors[:50]},
        )
    with transaction.atomic():
        PanelVolunteer.objects.bulk_create(rows.values(), batch_size=2000)
        audit.record(actor, "budgeting.panel.pool_imported", panel, rows=len(rows))
    return len(rows)


def parse_quotas_csv(data: bytes | str) -> list[dict[str, Any]]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    need = ("feature", "value", "min", "max")
    if any(c not in (reader.fieldnames or []) for c in need):
        raise InvalidInput(
            "bad_quota_header", _("The quota file needs the columns feature, value, min, max.")
        )
    out, errors = [], []
    for line, row in enumerate(reader, start=2):
        try:
            out.append(
                {
                    "feature": row["feature"].strip(),
                    "value": row["value"].strip(),
                    "min": int(row["min"]),
                    "max": int(row["max"]),
                }
            )
        except (TypeError, ValueError):
            errors.append({"line": line, "error": _("min and max must be whole numbers")})
    if errors:
        raise InvalidInput("bad_quota_rows", _("Some quota rows are invalid."), {"rows": errors})
    return out


def check_set_quotas(*, actor: User, panel: Panel, quotas: Sequence[Mapping[str, Any]]) -> Panel:
    """Close the pool and fix the quotas; every value present in the pool needs a quota row."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    if panel.stage not in (Stage.CALL_OPEN, Stage.POOL_CLOSED):
        raise Conflict(
            "lottery_published", _("The lottery is already published; quotas cannot change.")
        )
    try:
        parsed = [
            sortition.Quota(str(q["feature"]), str(q["value"]), int(q["min"]), int(q["max"]))
            for q in quotas
        ]
    except (KeyError, TypeError, ValueError) as e:
        raise InvalidInput(
            "invalid_quota", _("A quota needs feature, value, min and max."), {"error": str(e)}
        ) from None
    except sortition.SortitionError as e:
        raise InvalidInput("invalid_quota", str(e)) from None
    if not parsed:
        raise InvalidInput("no_quotas", _("Set at least one quota."))
    problem_error = _problem_error(panel, parsed)
    if problem_error:
        raise InvalidInput("quotas_do_not_fit_pool", problem_error)
    with transaction.atomic():
        panel.quotas = [
            {"feature": q.feature, "value": q.value, "min": q.min, "max": q.max} for q in parsed
        ]
        panel.stage = Stage.POOL_CLOSED
        panel.save(update_fields=["quotas", "stage"])
        audit.record(actor, "budgeting.panel.quotas_set", panel, quotas=panel.quotas)
    return panel


def _active(panel: Panel):
    return panel.volunteers.exclude(status=PanelVolunteer.Status.WITHDRAWN)


def panel_problem(
    panel: Panel, quotas: Sequence[sortition.Quota] | None = None
) -> sortition.PanelProblem:
    quotas = (
        quotas
        if quotas is not None
        else [sortition.Quota(q["feature"], q["value"], q["min"], q["max"]) for q in panel.quotas]
    )
    features = {q.feature for q in quotas}
    pool = [
        sortition.Volunteer(
            v.external_id, {f: str(v.features.get(f, "")) for f in features}, v.household or None
        )
        for v in _active(panel)
    ]
    return sortition.PanelProblem(
        pool, quotas, panel.size, one_per_household=panel.one_per_household
    )


def _problem_error(panel: Panel, quotas: Sequence[sortition.Quota]) -> str:
    try:
        panel_problem(panel, quotas)
    except sortition.SortitionError as e:
        return str(e)
    return ""


def check_publish_lottery(*, actor: User, panel: Panel) -> Panel:
    """Compute the selection probabilities in the background (LEXIMIN can take minutes)."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    if panel.stage != Stage.POOL_CLOSED:
        raise Conflict("quotas_not_set", _("Close the pool and set the quotas first."))
    if not panel.seed_source.strip():
        raise InvalidInput(
            "seed_source_required",
            _("Say in advance where the seed will come from (e.g. a lottery draw)."),
            field="seed_source",
        )
    audit.record(actor, "budgeting.panel.lottery_requested", panel)
    from .tasks import compute_lottery_task

    transaction.on_commit(lambda: compute_lottery_task(panel.pk))
    return panel


def compute_lottery(panel_id: int) -> Panel:
    panel = Panel.objects.get(pk=panel_id)
    problem = panel_problem(panel)
    finder = (
        sortition.find_leximin
        if panel.algorithm == Panel.Algorithm.LEXIMIN
        else sortition.find_maximin
    )
    try:
        lottery = finder(problem)
    except sortition.InfeasibleQuotasError as e:
        panel.audit_report = {"infeasible": e.report.explanation()}
        panel.save(update_fields=["audit_report"])
        return panel
    probabilities = lottery.selection_probabilities()
    with transaction.atomic():
        vols = list(_active(panel))
        for v in vols:
            v.probability = probabilities.get(v.external_id, 0.0)
        PanelVolunteer.objects.bulk_update(vols, ["probability"], batch_size=2000)
        panel.lottery = lottery.to_dict()
        panel.lottery_digest = lottery.digest
        panel.minimum_probability = lottery.minimum_probability
        panel.stage = Stage.LOTTERY_READY
        panel.audit_report = {}
        panel.save(
            update_fields=[
                "lottery",
                "lottery_digest",
                "minimum_probability",
                "stage",
                "audit_report",
            ]
        )
    return panel


def check_draw(*, actor: User, panel: Panel, seed: str) -> Panel:
    access.require_role(actor, Role.BUREAU_ADMIN)
    if panel.stage != Stage.LOTTERY_READY:
        raise Conflict(
            "lottery_not_ready", _("Publish the selection probabilities before the draw.")
        )
    lottery = sortition.PanelLottery.from_dict(panel.lottery)
    try:
        draw = sortition.draw_panel(lottery, seed)
    except sortition.SortitionError as e:
        raise InvalidInput("invalid_seed", str(e), field="seed") from None
    report = sortition.audit_draw(lottery, draw)
    with transaction.atomic():
        panel.volunteers.filter(external_id__in=draw.panel).update(
            status=PanelVolunteer.Status.SELECTED
        )
        panel.seed = draw.seed
        panel.audit_report = report.to_dict()
        panel.stage = Stage.DRAWN
        panel.save(update_fields=["seed", "audit_report", "stage"])
        audit.record(
            actor,
            "budgeting.panel.drawn",
            panel,
            seed=draw.seed,
            lottery_digest=draw.lottery_digest,
        )
        chosen = User.objects.filter(
            pk__in=panel.volunteers.filter(external_id__in=draw.panel, user__isnull=False).values(
                "user"
            )
        )
        notify(
            chosen,
            kind="budgeting.panel.selected",
            title=_("You were drawn for the citizens' panel %(t)s") % {"t": panel.title},
        )
    return panel


def check_replace(*, actor: User, panel: Panel, declined: Sequence[str], seed: str) -> list[str]:
    """Record who declined and draw replacements that keep every quota, verifiably."""
    access.require_role(actor, Role.BUREAU_ADMIN)
    if panel.stage != Stage.DRAWN:
        raise Conflict("not_drawn", _("Draw the panel first."))
    current = set(
        panel.volunteers.filter(
            status__in=[PanelVolunteer.Status.SELECTED, PanelVolunteer.Status.REPLACEMENT]
        ).values_list("external_id", flat=True)
    )
    declined = [d.strip() for d in declined if d.strip()]
    unknown = sorted(set(declined) - current)
    if not declined or unknown:
        raise InvalidInput(
            "not_on_panel",
            _("Name panel members who declined: %(u)s are not on the panel.")
            % {"u": ", ".join(unknown) or "—"},
            field="declined",
        )
    try:
        result = sortition.draw_replacements(
            panel_problem(panel), panel=sorted(current), declined=declined, seed=seed
        )
    except sortition.InfeasibleQuotasError as e:
        raise Conflict("replacement_infeasible", e.report.explanation()) from None
    except sortition.SortitionError as e:
        raise InvalidInput("invalid_replacement", str(e), field="seed") from None
    with transaction.atomic():
        panel.volunteers.filter(external_id__in=declined).update(
            status=PanelVolunteer.Status.DECLINED
        )
        panel.volunteers.filter(external_id__in=result.replacements).update(
            status=PanelVolunteer.Status.REPLACEMENT
        )
        rounds = panel.audit_report.get("replacements", [])
        rounds.append(
            {
                "declined": declined,
                "seed": seed,
                "lottery_digest": result.lottery.digest,
                "lottery": result.lottery.to_dict(),
                "replacements": list(result.replacements),
            }
        )
        panel.audit_report = {**panel.audit_report, "replacements": rounds}
        panel.save(update_fields=["audit_report"])
        audit.record(
            actor,
            "budgeting.panel.replaced",
            panel,
            declined=declined,
            replacements=list(result.replacements),
            seed=seed,
        )
    return list(result.replacements)
