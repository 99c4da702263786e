from django.urls import path

from amparo.assistance import offline_views, views

app_name = "assistance"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("cycles/<uuid:cycle_id>/", views.distribution, name="distribution"),
    path("entitlements/<uuid:entitlement_id>/deliver/", views.deliver, name="deliver"),
    path("sw.js", offline_views.service_worker, name="service-worker"),
    path("offline/", offline_views.offline_shell, name="offline"),
    path("offline/session/", offline_views.offline_session, name="offline-session"),
]
