import datetime
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amparo.core import access, actions, audit, queries
from amparo.core.forms import AuditFilterForm, LanguageForm, OfficeFilterForm
from amparo.core.http import AuthenticatedRequest


@login_required
def office_list(request: AuthenticatedRequest) -> HttpResponse:
    access.require(request.user, "core.view_offices")
    offices = queries.offices_visible_to(request.user)
    return render(request, "core/office_list.html", {"offices": offices})


@login_required
def office_detail(request: AuthenticatedRequest, office_id: UUID) -> HttpResponse:
    access.require(request.user, "core.view_offices")
    office = queries.get_office_for(request.user, office_id)
    members = queries.users_visible_to(request.user).filter(office=office)
    return render(request, "core/office_detail.html", {"office": office, "members": members})


@login_required
def team(request: AuthenticatedRequest) -> HttpResponse:
    access.require(request.user, "core.view_team")
    offices = queries.offices_visible_to(request.user)
    form = OfficeFilterForm(request.GET or None, offices=offices)
    users = queries.users_visible_to(request.user)
    if form.is_valid() and form.cleaned_data["office"]:
        users = users.filter(office=form.cleaned_data["office"])
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "core/team.html", {"form": form, "page": page})


@login_required
def user_detail(request: AuthenticatedRequest, user_id: UUID) -> HttpResponse:
    access.require(request.user, "core.view_team")
    person = queries.get_user_for(request.user, user_id)
    audit.record_view(request=request, target=person)
    return render(request, "core/user_detail.html", {"person": person})


@login_required
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    access.require_any(request.user, queries.AUDIT_READERS)
    events = queries.audit_events_visible_to(request.user)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["actor"]:
            events = events.filter(actor_username__iexact=data["actor"])
        if data["target"]:
            events = events.filter(target_id=data["target"])
        if data["since"]:
            events = events.filter(at__gte=_start_of(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=_start_of(data["until"] + datetime.timedelta(days=1)))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"form": form, "page": page})


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            actions.set_language(actor=request.user, language=language, request=request)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
