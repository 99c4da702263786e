"""Admin screens for the service directory and care routes (`referrals.manage_directory`).

Scoped to the administrator's organization like the rest of the admin; every save is audited.
Areas are typed as codes (EC-P; EC-U): there are thousands, and the area admin is for
administrators only, so a select or a lookup pop-up would not serve a case supervisor.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from amparo.cases.models import CaseType
from amparo.core import access, audit
from amparo.core.models import Area, Organization
from amparo.core.scoped_admin import ScopedAdmin
from amparo.referrals import imports, queries
from amparo.referrals.models import CareRoute, CareRouteStep, Provider, ProviderKind, Service

PERMISSION = "referrals.manage_directory"


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

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [f for f in fields if f != "organization"]


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


# --- providers and services ---------------------------------------------------------------------


class ProviderForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = [
            "organization",
            "name",
            "kind",
            "agency",
            "office",
            "contact_name",
            "phone",
            "email",
            "address",
            "is_active",
        ]
        help_texts = {
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
        kind, agency, office = data.get("kind"), data.get("agency"), data.get("office")
        internal = kind == ProviderKind.INTERNAL
        if organization is not None and agency is not None:
            if not queries.agencies_for(organization).filter(pk=agency.pk).exists():
                self.add_error("agency", self.fields["agency"].error_messages["invalid_choice"])
            elif internal and agency.pk != organization.pk:
                self.add_error(
                    "agency",
                    _(
                        "A unit of your organization receives its referrals in your organization: "
                        "choose it or leave the field empty."
                    ),
                )
        if internal and agency is None and organization is not None and "agency" in data:
            data["agency"] = organization
        if office is not None and kind and not internal:
            self.add_error(
                "office",
                _(
                    "Only a unit of your organization has an office: leave it empty, or set the "
                    "kind to “%(internal)s”."
                )
                % {"internal": ProviderKind.INTERNAL.label},
            )
        elif office is not None and organization and office.organization_id != organization.pk:
            self.add_error("office", self.fields["office"].error_messages["invalid_choice"])
        name = data.get("name")
        if organization is not None and name:
            taken = Provider.objects.filter(organization=organization, name__iexact=name.strip())
            if taken.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(
                    _("The directory already lists a provider called “%(name)s”.") % {"name": name}
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
        if provider is not None and provider.pk and name:
            taken = Service.objects.filter(provider=provider, name__iexact=name.strip())
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "name",
                    _("%(provider)s already has a service called “%(name)s”.")
                    % {"provider": provider.name, "name": name},
                )
        return data

    def _parent(self) -> Provider | None:
        return self.instance.provider if self.instance.provider_id else None


def _audit_services(request, formset) -> None:
    for service in formset.new_objects:
        audit.record(
            actor=request.user,
            action="referrals.service.created",
            target=service,
            organization_id=service.provider.organization_id,
            request=request,
        )
    for service, fields in formset.changed_objects:
        audit.record(
            actor=request.user,
            action="referrals.service.updated",
            target=service,
            fields=fields,
            organization_id=service.provider.organization_id,
            request=request,
        )


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
            else:
                kwargs["queryset"] = queries.agencies_for(user.organization)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_formset(self, request, form, formset, change):
        formset.save()
        _audit_services(request, formset)


@admin.register(Service)
class ServiceAdmin(DirectoryAdmin):
    organization_field = "provider__organization"
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
            kwargs["queryset"] = queries.providers_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        obj.save()
        audit.record(
            actor=request.user,
            action=f"referrals.service.{'updated' if change else 'created'}",
            target=obj,
            fields=form.changed_data,
            organization_id=obj.provider.organization_id,
            request=request,
        )


# --- care routes --------------------------------------------------------------------------------

MAX_POSITION = 999


class CareRouteForm(forms.ModelForm):
    area = AreaCodeField(label=_("area"))

    class Meta:
        model = CareRoute
        fields = ["organization", "area", "need", "name"]

    def clean(self):
        data = super().clean()
        organization, area, need = _organization_of(self), data.get("area"), data.get("need")
        if organization is not None and area is not None and need:
            taken = CareRoute.objects.filter(organization=organization, area=area, need=need)
            if taken.exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(
                    _(
                        "There is already a care route for %(need)s in %(area)s: change that one "
                        "instead."
                    )
                    % {"need": CaseType(need).label, "area": area.display_name}
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
    def clean(self):
        super().clean()
        route = self.instance
        organization_id = route.organization_id
        seen: dict[int, forms.Form] = {}
        for form in self.forms:
            if not form.is_valid() or (form.instance.pk is None and not form.has_changed()):
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            position, service = form.cleaned_data.get("position"), form.cleaned_data.get("service")
            if position in seen:
                form.add_error(
                    "position",
                    _("Another step already has number %(n)d: give each step its own number.")
                    % {"n": position},
                )
            seen[position] = form
            if (
                service is not None
                and organization_id
                and service.provider.organization_id != organization_id
            ):
                form.add_error("service", form.fields["service"].error_messages["invalid_choice"])


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
    form = CareRouteForm
    inlines = [CareRouteStepInline]
    list_display = ["name", "area", "need"]
    list_filter = ["need", ("area", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["area"]
    search_fields = ["name", "area__name", "area__code"]

    def save_formset(self, request, form, formset, change):
        steps = formset.save(commit=False)
        for step in formset.deleted_objects:
            step.delete()
        # Park the steps that move, so that swapping two positions never collides.
        moving = [s.pk for s in steps if s.pk is not None]
        for offset, pk in enumerate(moving, start=1):
            CareRouteStep.objects.filter(pk=pk).update(position=MAX_POSITION + offset)
        for step in steps:
            step.save()
        if steps or formset.deleted_objects:
            audit.record(
                actor=request.user,
                action="referrals.careroute.steps_changed",
                target=form.instance,
                request=request,
                details={
                    "added": len(formset.new_objects),
                    "changed": len(formset.changed_objects),
                    "removed": len(formset.deleted_objects),
                },
            )
