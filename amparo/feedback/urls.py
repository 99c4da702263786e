"""The staff's feedback inbox, mounted at /feedback/inbox/ (the public page has its own)."""

from django.urls import path

from amparo.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.record, name="new"),
    path("new/recorded/", views.recorded, name="recorded"),
    path("<uuid:entry_id>/", views.entry_detail, name="detail"),
    path("<uuid:entry_id>/change/", views.entry_change, name="change"),
    path("<uuid:entry_id>/assign/", views.entry_assign, name="assign"),
    path("<uuid:entry_id>/note/", views.entry_note, name="note"),
    path("<uuid:entry_id>/reply/", views.entry_reply, name="reply"),
    path("<uuid:entry_id>/close/", views.entry_close, name="close"),
]
