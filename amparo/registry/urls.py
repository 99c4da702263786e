from django.urls import path

from amparo.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("register/", views.register, name="register"),
    path("import/", import_views.upload, name="import"),
    path("import/<str:token>/", import_views.check, name="import-check"),
    path("import/jobs/<uuid:job_id>/", import_views.job_status, name="import-job"),
    path("households/<uuid:household_id>/", views.household_page, name="household"),
    path("households/<uuid:household_id>/edit/", views.edit_household, name="household-edit"),
    path("individuals/<uuid:individual_id>/", views.individual_page, name="individual"),
    path("individuals/<uuid:individual_id>/edit/", views.edit_individual, name="edit"),
    path("individuals/<uuid:individual_id>/move/", views.move_individual, name="move"),
    path("notices/<uuid:notice_id>/done/", views.close_need_notice, name="notice-done"),
]
