from django.urls import path

from amparo.feedback import figures_views

app_name = "feedback_figures"

urlpatterns = [
    path("", figures_views.monthly, name="monthly"),
]
