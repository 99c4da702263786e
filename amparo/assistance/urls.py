from django.urls import path

from amparo.assistance import card_views, views

app_name = "assistance"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("cycles/<uuid:cycle_id>/", views.distribution, name="distribution"),
    path("entitlements/<uuid:entitlement_id>/deliver/", views.deliver, name="deliver"),
    path("cycles/<uuid:cycle_id>/cards/", card_views.cycle_cards, name="cycle-cards"),
    path(
        "cycles/<uuid:cycle_id>/cards/issue/",
        card_views.issue_cycle_cards,
        name="cycle-cards-issue",
    ),
    path(
        "cycles/<uuid:cycle_id>/cards/print/",
        card_views.print_cycle_cards,
        name="cycle-cards-print",
    ),
    path(
        "households/<uuid:household_id>/cards/",
        card_views.household_cards,
        name="household-cards",
    ),
    path(
        "households/<uuid:household_id>/cards/issue/",
        card_views.issue_card,
        name="household-cards-issue",
    ),
    path(
        "households/<uuid:household_id>/cards/revoke/",
        card_views.revoke_card,
        name="household-cards-revoke",
    ),
    path(
        "households/<uuid:household_id>/cards/print/",
        card_views.print_household_card,
        name="household-cards-print",
    ),
]
