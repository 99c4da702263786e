"""The role-based admin site. Loaded before the models (it is named in INSTALLED_APPS): the
base of every app's model admins is in `scoped_admin.py`."""

from functools import update_wrapper

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from amparo.core import access

# Organization-wide administration: never on an office-bound role.
ADMIN_PERMISSIONS = (
    "core.manage_users",
    "core.manage_offices",
    "core.manage_roles",
    "core.view_audit",
)
# Who may open the admin at all: administrators, and those who keep the Care Route directory
# (case supervisors, office-bound, see only the directory's screens there).
ADMIN_ENTRY_PERMISSIONS = (*ADMIN_PERMISSIONS, "referrals.manage_directory")


class AmparoAdminSite(AdminSite):
    """Administration for organization administrators: role-based, not `is_staff`-based."""

    site_header = _("Amparo administration")
    site_title = _("Amparo administration")
    index_title = _("Administration")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and any(access.can(user, p) for p in ADMIN_ENTRY_PERMISSIONS)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):
            # Signed in without administration rights: 404 at once, like every other page.
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            try:
                return inner(request, *args, **kwargs)
            except PermissionDenied as exc:  # a screen this role may not use: same 404
                raise Http404 from exc

        return update_wrapper(guarded, inner)

    def login(self, request, extra_context=None):
        # One login page for everybody (with lockout and audit): the application's.
        # A signed-in user without administration rights gets 404, not a redirect loop.
        if request.user.is_authenticated:
            raise Http404
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


class AmparoAdminConfig(AdminConfig):
    default_site = "amparo.core.admin_site.AmparoAdminSite"
