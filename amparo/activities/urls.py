from django.urls import path

from amparo.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.new_activity, name="new"),
    path("<uuid:activity_id>/", views.activity_detail, name="detail"),
]
