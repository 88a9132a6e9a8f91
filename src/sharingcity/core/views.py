from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, notifications, selectors, services
from .errors import DomainError
from .forms import CensusUploadForm, PreferencesForm, SignupForm, TokenForm, VerifyForm
from .http import apply_to_form
from .models import ResidentProfile
from .registry import registry


def home(request):
    return render(
        request,
        "core/home.html",
        {"sections": sorted(registry.items("home"), key=lambda s: s.order)},
    )


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.do_register_resident(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                district_code=data["district"].code,
                age_band=data["age_band"],
                birth_year=data["birth_year"],
                display_name=data["display_name"],
            )
        except DomainError as e:
            apply_to_form(form, e)
        else:
            login(request, user)
            messages.success(request, _("Welcome! Ask for a residence check to support and vote."))
            return redirect("core:account")
    return render(request, "core/signup.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def account(request):
    user = request.user
    prefs = PreferencesForm(
        request.POST if request.POST.get("form") == "prefs" else None,
        initial={
            "display_name": user.display_name,
            "notification_frequency": user.notification_frequency,
            "preferred_language": user.preferred_language,
        },
    )
    token_form = TokenForm(request.POST if request.POST.get("form") == "token" else None)
    new_key = None
    if request.method == "POST":
        try:
            if request.POST.get("form") == "prefs" and prefs.is_valid():
                services.do_set_preferences(user=user, **prefs.cleaned_data)
                messages.success(request, _("Preferences saved."))
                return redirect("core:account")
            if request.POST.get("form") == "token" and token_form.is_valid():
                _token, new_key = services.do_issue_api_token(
                    user=user, name=token_form.cleaned_data["name"]
                )
            if request.POST.get("form") == "verify":
                services.do_request_verification(user=user)
                messages.success(
                    request, _("Your request for a residence check was sent to staff.")
                )
                return redirect("core:account")
            if request.POST.get("form") == "revoke":
                services.do_revoke_api_token(
                    user=user, token_id=int(request.POST.get("token_id", 0))
                )
                return redirect("core:account")
        except DomainError as e:
            messages.error(request, e.message)
    return render(
        request,
        "core/account.html",
        {
            "prefs": prefs,
            "token_form": token_form,
            "new_key": new_key,
            "profile": access.resident_profile(user),
            "tokens": user.api_tokens.filter(revoked_at__isnull=True),
            "roles": access.role_assignments(user),
        },
    )


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    notifications.mark_read(request.user)
    if request.htmx:
        return render(request, "core/_notification_badge.html", {"unread_notifications": 0})
    return redirect("core:notifications")


@login_required
def verification_queue(request):
    if not access.is_staff_member(request.user):
        return render(request, "core/forbidden.html", status=403)
    census = (
        CensusUploadForm(request.POST or None, request.FILES or None)
        if request.POST.get("form") == "census"
        else CensusUploadForm()
    )
    if request.method == "POST" and request.POST.get("form") == "census" and census.is_valid():
        try:
            n = services.check_import_census(
                actor=request.user, data=census.cleaned_data["file"].read()
            )
            messages.success(request, _("%(n)d census records loaded.") % {"n": n})
            return redirect("core:verification-queue")
        except DomainError as e:
            apply_to_form(census, e)
    page = Paginator(selectors.verification_queue(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/verification_queue.html",
        {"page": page, "census": census, "verify_form": VerifyForm()},
        status=400 if census.errors else 200,
    )


@login_required
def verify_resident(request, user_id: int):
    if not access.is_staff_member(request.user):
        return render(request, "core/forbidden.html", status=403)
    profile = get_object_or_404(
        ResidentProfile.objects.select_related("user", "district"), user_id=user_id
    )
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        method = data.pop("method")
        try:
            profile = services.check_verify_resident(
                actor=request.user, profile=profile, method_key=method, evidence=data
            )
            messages.success(
                request,
                f"{profile.user}: {profile.get_verification_display()} — {profile.verification_note}",
            )
            return redirect("core:verification-queue")
        except DomainError as e:
            apply_to_form(form, e)
    return render(
        request,
        "core/verify_resident.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )


@login_required
def audit_log(request):
    if not access.is_bureau_admin(request.user):
        return render(request, "core/forbidden.html", status=403)
    qs = selectors.audit_log(action_prefix=request.GET.get("action", "").strip())
    return render(
        request,
        "core/audit_log.html",
        {"page": Paginator(qs, 50).get_page(request.GET.get("page"))},
    )
