from django.urls import include, path

from amparo.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("directory/", include("amparo.referrals.directory_urls")),
]
