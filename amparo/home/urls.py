from django.urls import path

from amparo.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
