"""Admin screens for the service directory and care routes (`referrals.manage_directory`).

Scoped to the administrator's organization like the rest of the admin. Every save goes through
the directory's actions (`referrals/actions/directory.py`: they check the permission and the
scope, and write the audit events).
Areas are typed as codes (EC-P; EC-U): there are thousands, and the area admin is for
administrators only, so a select or a lookup pop-up would not serve a case supervisor.

Django admin validates the forms first and then calls save_model / save_related, where a
refusal could no longer be shown. So the forms' clean() runs the actions' own `check_*` rules
and puts their messages next to the fields; the actions check again when they write (the admin
runs in one transaction, so a refusal there, after a concurrent change, writes nothing).

A coordination network's shared rows are listed here for its focal points (whatever their
organization), not for other members; platform superusers keep the networks themselves.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from amparo.core import access
from amparo.core.errors import ALL, ActionError
from amparo.core.forms import show_errors
from amparo.core.models import Area, Organization
from amparo.core.scoped_admin import ScopedAdmin
from amparo.referrals import actions, imports, queries
from amparo.referrals.actions import MAX_POSITION, RouteStep
from amparo.referrals.models import (
    CareRoute,
    CareRouteStep,
    CoordinationNetwork,
    Provider,
    Service,
)

PERMISSION = actions.PERMISSION


# --- fields -----------------------------------------------------------------------------------


class AreaCodesField(forms.Field):
    """Several areas typed as ISO 3166-2 codes or P-codes: `EC-P; EC-U`."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _(
                "Codes of the provinces or other areas it serves, separated by “;” (for example "
                "EC-P; EC-U). Leave empty if it serves everywhere."
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value or ""
        return "; ".join(sorted(a.code if isinstance(a, Area) else str(a) for a in value))

    def to_python(self, value) -> list[str]:
        return imports.split_codes(value if isinstance(value, str) else self.prepare_value(value))

    def clean(self, value) -> list[Area]:
        codes = self.to_python(value)
        self.validate(codes)
        found = queries.areas_by_code(codes)
        unknown = [c for c in codes if c.upper() not in found]
        if unknown:
            raise forms.ValidationError(
                ngettext(
                    "No area has the code %(codes)s. Use ISO 3166-2 codes or P-codes (EC-P).",
                    "No area has the codes %(codes)s. Use ISO 3166-2 codes or P-codes (EC-P).",
                    len(unknown),
                )
                % {"codes": ", ".join(unknown)}
            )
        return [found[c.upper()] for c in codes]

    def has_changed(self, initial, data) -> bool:
        before = {c.upper() for c in self.to_python(initial)}
        return before != {c.upper() for c in self.to_python(data)}


class AreaCodeField(forms.ModelChoiceField):
    """One area typed as its code."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Area.objects.all(),
            to_field_name="code",
            widget=forms.TextInput,
            error_messages={
                "invalid_choice": _(
                    "No area has this code. Use an ISO 3166-2 code or a P-code (for example EC-U)."
                )
            },
            help_text=_("Code of the province or other area (for example EC-U for Sucumbíos)."),
            **kwargs,
        )

    def prepare_value(self, value):
        if isinstance(value, int):  # a bound model form's initial value is the area's id
            return Area.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        return super().prepare_value(value)

    def to_python(self, value):
        return super().to_python(value.strip().upper() if isinstance(value, str) else value)


class LanguageCodesField(forms.Field):
    """Languages typed as ISO 639-1 codes: `es; en`."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("Languages it is given in, as two-letter codes separated by “;” (es; en; fr)."),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value is None or isinstance(value, str):
            return value or ""
        return "; ".join(value)

    def to_python(self, value) -> list[str]:
        text = value if isinstance(value, str) else self.prepare_value(value)
        return [c.lower() for c in imports.split_codes(text)]

    def clean(self, value) -> list[str]:
        codes = self.to_python(value)
        self.validate(codes)
        unknown = imports.unknown_languages(codes)
        if unknown:
            raise forms.ValidationError(
                _("Unknown language codes: %(codes)s. Use two-letter ISO 639-1 codes (es, en).")
                % {"codes": ", ".join(unknown)}
            )
        return codes

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial) != self.to_python(data)


# --- permissions shared by every screen here ----------------------------------------------------


class DirectoryAdmin(ScopedAdmin):
    permission = PERMISSION
    editable = staticmethod(queries.providers_editable_by)

    def get_queryset(self, request):
        # The rows the actions let this user change: their organization's own, and those of
        # the networks they keep as focal point.
        qs = self.editable(request.user)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [f for f in fields if f != "organization"]

    def get_readonly_fields(self, request, obj=None):
        # A row stays in the directory it was added to.
        return ["network"] if obj is not None and "network" in self.form.base_fields else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "network":
            kwargs["queryset"] = _kept_networks(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _kept_networks(user):
    if user.is_superuser:
        return CoordinationNetwork.objects.filter(is_active=True)
    return queries.networks_kept_by(user)


class DirectoryInline:
    """Inlines do not inherit ScopedAdmin: the same role permission decides."""

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can(request.user, PERMISSION)

    def has_add_permission(self, request, obj=None) -> bool:
        return access.can(request.user, PERMISSION)

    def has_change_permission(self, request, obj=None) -> bool:
        return access.can(request.user, PERMISSION)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # services are deactivated: referrals keep pointing at them


def _organization_of(form: forms.ModelForm) -> Organization | None:
    """The directory a form's row belongs to: chosen (superusers) or the admin's own."""
    chosen = form.cleaned_data.get("organization")
    if chosen is not None:
        return chosen
    return form.instance.organization if form.instance.organization_id else None


def _network_of(form: forms.ModelForm) -> CoordinationNetwork | None:
    """The network whose shared directory a form's row is in (None: an organization's own)."""
    chosen = form.cleaned_data.get("network")
    if chosen is not None:
        return chosen
    return form.instance.network if form.instance.network_id else None


def _stored(form: forms.ModelForm) -> Model | None:
    """The row a form changes; None when it adds one."""
    return form.instance if form.instance.pk else None


@contextmanager
def _refusal_shown(form: forms.ModelForm) -> Iterator[None]:
    """Run a directory rule in clean(): a message about one field goes next to it; one about
    the whole row is raised, as clean() does, so that ScopedAdmin's constraint check after it
    does not say the same again."""
    try:
        yield
    except ActionError as exc:
        errors = dict(exc.errors)
        general = errors.pop(ALL, [])
        show_errors(form, errors)
        if general:
            raise forms.ValidationError(general) from exc


def _adopt(obj: Model, saved: Model) -> None:
    """Django admin goes on with its own instance (the inline formsets, the history and the
    redirect use it): make it the row the action saved."""
    obj.pk = saved.pk
    obj.refresh_from_db()


# --- providers and services ---------------------------------------------------------------------


class ProviderForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = [
            "organization",
            "network",
            "name",
            "kind",
            "agency",
            "office",
            "contact_name",
            "phone",
            "email",
            "address",
            "country",
            "is_active",
        ]
        help_texts = {
            "country": _(
                "Only for a provider in another country than your offices (across the border): "
                "referrals to it then need the person's consent to share abroad."
            ),
            "agency": _(
                "The Care Route partner whose focal points receive the referrals in Amparo. "
                "Leave it empty for agencies without accounts (they get a printed form). Units "
                "of your organization receive them in your organization."
            ),
            "office": _("Only for units of your organization: the office whose staff answer."),
        }
        error_messages = {
            "agency": {
                "invalid_choice": _(
                    "Choose a Care Route partner or your own organization: only they receive "
                    "referrals in Amparo."
                )
            },
            "office": {"invalid_choice": _("Choose one of your organization's offices.")},
        }

    def clean(self):
        data = super().clean()
        organization = _organization_of(self)
        if organization is not None and "name" in data and "kind" in data:
            with _refusal_shown(self):
                actions.check_provider(
                    organization=organization,
                    name=data["name"],
                    kind=data["kind"],
                    agency=data.get("agency"),
                    office=data.get("office"),
                    provider=_stored(self),
                    network=_network_of(self),
                )
        return data


class ServiceForm(forms.ModelForm):
    areas = AreaCodesField(label=_("areas"), required=False)
    languages = LanguageCodesField(label=_("languages"), required=False)

    class Meta:
        model = Service
        fields = [
            "provider",
            "type",
            "name",
            "areas",
            "hours",
            "eligibility",
            "languages",
            "is_active",
        ]
        error_messages = {
            "provider": {"invalid_choice": _("Choose a provider of your organization's directory.")}
        }

    def clean(self):
        data = super().clean()
        provider, name = data.get("provider") or self._parent(), data.get("name")
        if provider is not None and provider.pk and name:  # a new provider has no services yet
            with _refusal_shown(self):
                actions.check_service(provider=provider, name=name, service=_stored(self))
        return data

    def _parent(self) -> Provider | None:
        return self.instance.provider if self.instance.provider_id else None


def _save_service(request, form: ServiceForm, provider: Provider) -> None:
    data = form.cleaned_data
    saved = actions.save_service(
        actor=request.user,
        service=_stored(form),
        provider=provider,
        type=data["type"],
        name=data["name"],
        areas=data["areas"],
        hours=data["hours"],
        eligibility=data["eligibility"],
        languages=data["languages"],
        is_active=data["is_active"],
        request=request,
    )
    _adopt(form.instance, saved)


class ServiceInline(DirectoryInline, admin.StackedInline):
    model = Service
    form = ServiceForm
    extra = 1  # one empty service form: adding works without the admin's JavaScript too
    fields = ["type", "name", "areas", "hours", "eligibility", "languages", "is_active"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("areas")


@admin.register(Provider)
class ProviderAdmin(DirectoryAdmin):
    form = ProviderForm
    inlines = [ServiceInline]
    list_display = ["name", "kind", "agency", "office", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["agency", "office"]
    search_fields = ["name", "services__name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if db_field.name == "agency":
            if user.is_superuser or user.organization is None:
                kwargs["queryset"] = Organization.objects.all()
            else:  # a network's members receive its referrals too
                members = Organization.objects.filter(
                    coordination_networks__in=_kept_networks(user)
                )
                kwargs["queryset"] = (queries.agencies_for(user.organization) | members).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = actions.save_provider(
            actor=request.user,
            provider=obj if change else None,
            organization=data.get("organization"),  # superusers choose; others: their own
            name=data["name"],
            kind=data["kind"],
            agency=data["agency"],
            office=data["office"],
            contact_name=data["contact_name"],
            phone=data["phone"],
            email=data["email"],
            address=data["address"],
            is_active=data["is_active"],
            network=None if change else data.get("network"),
            country=data.get("country"),
            request=request,
        )
        _adopt(obj, saved)

    def save_formset(self, request, form, formset, change):
        # commit=False writes nothing: it sorts the rows into new and changed for the admin's
        # history. Each changed row is then one action (services are never deleted here).
        formset.save(commit=False)
        for service_form in formset.forms:
            if service_form.has_changed():
                _save_service(request, service_form, provider=form.instance)


@admin.register(Service)
class ServiceAdmin(DirectoryAdmin):
    organization_field = "provider__organization"
    editable = staticmethod(queries.services_editable_by)
    form = ServiceForm
    list_display = ["name", "provider", "type", "area_codes", "is_active"]
    list_filter = ["type", "is_active", ("provider", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "provider__name"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider").prefetch_related("areas")

    @admin.display(description=_("areas"))
    def area_codes(self, service: Service) -> str:
        return "; ".join(a.code for a in service.areas.all()) or "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "provider":
            kwargs["queryset"] = queries.providers_editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        _save_service(request, form, provider=form.cleaned_data["provider"])

    def save_related(self, request, form, formsets, change):
        pass  # save_service set the areas (the only relation); there are no inlines


# --- care routes --------------------------------------------------------------------------------


class CareRouteForm(forms.ModelForm):
    area = AreaCodeField(label=_("area"))

    class Meta:
        model = CareRoute
        fields = ["organization", "network", "area", "need", "name"]

    def clean(self):
        data = super().clean()
        organization, area, need = _organization_of(self), data.get("area"), data.get("need")
        if organization is not None and area is not None and need:
            with _refusal_shown(self):
                actions.check_care_route(
                    organization=organization,
                    area=area,
                    need=need,
                    route=_stored(self),
                    network=_network_of(self),
                )
        return data


class CareRouteStepForm(forms.ModelForm):
    position = forms.IntegerField(label=_("order"), min_value=1, max_value=MAX_POSITION)

    class Meta:
        model = CareRouteStep
        fields = ["position", "service", "note"]
        error_messages = {
            "service": {"invalid_choice": _("Choose a service of your organization's directory.")}
        }

    def _get_validation_exclusions(self):
        # The formset checks that positions are unique among the route's steps as submitted;
        # checking each row against the stored ones would forbid swapping two steps.
        return {*super()._get_validation_exclusions(), "position"}


class CareRouteStepFormSet(forms.BaseInlineFormSet):
    def route_steps(self) -> list[tuple[forms.Form, RouteStep]]:
        """The steps as submitted (valid, filled rows not marked for deletion), with their forms."""
        rows = []
        for form in self.forms:
            if not form.is_valid() or (form.instance.pk is None and not form.has_changed()):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            data = form.cleaned_data
            rows.append((form, RouteStep(data["position"], data["service"], data["note"])))
        return rows

    def clean(self):
        super().clean()
        route = self.instance
        if not route.organization_id:  # the route form asks for the directory first
            return
        rows = self.route_steps()
        try:
            actions.check_care_route_steps(
                organization=route.organization,
                steps=[step for _form, step in rows],
                network=route.network if route.network_id else None,
            )
        except ActionError as exc:
            for path, messages in exc.errors.items():
                _steps, index, field = path.split(".")  # steps.<index>.<field>
                for message in messages:
                    rows[int(index)][0].add_error(field, message)


class CareRouteStepInline(DirectoryInline, admin.TabularInline):
    model = CareRouteStep
    form = CareRouteStepForm
    formset = CareRouteStepFormSet
    extra = 3
    fields = ["position", "service", "note"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Steps are only the route's order; nothing else points at them.
        return access.can(request.user, PERMISSION)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service", "service__provider")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "service":
            kwargs["queryset"] = queries.services_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CareRoute)
class CareRouteAdmin(DirectoryAdmin):
    editable = staticmethod(queries.care_routes_editable_by)
    form = CareRouteForm
    inlines = [CareRouteStepInline]
    list_display = ["name", "area", "need"]
    list_filter = ["need", ("area", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["area"]
    search_fields = ["name", "area__name", "area__code"]

    def save_model(self, request, obj, form, change):
        pass  # saved with its steps in save_related: one action for the route and its order

    def save_related(self, request, form, formsets, change):
        steps = None  # without the steps inline (no permission for it) they stay as they are
        if formsets:
            [formset] = formsets
            # commit=False writes nothing: it sorts the rows into new, changed and deleted for
            # the admin's history.
            formset.save(commit=False)
            steps = [step for _form, step in formset.route_steps()]
        data = form.cleaned_data
        saved = actions.save_care_route(
            actor=request.user,
            route=form.instance if change else None,
            organization=data.get("organization"),  # superusers choose; others: their own
            area=data["area"],
            need=data["need"],
            name=data["name"],
            steps=steps,
            network=None if change else data.get("network"),
            request=request,
        )
        _adopt(form.instance, saved)


# --- coordination networks (platform superusers) -----------------------------------------------


class CoordinationNetworkForm(forms.ModelForm):
    area = AreaCodeField(label=_("area"))

    class Meta:
        model = CoordinationNetwork
        fields = ["name", "area", "convener", "members", "focal_points", "is_active"]
        help_texts = {
            "members": _("Each member organization reads and refers to the shared directory."),
            "focal_points": _(
                "Users of member organizations who may keep a directory: only they change the "
                "network's providers, services and care routes."
            ),
        }

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("convener") is not None:
            with _refusal_shown(self):
                actions.check_network(
                    name=data["name"],
                    convener=data["convener"],
                    members=list(data.get("members") or []),
                    focal_points=list(data.get("focal_points") or []),
                    network=_stored(self),
                )
        return data


@admin.register(CoordinationNetwork)
class CoordinationNetworkAdmin(admin.ModelAdmin):
    """Only platform superusers create networks and name their members and focal points."""

    form = CoordinationNetworkForm
    list_display = ["name", "area", "convener", "is_active"]
    list_select_related = ["area", "convener"]
    filter_horizontal = ["members", "focal_points"]
    search_fields = ["name"]

    def _superuser(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request) -> bool:
        return self._superuser(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: its directory rows point at it

    def save_model(self, request, obj, form, change):
        pass  # saved with its members in save_related, by one action

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        saved = actions.save_network(
            actor=request.user,
            network=form.instance if change else None,
            name=data["name"],
            area=data["area"],
            convener=data["convener"],
            members=list(data["members"]),
            focal_points=list(data["focal_points"]),
            is_active=data["is_active"],
            request=request,
        )
        _adopt(form.instance, saved)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "focal_points":
            kwargs["queryset"] = queries.directory_keepers()
        return super().formfield_for_manytomany(db_field, request, **kwargs)
