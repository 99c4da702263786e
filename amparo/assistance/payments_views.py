"""Screens of cash through a provider, for `assistance.manage`: payment list formats, and a
cash cycle's payments (generate a list, download it, import the reconciliation file, see the
counts and the payments that failed). Thin: parse → access → query or act → render."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.assistance import actions, queries, queries_payments, tasks
from amparo.assistance.models import CASH_TYPES, Payment
from amparo.assistance.payments_forms import GenerateForm, PaymentFormatForm, ReconciliationForm
from amparo.core import access, audit, jobs, tabular
from amparo.core.forms import errors_on

MANAGE = "assistance.manage"


@login_required
def format_list(request: HttpRequest) -> HttpResponse:
    """The organization's payment list formats."""
    access.require(request.user, MANAGE)
    formats = queries_payments.payment_formats_visible_to(request.user)
    return render(request, "assistance/payment_formats.html", {"formats": formats})


@login_required
def format_edit(request: HttpRequest, format_id: UUID | None = None) -> HttpResponse:
    """Create a format (no id) or change one."""
    user = request.user
    access.require(user, MANAGE)
    fmt = None if format_id is None else queries_payments.get_payment_format_for(user, format_id)
    if fmt is not None:
        initial = PaymentFormatForm.initial_from(fmt)
    else:
        initial = {
            f"rec_{name}": header for name, header in actions.DEFAULT_RECONCILIATION.items()
        } | {
            f"status_{name}": ", ".join(words)
            for name, words in actions.DEFAULT_STATUS_VALUES.items()
        }
    form = PaymentFormatForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            if fmt is None:
                actions.create_payment_format(actor=user, request=request, **form.values())
                messages.success(request, _("Format created."))
            else:
                actions.update_payment_format(
                    actor=user, payment_format=fmt, request=request, **form.values()
                )
                messages.success(request, _("Format saved."))
            return redirect("assistance:payment-formats")
    return render(
        request,
        "assistance/payment_format_edit.html",
        {"form": form, "format": fmt},
        status=400 if form.errors else 200,
    )


def _cash_cycle(request: HttpRequest, cycle_id: UUID):
    access.require(request.user, MANAGE)
    cycle = queries.get_cycle_for(request.user, cycle_id)
    if cycle.assistance_type not in CASH_TYPES:
        raise Http404
    return cycle


@login_required
def cycle_payments(request: HttpRequest, cycle_id: UUID) -> HttpResponse:
    """A cash cycle's payment lists, counts by state and the payments that failed or were not
    claimed, with reasons (audited: it lists households)."""
    cycle = _cash_cycle(request, cycle_id)
    return _payments_page(request, cycle)


def _payments_page(request, cycle, *, generate=None, upload=None, status=200, job=None):
    user = request.user
    formats = list(queries_payments.payment_formats_visible_to(user))
    problems = (
        queries_payments.payments_visible_to(user)
        .filter(batch__cycle=cycle, state__in=[Payment.State.FAILED, Payment.State.UNCLAIMED])
        .order_by("reference")
    )
    audit.record(actor=user, action="assistance.payments.listed", target=cycle, request=request)
    outcome = (job.result or {}) if job is not None else {}
    return render(
        request,
        "assistance/payments.html",
        {
            "cycle": cycle,
            "formats": formats,
            "counts": queries_payments.payment_counts(user, cycle),
            "batches": queries_payments.payment_batches_visible_to(user).filter(cycle=cycle),
            "problems": Paginator(problems, 50).get_page(request.GET.get("page")),
            "generate_form": generate or GenerateForm(formats=formats),
            "upload_form": upload or ReconciliationForm(formats=formats),
            "job": job,
            "result": None if outcome.get("refused") else outcome or None,
            "errors": outcome.get("refused", [])[:200],
            "more_errors": max(0, len(outcome.get("refused", [])) - 200),
        },
        status=status,
    )


@login_required
@require_POST
def generate(request: HttpRequest, cycle_id: UUID) -> HttpResponse:
    """Generate a payment list of the cycle's pending entitlements."""
    cycle = _cash_cycle(request, cycle_id)
    user = request.user
    formats = list(queries_payments.payment_formats_visible_to(user))
    form = GenerateForm(request.POST, formats=formats)
    if form.is_valid():
        fmt = queries_payments.get_payment_format_for(user, form.cleaned_data["format"])
        with errors_on(form):
            batch = actions.generate_payment_list(
                actor=user, cycle=cycle, payment_format=fmt, request=request
            )
            messages.success(
                request,
                _("Payment list generated: %(n)d payments.") % {"n": batch.payments.count()},
            )
            return redirect("assistance:payments", cycle.uuid)
    return _payments_page(request, cycle, generate=form, status=400)


@login_required
def download(request: HttpRequest, batch_id: UUID) -> HttpResponse:
    """The payment list's file, in its format (personal data: audited, never cached)."""
    access.require(request.user, MANAGE)
    batch = queries_payments.get_payment_batch_for(request.user, batch_id)
    exported = actions.export_payment_list(actor=request.user, batch=batch, request=request)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def reconcile(request: HttpRequest, cycle_id: UUID) -> HttpResponse:
    """Upload the provider's reconciliation file; it is checked (and applied) by the worker."""
    cycle = _cash_cycle(request, cycle_id)
    user = request.user
    formats = list(queries_payments.payment_formats_visible_to(user))
    form = ReconciliationForm(request.POST, request.FILES, formats=formats)
    if form.is_valid():
        fmt = queries_payments.get_payment_format_for(user, form.cleaned_data["format"])
        upload = form.cleaned_data["file"]
        with errors_on(form):
            tabular.check_size(upload.size)
            data = upload.read()
            tabular.inspect(data, upload.name)  # a bomb is refused here, in milliseconds
            job = jobs.start(
                owner=user,
                handler=tasks.reconcile_payments_file,
                params={
                    "cycle": str(cycle.uuid),
                    "format": str(fmt.uuid),
                    "dry_run": form.cleaned_data["dry_run"],
                },
                data=data,
                filename=upload.name,
            )
            return redirect("assistance:payments-job", cycle.uuid, job.uuid)
    return _payments_page(request, cycle, upload=form, status=400)


@login_required
def reconcile_job(request: HttpRequest, cycle_id: UUID, job_id: UUID) -> HttpResponse:
    """The reconciliation's progress (refreshing itself), then the payments page with its
    result or every bad row; only the job's owner sees it."""
    cycle = _cash_cycle(request, cycle_id)
    job = jobs.get_job_for(request.user, job_id)
    if job.handler != jobs.path_of(tasks.reconcile_payments_file):
        raise Http404
    if job.params.get("cycle") != str(cycle.uuid):
        raise Http404
    if not job.is_over:
        return render(request, "assistance/payments_progress.html", {"job": job, "cycle": cycle})
    return _payments_page(request, cycle, job=job)
