from django.urls import path

from amparo.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("register/", views.register, name="register"),
    path("households/<uuid:household_id>/", views.household_page, name="household"),
    path("individuals/<uuid:individual_id>/", views.individual_page, name="individual"),
]
