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

from . import services
from .api import router
from .demo import populate

always_immediate(services.ANSWERED_KIND)

register_api(ApiRouter("/voice", router, order=10))
register_pages(Pages("voice/", "sharingcity.voice.urls"))


def _staff_or_overseer(user) -> bool:
    return access.is_staff_member(user) or access.is_overseer(user)


register_nav(NavItem(_("Proposals"), "voice:proposal-list", order=10))
register_nav(NavItem(_("Make a proposal"), "voice:proposal-new", order=11))
register_nav(NavItem(_("Ranking vote"), "voice:ranking-list", order=30))
register_nav(NavItem(_("Events"), "voice:event-list", order=40))
register_nav(NavItem(_("Inbox"), "voice:inbox", order=800, visible=_staff_or_overseer))
register_nav(NavItem(_("Overdue"), "voice:overdue", order=810, visible=_staff_or_overseer))
register_nav(
    NavItem(_("Offline intake"), "voice:offline-intake", order=820, visible=access.is_staff_member)
)
register_nav(
    NavItem(_("Moderation"), "voice:moderation", order=830, visible=access.is_staff_member)
)
register_nav(
    NavItem(_("Routing"), "voice:routing-rules", order=840, visible=access.is_bureau_admin)
)

register_home(
    HomeSection(
        _("Citizen proposals"),
        _(
            "Suggest an idea to the city: the department responsible must reply to you personally, with a deadline everyone can see."
        ),
        "voice:proposal-list",
        order=10,
    )
)
register_home(
    HomeSection(
        _("This year's ranking vote"),
        _(
            "Approve the issues the city should work on first; the results are published as a ranked chart."
        ),
        "voice:ranking-list",
        order=30,
    )
)
register_home(
    HomeSection(
        _("Listening workshops and mobile city hall"),
        _(
            "Meet the departments in your district: sign up, and see what came out of past sessions."
        ),
        "voice:event-list",
        order=40,
    )
)
register_demo(DemoStep("citizen voice", populate, order=10))
from . import insights  # noqa: F401,E402
