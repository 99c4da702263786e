from django.urls import path

from amparo.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("open/", views.open_case, name="open"),
    path("walk-in/", views.open_walk_in, name="walk-in"),
    path("gbv-statistics/", views.gbv_statistics, name="gbv-statistics"),
    path("incident-recorder/", views.incident_recorder, name="incident-recorder"),
    path("gbv-releases/", views.releases, name="releases"),
    path("gbv-releases/<uuid:release_id>/", views.release, name="release"),
    path(
        "gbv-releases/<uuid:release_id>/<str:decision>/",
        views.release_decision,
        name="release-decision",
    ),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/edit/", views.edit_case, name="edit"),
    path("<uuid:case_id>/survivor/", views.edit_survivor, name="survivor"),
    path("<uuid:case_id>/survivor/register/", views.register_survivor, name="survivor-register"),
    path("<uuid:case_id>/advance/", views.advance, name="advance"),
    path("<uuid:case_id>/plan/", views.edit_plan, name="plan"),
    path("<uuid:case_id>/plan/actions/", views.add_plan_action, name="plan-action"),
    path(
        "<uuid:case_id>/plan/actions/<int:action_id>/done/",
        views.complete_plan_action,
        name="plan-action-done",
    ),
    path("<uuid:case_id>/follow-ups/", views.add_follow_up, name="follow-up"),
    path("<uuid:case_id>/notes/", views.add_note, name="note"),
    path("<uuid:case_id>/closure/", views.request_closure, name="closure"),
    path("<uuid:case_id>/approvals/<int:approval_id>/", views.decide, name="decide"),
    path("<uuid:case_id>/reopen/", views.reopen, name="reopen"),
    path("<uuid:case_id>/transfer/", views.transfer, name="transfer"),
    path("<uuid:case_id>/members/", views.add_member, name="member-add"),
    path(
        "<uuid:case_id>/members/<uuid:user_id>/remove/",
        views.remove_member,
        name="member-remove",
    ),
    path("<uuid:case_id>/consent/", views.child_consent, name="child-consent"),
    path("<uuid:case_id>/best-interests/", views.best_interests, name="best-interests"),
    path(
        "<uuid:case_id>/adolescent-unable/",
        views.adolescent_unable,
        name="adolescent-unable",
    ),
    path("<uuid:case_id>/consent/withdraw/", views.withdraw_consent, name="consent-withdraw"),
    path(
        "<uuid:case_id>/consent/withdrawals/<uuid:withdrawal_id>/renew/",
        views.renew_consent,
        name="consent-renew",
    ),
    path("<uuid:case_id>/services/", views.service_decision, name="service-decision"),
    path(
        "<uuid:case_id>/mandatory-reporting/",
        views.mandatory_reporting,
        name="mandatory-reporting",
    ),
    path("<uuid:case_id>/safe-contact/", views.safe_contact, name="safe-contact"),
    path("<uuid:case_id>/safety-plan/", views.safety_plan, name="safety-plan"),
    path("<uuid:case_id>/incidents/", views.incident, name="incident-new"),
    path("<uuid:case_id>/incidents/<uuid:incident_id>/", views.incident, name="incident"),
]
