from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "amparo.core"
    label = "core"
    verbose_name = _("Organizations and access")

    def ready(self) -> None:
        # Logins happen in Django's auth machinery (UI, admin, API token); its signals are the
        # one place all three meet, so the audit of logins is connected here.
        from django.db.models.signals import post_migrate

        from amparo.core import audit

        audit.connect_login_signals()
        from django.contrib.auth.signals import user_logged_in

        from amparo.core.middleware import stamp_session_at_login

        user_logged_in.connect(stamp_session_at_login, dispatch_uid="amparo-session-stamp")
        # Built-in roles follow core/roles.py after every migrate, so editing the matrix
        # needs no data migration.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="amparo-sync-roles")


def _sync_roles(sender, using: str = "default", **kwargs) -> None:
    from amparo.core.actions import sync_builtin_roles

    # On the connection that migrated (the owner's, when the app runs as another role).
    sync_builtin_roles(using=using)
