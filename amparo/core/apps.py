from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "amparo.core"
    label = "core"
    verbose_name = _("Organizations and access")

    def ready(self) -> None:
        # Logins happen in Django's auth machinery (UI, admin, API token); its signals are the
        # one place all three meet, so the audit of logins is connected here.
        from amparo.core import audit

        audit.connect_login_signals()
