"""The JSON API: one NinjaAPI, one OpenAPI schema, with each app's router mounted from the
routers registered in its hooks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from sharingcity.core.http import install_error_handlers
from sharingcity.core.registry import registry

api = NinjaAPI(
    title="Sharing City API",
    version="1",
    description=str(
        _("Citizen voice, the sharing hub, participatory budgeting and the city's open data.")
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

for entry in sorted(registry.items("api"), key=lambda r: (r.order, r.prefix)):
    api.add_router(entry.prefix, entry.router)
