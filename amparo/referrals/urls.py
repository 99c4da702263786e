from django.urls import include, path

from amparo.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.new_referral, name="new"),
    path("directory/", include("amparo.referrals.directory_urls")),
    path("intake/", include("amparo.referrals.intake_urls")),
    path("<uuid:referral_id>/", views.referral_detail, name="detail"),
    path("<uuid:referral_id>/answer/", views.answer, name="answer"),
    path("<uuid:referral_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:referral_id>/print/", views.print_form, name="print"),
    path("<uuid:referral_id>/onward/", views.refer_onward, name="onward"),
]
