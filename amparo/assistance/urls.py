from django.urls import path

from amparo.assistance import monitoring_views, views

app_name = "assistance"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("cycles/<uuid:cycle_id>/", views.distribution, name="distribution"),
    path("entitlements/<uuid:entitlement_id>/deliver/", views.deliver, name="deliver"),
    path("reconciliation/", monitoring_views.reconciliation_list, name="reconciliations"),
    path(
        "cycles/<uuid:cycle_id>/reconciliation/",
        monitoring_views.reconciliation,
        name="reconciliation",
    ),
    path("cycles/<uuid:cycle_id>/close/", monitoring_views.close_cycle, name="close"),
    path("cycles/<uuid:cycle_id>/monitoring/", monitoring_views.monitoring, name="monitoring"),
    path(
        "deliveries/<uuid:delivery_id>/reverse/",
        monitoring_views.reverse_delivery,
        name="reverse",
    ),
    path(
        "entitlements/<uuid:entitlement_id>/cancel/",
        monitoring_views.cancel_entitlement,
        name="cancel",
    ),
    path("surveys/<uuid:survey_id>/", monitoring_views.survey, name="survey"),
]
