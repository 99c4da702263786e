"""The staff's campaign screens, mounted at /messaging/."""

from django.urls import path

from amparo.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("new/", views.campaign_new, name="campaign-new"),
    path("<uuid:campaign_id>/", views.campaign_detail, name="campaign"),
    path("<uuid:campaign_id>/schedule/", views.campaign_schedule, name="campaign-schedule"),
    path("<uuid:campaign_id>/cancel/", views.campaign_cancel, name="campaign-cancel"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_new, name="template-new"),
    path("templates/<uuid:template_id>/", views.template_detail, name="template"),
    path("templates/<uuid:template_id>/copy/", views.template_copy, name="template-copy"),
]
