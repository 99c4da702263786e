from django.urls import path

from amparo.core import twofactor_views, views

urlpatterns = [
    path("offices/", views.office_list, name="offices"),
    path("offices/<uuid:office_id>/", views.office_detail, name="office"),
    path("team/", views.team, name="team"),
    path("team/<uuid:user_id>/", views.user_detail, name="user"),
    path("audit/", views.audit_log, name="audit"),
    path("language/", views.set_language, name="set_language"),
    path("two-factor/", twofactor_views.verify, name="two_factor_verify"),
    path("two-factor/setup/", twofactor_views.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor_views.renew_codes, name="two_factor_codes"),
]
