from django.utils.translation import gettext_lazy as _

from sharingcity.core import access
from sharingcity.core.notifications import always_immediate
from sharingcity.core.registry import (
    ApiRouter,
    DemoStep,
    HomeSection,
    NavItem,
    Pages,
    register_api,
    register_demo,
    register_home,
    register_nav,
    register_pages,
)

from . import rules
from .api import router

register_api(ApiRouter("/sharing", router, order=20))
register_pages(Pages("sharing/", "sharingcity.sharing.urls"))
register_nav(NavItem(_("Sharing hub"), "sharing:search", order=20))
register_nav(
    NavItem(
        _("My bookings"),
        "sharing:my-bookings",
        order=21,
        visible=lambda user: user.is_authenticated,
    )
)
register_nav(
    NavItem(
        _("Enterprise designation"),
        "sharing:enterprise-mine",
        order=25,
        visible=lambda user: bool(access.organisation_ids(user)),
    )
)
register_nav(
    NavItem(
        _("Designation reviews"),
        "sharing:enterprise-queue",
        order=830,
        visible=access.is_bureau_admin,
    )
)
register_nav(
    NavItem(
        _("Home-share matches"),
        "sharing:homeshare-coordinator",
        order=840,
        visible=rules.is_coordinator,
    )
)
register_home(
    HomeSection(
        _("Sharing hub"),
        _("Rooms in public buildings, tools, interview clothes, parking bays and cars to share."),
        "sharing:search",
        order=20,
    )
)
for kind in (
    "sharing.booking.approved",
    "sharing.booking.denied",
    "sharing.booking.cancelled",
    "sharing.lottery.won",
    "sharing.queue.ready",
    "sharing.suspended",
):
    always_immediate(kind)


def _demo(city):
    from .demo import populate

    return populate(city)


register_demo(DemoStep("sharing hub", _demo, order=20))
from . import insights  # noqa: F401,E402
