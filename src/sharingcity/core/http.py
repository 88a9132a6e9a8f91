"""The one place where domain errors become HTTP: JSON ``{code, message, details}`` for the API
and form errors (or a message) for pages."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from .errors import DomainError


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"code": code, "message": message, "details": details or {}}


def install_error_handlers(api: NinjaAPI) -> None:
    def domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=exc.status)

    def validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for err in exc.errors:
            # Drop ninja's location markers but never the last part: it is the field itself,
            # which may well be called "body" or "path".
            raw = [str(p) for p in err.get("loc", ())]
            loc = [p for p in raw[:-1] if p not in ("body", "payload", "query", "path", "form")]
            loc += raw[-1:]
            errors.append(
                {"field": ".".join(loc), "message": err.get("msg", ""), "type": err.get("type", "")}
            )
        fields = ", ".join(e["field"] for e in errors if e["field"])
        message = (
            _("Some fields are invalid: %(fields)s.") % {"fields": fields}
            if fields
            else _("The request is invalid.")
        )
        return api.create_response(
            request, error_body("invalid_input", message, {"errors": errors}), status=422
        )

    def unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request,
            error_body("unauthenticated", _("Log in or send a valid API token.")),
            status=401,
        )

    def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, error_body("forbidden", _("You may not do this.")), status=403
        )

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(
            request, error_body("not_found", str(exc) or _("Not found.")), status=404
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(
            request, error_body(f"http_{exc.status_code}", str(exc.message)), status=exc.status_code
        )

    api.add_exception_handler(DomainError, domain)
    api.add_exception_handler(NinjaValidationError, validation)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(AuthorizationError, forbidden)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer sc_…`` with a personal token from the account page."""

    def authenticate(self, request: HttpRequest, token: str):
        from .services import user_for_token

        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser session (CSRF-checked for unsafe methods)."""


#: Operations that need a signed-in user take ``auth=AUTH``; public reads take none.
AUTH = [ApiTokenAuth(), ActiveSessionAuth()]


def apply_to_form(form: forms.Form, error: DomainError) -> None:
    """Show a domain error on the form field it belongs to, or on the whole form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    for row in error.details.get("rows", []) if isinstance(error.details, dict) else []:
        form.add_error(None, _("line %(line)s: %(error)s") % row)


class ApiErrorShapeMiddleware:
    """Errors raised outside the API's own handlers (unknown path, method not allowed, CSRF)
    still answer in the API's one error shape."""

    MESSAGES = {404: "No API operation at this path.", 405: "This method is not allowed here.", 403: "Forbidden."}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            import json

            status = response.status_code
            body = error_body(f"http_{status}", self.MESSAGES.get(status, "The request failed."))
            if status == 405 and response.get("Allow"):
                body["details"] = {"allowed_methods": [m.strip() for m in response["Allow"].split(",")]}
            new = HttpResponse(json.dumps(body), status=status, content_type="application/json")
            if response.get("Allow"):
                new["Allow"] = response["Allow"]
            return new
        return response
