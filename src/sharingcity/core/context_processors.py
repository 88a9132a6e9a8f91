from django.urls import NoReverseMatch, reverse

from . import access, notifications
from .registry import registry


def navigation(request):
    user = getattr(request, "user", None)
    items = []
    for item in sorted(registry.items("nav"), key=lambda i: i.order):
        if item.visible(user):
            try:
                items.append({"label": item.label, "url": reverse(item.url_name)})
            except NoReverseMatch:
                continue
    authenticated = bool(user and user.is_authenticated)
    return {
        "nav_items": items,
        "unread_notifications": notifications.unread_count(user) if authenticated else 0,
        "is_staff_member": authenticated and access.is_staff_member(user),
    }
