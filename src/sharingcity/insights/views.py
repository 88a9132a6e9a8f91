"""Pages: the public dashboard, the bureau's dashboard, the open-data catalogue and
"download my data"; and the language-free open-data files."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sharingcity.core import access
from sharingcity.core.errors import DomainError, NotFound
from sharingcity.core.http import apply_to_form

from . import dashboard, exports, personal, tasks
from .forms import DashboardFilter, DeleteAccountForm


def can_see_bureau_dashboard(user) -> bool:
    return access.is_staff_member(user) or access.is_overseer(user)


def _dashboard(request: HttpRequest, *, public: bool) -> HttpResponse:
    form = DashboardFilter(request.GET or None)
    html = ""
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        data = form.cleaned_data if form.is_bound else {}
        html = dashboard.panels_html(
            public=public,
            start=data.get("start"),
            end=data.get("end"),
            district=data.get("district") or None,
        )
    return render(
        request,
        "insights/dashboard.html",
        {"form": form, "panels_html": mark_safe(html), "public": public},
        status=status,
    )


@require_GET
def public_dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, public=True)


@require_GET
def bureau_dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"/{request.LANGUAGE_CODE}/login/?next={request.path}")
    if not can_see_bureau_dashboard(request.user):
        return render(request, "core/forbidden.html", status=403)
    return _dashboard(request, public=False)


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    files = exports.open_data_dir()
    items = []
    for key, export in exports.exports().items():
        written = files / f"{key}.csv"
        items.append(
            {
                "export": export,
                "formats": exports.formats_of(export),
                "dictionary": exports.dictionary(export),
                "written_at": datetime.fromtimestamp(
                    written.stat().st_mtime, tz=timezone.get_current_timezone()
                )
                if written.exists()
                else None,
            }
        )
    return render(
        request,
        "insights/catalogue.html",
        {"items": items, "can_regenerate": access.is_bureau_admin(request.user)},
    )


@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    if not access.is_bureau_admin(request.user):
        return render(request, "core/forbidden.html", status=403)
    tasks.regenerate_open_data(actor_id=request.user.pk)
    messages.success(request, _("The open-data files are being written again."))
    return redirect("insights:catalogue")


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("download")
    if fmt:
        if fmt not in ("json", "zip"):
            return HttpResponse(
                _("Choose json or zip."), status=400, content_type="text/plain; charset=utf-8"
            )
        data = personal.collect(request.user)  # type: ignore[arg-type]
        stamp = timezone.localdate().isoformat()
        if fmt == "zip":
            resp = HttpResponse(personal.as_zip(data), content_type="application/zip")
        else:
            resp = HttpResponse(personal.as_json(data), content_type="application/json")
        resp["Content-Disposition"] = f'attachment; filename="sharingcity-my-data-{stamp}.{fmt}"'
        return resp
    form = DeleteAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                personal.check_delete_account(
                    user=request.user,  # type: ignore[arg-type]
                    confirm=form.cleaned_data["confirm"],
                )
            except DomainError as e:
                apply_to_form(form, e)
            else:
                logout(request)
                messages.success(request, _("Your account was deleted."))
                return redirect("core:home")
        status = 400
    return render(request, "insights/my_data.html", {"form": form}, status=status)


# --------------------------------------------------------------------------- open data files


def open_data_file(
    request: HttpRequest, key: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """``/open-data/<key>.<format>``: streamed straight from the database, never held whole."""
    try:
        export = exports.get(key, fmt)
    except NotFound as e:
        raise Http404(e.message) from None
    except DomainError as e:
        return JsonResponse(e.as_dict(), status=e.status)
    resp = StreamingHttpResponse(
        exports.stream(export, fmt), content_type=exports.CONTENT_TYPES[fmt]
    )
    resp["Content-Disposition"] = f'inline; filename="{key}.{fmt}"'
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def open_data_dictionary(request: HttpRequest, key: str) -> HttpResponse:
    export = exports.exports().get(key)
    if export is None:
        raise Http404(key)
    return JsonResponse(
        {"key": key, "title": str(export.title), "fields": exports.dictionary(export)},
        json_dumps_params={"ensure_ascii": False},
    )


def open_data_index(request: HttpRequest) -> HttpResponse:
    """The catalogue as JSON (DCAT-like: title, description, distributions, dictionary)."""
    base = request.build_absolute_uri("/open-data/")
    return JsonResponse(
        {
            "datasets": [
                {
                    "key": key,
                    "title": str(e.title),
                    "description": str(e.description),
                    "distributions": {f: f"{base}{key}.{f}" for f in exports.formats_of(e)},
                    "dictionary": f"{base}{key}.dictionary.json",
                }
                for key, e in exports.exports().items()
            ]
        },
        json_dumps_params={"ensure_ascii": False},
    )
