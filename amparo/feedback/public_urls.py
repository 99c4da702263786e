"""The public feedback page, open without sign-in (`/feedback/`). The staff's screens are in
`urls.py` (`/feedback/inbox/…`)."""

from django.urls import path

from amparo.feedback import public_views

app_name = "feedback-public"

urlpatterns = [
    path("", public_views.send, name="send"),
    path("status/", public_views.status, name="status"),
]
