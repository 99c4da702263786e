"""Stock screens for holders of `assistance.manage`, for a phone: warehouses and their balances,
a warehouse's ledger, recording a receipt, transfer, loss or count, kit types and their
contents. Thin: parse → access → query or act → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from amparo.assistance import actions, queries_stock
from amparo.assistance.stock_forms import (
    MOVEMENT_TITLES,
    KitTypeForm,
    MovementForm,
    WarehouseForm,
)
from amparo.core import access
from amparo.core import queries as core_queries
from amparo.core.forms import errors_on

MANAGE = queries_stock.MANAGE


@login_required
def warehouse_list(request: HttpRequest) -> HttpResponse:
    """Every warehouse the user manages with its balances; a form to add one."""
    access.require(request.user, MANAGE)
    offices = core_queries.offices_in_scope(request.user).order_by("name")
    form = WarehouseForm(request.POST or None, offices=offices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with errors_on(form):
                warehouse = actions.create_warehouse(
                    actor=request.user,
                    office=form.cleaned_data["office"],
                    name=form.cleaned_data["name"],
                    request=request,
                )
                messages.success(request, _("Warehouse created."))
                return redirect("assistance:warehouse", warehouse.uuid)
        status = 400
    return render(
        request,
        "assistance/stock/warehouses.html",
        {"warehouses": queries_stock.warehouses_visible_to(request.user), "form": form},
        status=status,
    )


@login_required
def warehouse_detail(request: HttpRequest, warehouse_id) -> HttpResponse:
    """A warehouse: its balances, the cycles it supplied, and its ledger (25 lines a page)."""
    warehouse = queries_stock.get_warehouse_for(request.user, warehouse_id)
    ledger = queries_stock.ledger_of(request.user, warehouse)
    return render(
        request,
        "assistance/stock/warehouse.html",
        {
            "warehouse": warehouse,
            "page": Paginator(ledger, 25).get_page(request.GET.get("page")),
            "cycles": queries_stock.cycles_supplied_by(request.user, warehouse),
            "kinds": MOVEMENT_TITLES.items(),
        },
    )


@login_required
def record_movement(request: HttpRequest, warehouse_id, kind: str) -> HttpResponse:
    """Record a receipt, transfer, loss or count at a warehouse. Nothing is written unless the
    whole movement is accepted."""
    if kind not in MOVEMENT_TITLES:
        raise Http404
    user = request.user
    warehouse = queries_stock.get_warehouse_for(user, warehouse_id)
    form = MovementForm(
        request.POST or None,
        kind=kind,
        kit_types=queries_stock.kit_types_visible_to(user),
        destinations=queries_stock.transfer_destinations_for(user).exclude(pk=warehouse.pk),
    )
    context = {"warehouse": warehouse, "form": form, "title": MOVEMENT_TITLES[kind]}
    if request.method != "POST":
        return render(request, "assistance/stock/movement.html", context)
    if form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": user,
            "warehouse": warehouse,
            "kit_type": data["kit_type"],
            "request": request,
        }
        with errors_on(form):
            if kind == "receipt":
                actions.receive_stock(
                    **common, quantity=data["quantity"], reference=data["reference"]
                )
            elif kind == "transfer":
                actions.transfer_stock(
                    **common,
                    to_warehouse=data["to_warehouse"],
                    quantity=data["quantity"],
                    reference=data["reference"],
                )
            elif kind == "loss":
                actions.record_loss(
                    **common,
                    quantity=data["quantity"],
                    reason=data["reason"],
                    reference=data["reference"],
                )
            else:
                actions.adjust_stock(**common, counted=data["quantity"], reason=data["reason"])
            messages.success(request, _("Stock movement recorded."))
            return redirect("assistance:warehouse", warehouse.uuid)
    return render(request, "assistance/stock/movement.html", context, status=400)


@login_required
def kit_type_list(request: HttpRequest) -> HttpResponse:
    """The organization's kit types with their contents."""
    access.require(request.user, MANAGE)
    return render(
        request,
        "assistance/stock/kit_types.html",
        {"kit_types": queries_stock.kit_types_visible_to(request.user)},
    )


@login_required
def kit_type_detail(request: HttpRequest, kit_type_id) -> HttpResponse:
    kit_type = queries_stock.get_kit_type_for(request.user, kit_type_id)
    return render(request, "assistance/stock/kit_type.html", {"kit_type": kit_type})


@login_required
def new_kit_type(request: HttpRequest) -> HttpResponse:
    """A kit type and its contents, up to `ITEM_LINES` lines."""
    access.require(request.user, MANAGE)
    form = KitTypeForm(request.POST or None)
    if request.method != "POST":
        return render(request, "assistance/stock/kit_type_new.html", {"form": form})
    if form.is_valid():
        with errors_on(form):
            kit_type = actions.create_kit_type(
                actor=request.user,
                name=form.cleaned_data["name"],
                assistance_type=form.cleaned_data["assistance_type"],
                items=[(item, quantity, unit) for _n, item, quantity, unit in form.lines()],
                request=request,
            )
            messages.success(request, _("Kit type created."))
            return redirect("assistance:kit-type", kit_type.uuid)
    return render(request, "assistance/stock/kit_type_new.html", {"form": form}, status=400)
