"""Language-free addresses: open-data files and Open311 GeoReport v2 (stable URLs for tools)."""

from django.urls import path, re_path

from . import open311, views

FMT = r"(?:\.(?P<fmt>json|xml))?"

urlpatterns = [
    path("open-data/", views.open_data_index, name="open-data-index"),
    path(
        "open-data/<slug:key>.dictionary.json",
        views.open_data_dictionary,
        name="open-data-dictionary",
    ),
    path("open-data/<slug:key>.<str:fmt>", views.open_data_file, name="open-data-file"),
    re_path(rf"^open311/v2/services{FMT}$", open311.services, name="open311-services"),
    re_path(
        rf"^open311/v2/services/(?P<code>[-\w]+?){FMT}$",
        open311.service_definition,
        name="open311-service",
    ),
    re_path(rf"^open311/v2/requests{FMT}$", open311.requests_view, name="open311-requests"),
    re_path(
        rf"^open311/v2/requests/(?P<request_id>[^/.]+){FMT}$",
        open311.request_detail,
        name="open311-request",
    ),
]
