from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from amparo.activities import api as activities_api
from amparo.assistance import api as assistance_api
from amparo.cases import api as cases_api
from amparo.core import api as core_api
from amparo.core.views import healthz
from amparo.feedback import api as feedback_api
from amparo.feedback import public_api as feedback_public_api
from amparo.messaging import api as messaging_api
from amparo.referrals import api as referrals_api
from amparo.referrals import directory_api
from amparo.referrals.intake_views import public_intake
from amparo.registry import api as registry_api
from amparo.reports import api as reports_api

router = DefaultRouter()
router.register("organizations", core_api.OrganizationViewSet, basename="organization")
router.register("offices", core_api.OfficeViewSet, basename="office")
router.register("users", core_api.UserViewSet, basename="user")
router.register("areas", core_api.AreaViewSet, basename="area")
router.register("audit-events", core_api.AuditEventViewSet, basename="audit-event")
router.register("auth/tokens", core_api.ApiTokenViewSet, basename="api-token-mine")
router.register("households", registry_api.HouseholdViewSet, basename="household")
router.register("individuals", registry_api.IndividualViewSet, basename="individual")
cases_api.register(router)
referrals_api.register(router)
directory_api.register(router)
activities_api.register(router)
assistance_api.register(router)
feedback_api.register(router)
messaging_api.register(router)
router.register("public/feedback", feedback_public_api.PublicFeedbackViewSet, "public-feedback")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", core_api.TokenView.as_view(), name="api-token"),
    path("api/v1/me/", core_api.MeView.as_view(), name="api-me"),
    path(
        "api/v1/reports/people-reached/",
        reports_api.PeopleReachedView.as_view(),
        name="api-people-reached",
    ),
    path("api/v1/reports/5w/", reports_api.FiveWView.as_view(), name="api-5w"),
    path(
        "api/v1/reports/prepared/<uuid:job_id>/",
        reports_api.PreparedView.as_view(),
        name="api-reports-prepared",
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles; only its page relaxes style-src (scripts stay 'self').
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("registry/", include("amparo.registry.urls")),
    path("duplicates/", include("amparo.dedup.urls")),
    path("cases/", include("amparo.cases.urls")),
    path("referrals/", include("amparo.referrals.urls")),
    # A care post's one-time link (no account; the secret is in the path).
    path("intake/<str:token>/", public_intake, name="intake"),
    path("activities/", include("amparo.activities.urls")),
    path("assistance/", include("amparo.assistance.urls")),
    path("feedback/inbox/", include("amparo.feedback.urls")),
    path("feedback/figures/", include("amparo.feedback.figures_urls")),
    path("feedback/", include("amparo.feedback.public_urls")),
    path("", include("amparo.messaging.urls_public")),
    path("messaging/", include("amparo.messaging.urls_campaigns")),
    path("reports/", include("amparo.reports.urls")),
    path("messaging/person/", include("amparo.messaging.urls_person")),
    path("api/v1/messaging/hooks/", include("amparo.messaging.hooks_api")),
    path("", include("amparo.home.urls")),
    path("", include("amparo.core.urls")),
]
