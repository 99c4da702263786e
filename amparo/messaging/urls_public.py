"""Public messaging pages (no sign-in): the opt-out link of campaign e-mails."""

from django.urls import path

from amparo.messaging import public_views

urlpatterns = [
    path("messaging/optout/<str:token>/", public_views.optout, name="messaging-optout"),
]
