from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "sharingcity.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self) -> None:
        # Each app declares what it contributes in its own hooks module; core discovers them
        # without importing any app by name (Wagtail's wagtail_hooks, Decidim's manifests).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("hooks")
