from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for every app; it owns the `amparo demo` command. No app imports it."""

    name = "amparo.demo"
    label = "demo"
    verbose_name = _("Demo data")
