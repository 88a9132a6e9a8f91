from django.utils.translation import gettext_lazy as _

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

from .api import router

register_api(ApiRouter("/budgeting", router, order=30))
register_pages(Pages("budget/", "sharingcity.budgeting.urls"))
register_nav(NavItem(_("Budget"), "budgeting:processes", order=300))
register_nav(NavItem(_("Panels"), "budgeting:panels", order=310))
register_home(
    HomeSection(
        _("Participatory budget"),
        _("Propose projects, vote, and see why each project was or was not funded."),
        "budgeting:processes",
        order=30,
    )
)


def _demo(city):
    from .demo import populate

    return populate(city)


register_demo(DemoStep("budgeting", _demo, order=300))
from . import insights  # noqa: F401,E402
