from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from sharingcity.api import api
from sharingcity.core.registry import registry

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("django-admin/", admin.site.urls),
    path("", include("sharingcity.insights.public_urls")),  # open data and Open311: no language prefix
]

# Pages live under /ko/ and /en/ so a link always names its language; "/" redirects by preference.
urlpatterns += i18n_patterns(
    path("", include("sharingcity.core.urls")),
    *[path(entry.prefix, include(entry.urls)) for entry in registry.items("pages")],
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
