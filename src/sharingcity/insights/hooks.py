from django.utils.translation import gettext_lazy as _

from sharingcity.core.registry import (
    ApiRouter,
    HomeSection,
    NavItem,
    OpenDataExport,
    Pages,
    register_api,
    register_export,
    register_home,
    register_nav,
    register_pages,
)

from . import exports
from .api import router
from .views import can_see_bureau_dashboard

register_api(ApiRouter("/insights", router, order=60))
register_pages(Pages("insights/", "sharingcity.insights.urls"))
register_nav(NavItem(_("City dashboard"), "insights:dashboard", order=60))
register_nav(NavItem(_("Open data"), "insights:catalogue", order=61))
register_nav(
    NavItem(
        _("Bureau dashboard"),
        "insights:bureau-dashboard",
        order=850,
        visible=can_see_bureau_dashboard,
    )
)
register_nav(
    NavItem(_("My data"), "insights:my-data", order=990, visible=lambda u: u.is_authenticated)
)
register_home(
    HomeSection(
        _("How the city is doing"),
        _(
            "Ideas, replies, sharing and budget votes in charts, and every public dataset to download."
        ),
        "insights:dashboard",
        order=60,
    )
)

# Districts are core's data; they are the city's base geodata, so insights publishes them.
register_export(
    OpenDataExport(
        "districts",
        _("Districts"),
        ("code", "name_ko", "name_en", "population", "latitude", "longitude"),
        exports.district_rows,
        description=_("The city's districts with population and centroid."),
        field_descriptions={
            "code": _("District code used in every other dataset"),
            "name_ko": _("Korean name"),
            "name_en": _("English name"),
            "population": _("Residents"),
            "latitude": _("Centroid latitude (WGS 84)"),
            "longitude": _("Centroid longitude (WGS 84)"),
        },
        field_types={"population": "int", "latitude": "float", "longitude": "float"},
        geo=True,
        app="core",
    )
)
