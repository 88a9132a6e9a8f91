from django.utils.translation import gettext_lazy as _

from sharingcity.core import access
from sharingcity.core.registry import (
    ApiRouter,
    NavItem,
    Pages,
    register_api,
    register_nav,
    register_pages,
)

from . import (
    dispatch,  # noqa: F401
    nightbus,  # noqa: F401
    siting,  # noqa: F401
)
from .api import router
from .services import PLANNING_ROLES

register_api(ApiRouter("/plans", router, order=50))
register_pages(Pages("plans/", "sharingcity.plans.urls"))
register_nav(
    NavItem(
        _("Planning"),
        "plans:index",
        order=500,
        visible=lambda u: access.has_role(u, *PLANNING_ROLES),
    )
)
