"""What the sharing hub's pages share: binding a posted form and running it through its
``check_*`` service, with the domain error shown on the form (``core.http.apply_to_form``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from sharingcity.core.errors import DomainError
from sharingcity.core.http import apply_to_form


def posted(request):
    """The data to bind a page's form to: the POST body on a POST (even an empty one, so that
    its required fields say so), nothing on a GET."""
    return request.POST if request.method == "POST" else None


def submit(
    request,
    form,
    service: Callable[..., Any],
    *,
    success: str | Callable[[Any], str],
    to: str,
    on_error: Callable[[DomainError], None] | None = None,
    **context: Any,
) -> HttpResponse | None:
    """On a POST with a valid ``form``, call ``service(actor=user, **context, **cleaned_data)``
    and redirect to the URL name ``to`` with ``success`` (or ``success(result)``) as the
    message. None when there is nothing to do or the service said no (the error is then on
    the form and the page renders it; ``on_error`` may first point it at another field)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = service(actor=request.user, **context, **form.cleaned_data)
    except DomainError as e:
        if on_error is not None:
            on_error(e)
        apply_to_form(form, e)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(to)
