from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "sharingcity.plans"
    label = "plans"
    verbose_name = _("Planning runs")
