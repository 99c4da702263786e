from django.urls import path

from amparo.assistance import stock_views, views

app_name = "assistance"
urlpatterns = [
    path("", views.cycle_list, name="cycles"),
    path("cycles/<uuid:cycle_id>/", views.distribution, name="distribution"),
    path("entitlements/<uuid:entitlement_id>/deliver/", views.deliver, name="deliver"),
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
]
