from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "amparo.home"
    label = "home"
    verbose_name = _("Home")
