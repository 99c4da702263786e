from django.urls import path

from amparo.referrals import intake_views

urlpatterns = [
    path("", intake_views.inbox, name="intakes"),
    path("links/new/", intake_views.new_link, name="intake-link-new"),
    path("links/<uuid:link_id>/revoke/", intake_views.revoke_link, name="intake-link-revoke"),
    path("paper/", intake_views.paper, name="intake-paper"),
    path("print/", intake_views.print_form, name="intake-print"),
    path("<uuid:intake_id>/", intake_views.detail, name="intake"),
    path("<uuid:intake_id>/record/", intake_views.record, name="intake-record"),
]
