from django.urls import path

from amparo.assistance import programme_views, views

app_name = "assistance"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("cycles/<uuid:cycle_id>/", views.distribution, name="distribution"),
    path("entitlements/<uuid:entitlement_id>/deliver/", views.deliver, name="deliver"),
    path("projects/", programme_views.project_list, name="projects"),
    path("projects/new/", programme_views.project_new, name="project-new"),
    path("projects/<uuid:project_id>/", programme_views.project_detail, name="project"),
    path("projects/<uuid:project_id>/rules/new/", programme_views.rule_edit, name="rule-new"),
    path(
        "projects/<uuid:project_id>/rules/<uuid:rule_id>/",
        programme_views.rule_edit,
        name="rule",
    ),
    path(
        "projects/<uuid:project_id>/rules/<uuid:rule_id>/exceptions/",
        programme_views.rule_exception,
        name="rule-exception",
    ),
    path("projects/<uuid:project_id>/cycles/new/", programme_views.cycle_new, name="cycle-new"),
    path("cycles/<uuid:cycle_id>/facts/", programme_views.cycle_detail, name="cycle"),
]
