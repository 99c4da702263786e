from django.urls import path

from amparo.assistance import (
    card_views,
    monitoring_views,
    offline_views,
    payments_views,
    programme_views,
    stock_views,
    views,
)

app_name = "assistance"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("cycles/<uuid:cycle_id>/", views.distribution, name="distribution"),
    path("entitlements/<uuid:entitlement_id>/deliver/", views.deliver, name="deliver"),
    path("sw.js", offline_views.service_worker, name="service-worker"),
    path("offline/", offline_views.offline_shell, name="offline"),
    path("offline/session/", offline_views.offline_session, name="offline-session"),
    path("payment-formats/", payments_views.format_list, name="payment-formats"),
    path("payment-formats/new/", payments_views.format_edit, name="payment-format-new"),
    path(
        "payment-formats/<uuid:format_id>/",
        payments_views.format_edit,
        name="payment-format-edit",
    ),
    path("cycles/<uuid:cycle_id>/payments/", payments_views.cycle_payments, name="payments"),
    path(
        "cycles/<uuid:cycle_id>/payments/generate/",
        payments_views.generate,
        name="payments-generate",
    ),
    path(
        "cycles/<uuid:cycle_id>/payments/reconcile/",
        payments_views.reconcile,
        name="payments-reconcile",
    ),
    path(
        "cycles/<uuid:cycle_id>/payments/jobs/<uuid:job_id>/",
        payments_views.reconcile_job,
        name="payments-job",
    ),
    path(
        "payment-lists/<uuid:batch_id>/download/",
        payments_views.download,
        name="payment-list-download",
    ),
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
    path("projects/", programme_views.project_list, name="projects"),
    path("projects/new/", programme_views.project_new, name="project-new"),
    path("projects/<uuid:project_id>/", programme_views.project_detail, name="project"),
    path(
        "projects/<uuid:project_id>/indicators/",
        programme_views.indicator_add,
        name="project-indicator-add",
    ),
    path(
        "indicators/<uuid:indicator_id>/remove/",
        programme_views.indicator_remove,
        name="project-indicator-remove",
    ),
    path("projects/<uuid:project_id>/rules/new/", programme_views.rule_edit, name="rule-new"),
    path(
        "projects/<uuid:project_id>/rules/<uuid:rule_id>/",
        programme_views.rule_edit,
        name="rule",
    ),
    path(
        "projects/<uuid:project_id>/rules/<uuid:rule_id>/exceptions/",
        programme_views.rule_exception,
        name="rule-exception",
    ),
    path("projects/<uuid:project_id>/cycles/new/", programme_views.cycle_new, name="cycle-new"),
    path("cycles/<uuid:cycle_id>/facts/", programme_views.cycle_detail, name="cycle"),
    path("stock/", stock_views.warehouse_list, name="warehouses"),
    path("stock/<uuid:warehouse_id>/", stock_views.warehouse_detail, name="warehouse"),
    path(
        "stock/<uuid:warehouse_id>/<slug:kind>/",
        stock_views.record_movement,
        name="stock-movement",
    ),
    path("kits/", stock_views.kit_type_list, name="kit-types"),
    path("kits/new/", stock_views.new_kit_type, name="new-kit-type"),
    path("kits/<uuid:kit_type_id>/", stock_views.kit_type_detail, name="kit-type"),
    path("reconciliation/", monitoring_views.reconciliation_list, name="reconciliations"),
    path(
        "cycles/<uuid:cycle_id>/reconciliation/",
        monitoring_views.reconciliation,
        name="reconciliation",
    ),
    path("cycles/<uuid:cycle_id>/close/", monitoring_views.close_cycle, name="close"),
    path("cycles/<uuid:cycle_id>/monitoring/", monitoring_views.monitoring, name="monitoring"),
    path(
        "deliveries/<uuid:delivery_id>/reverse/",
        monitoring_views.reverse_delivery,
        name="reverse",
    ),
    path(
        "entitlements/<uuid:entitlement_id>/cancel/",
        monitoring_views.cancel_entitlement,
        name="cancel",
    ),
    path("surveys/<uuid:survey_id>/", monitoring_views.survey, name="survey"),
]
