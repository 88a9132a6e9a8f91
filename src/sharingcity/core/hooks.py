from django.utils.translation import gettext_lazy as _

from . import access
from .api import router
from .registry import ApiRouter, NavItem, register_api, register_nav

register_api(ApiRouter("/core", router, order=0))
register_nav(
    NavItem(_("Verification"), "core:verification-queue", order=900, visible=access.is_staff_member)
)
register_nav(NavItem(_("Audit log"), "core:audit-log", order=910, visible=access.is_bureau_admin))
