from django.urls import path

from amparo.messaging import person_views

app_name = "messaging_person"

urlpatterns = [
    path("<uuid:individual_id>/", person_views.messages_page, name="list"),
    path("<uuid:individual_id>/new/", person_views.new_message, name="new"),
]
