"""REST API for households and individuals: parse → access → act → serialize."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from amparo.core import access, audit
from amparo.core.drf import AuditedRetrieveMixin, ScopedMixin
from amparo.core.models import Office
from amparo.core.queries import area_by_code, offices_in_scope
from amparo.registry import actions, duplicates, queries, search
from amparo.registry.fields import HOUSEHOLD, PERSON, field_names
from amparo.registry.models import Document, Household, Individual
from amparo.registry.regions import user_region


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["type", "number", "issuing_country", "expiry_date"]


class IndividualSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    household = serializers.UUIDField(source="household.uuid", read_only=True)
    household_reference = serializers.CharField(source="household.reference", read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)
    specific_needs = serializers.SerializerMethodField()

    class Meta:
        model = Individual
        fields = [
            "id",
            "household",
            "household_reference",
            *field_names(PERSON, stored=True),
            "documents",
        ]
        read_only_fields = fields

    def get_specific_needs(self, person: Individual) -> list[str]:
        # The needs the requesting user may read (a restricted one only for the GBV team of the
        # person's office); the reader is made once per response.
        reader = self.context.get("need_reader")
        if reader is None:
            request = self.context.get("request")
            reader = queries.need_reader(getattr(request, "user", None) or AnonymousUser())
            self.context["need_reader"] = reader
        return reader(person)


class HouseholdSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    office = serializers.SlugRelatedField(slug_field="code", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    members = IndividualSerializer(many=True, read_only=True)

    class Meta:
        model = Household
        fields = ["id", *field_names(HOUSEHOLD, stored=True), "members"]
        read_only_fields = fields


class DocumentInput(serializers.Serializer):
    type = serializers.CharField()
    number = serializers.CharField()
    issuing_country = serializers.CharField()
    expiry_date = serializers.CharField(required=False, allow_blank=True)


class MemberInput(serializers.Serializer):
    """What a client sends for one person; the registry's actions validate the content."""

    given_names = serializers.CharField(allow_blank=True)
    first_surname = serializers.CharField(allow_blank=True)
    second_surname = serializers.CharField(required=False, allow_blank=True)
    other_names = serializers.CharField(required=False, allow_blank=True)
    sex = serializers.CharField(help_text="F, M or X")
    date_of_birth = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="YYYY-MM-DD; or give age"
    )
    age = serializers.IntegerField(required=False, allow_null=True)
    dob_estimated = serializers.BooleanField(required=False)
    nationality = serializers.CharField(help_text="ISO 3166-1 alpha-2")
    population_group = serializers.CharField()
    relationship = serializers.CharField(required=False, allow_blank=True, default="head")
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True, help_text="e-mail address")
    specific_needs = serializers.ListField(child=serializers.CharField(), required=False)
    languages = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="ISO 639 codes, e.g. es, ht"
    )
    wg_seeing = serializers.CharField(
        required=False, allow_blank=True, help_text="Washington Group: none, some, a_lot, cannot"
    )
    wg_hearing = serializers.CharField(required=False, allow_blank=True)
    wg_walking = serializers.CharField(required=False, allow_blank=True)
    wg_cognition = serializers.CharField(required=False, allow_blank=True)
    wg_selfcare = serializers.CharField(required=False, allow_blank=True)
    wg_communication = serializers.CharField(required=False, allow_blank=True)
    contact_consent = serializers.BooleanField(required=False)
    data_sharing_consent = serializers.BooleanField(required=False)
    consent_purpose = serializers.CharField(required=False, allow_blank=True)
    documents = DocumentInput(many=True, required=False)


class IndividualInput(MemberInput):
    household = serializers.UUIDField(
        required=False, help_text="existing household; omit to register a new one-person household"
    )


class HouseholdInput(serializers.Serializer):
    office = serializers.CharField(required=False, help_text="office code; default: yours")
    address = serializers.CharField(required=False, allow_blank=True)
    area = serializers.CharField(required=False, allow_blank=True, help_text="area code")
    phone = serializers.CharField(required=False, allow_blank=True)
    members = MemberInput(many=True)


class HouseholdChanges(serializers.Serializer):
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    area = serializers.CharField(required=False, allow_null=True, help_text="area code")
    status = serializers.ChoiceField(required=False, choices=Household.Status.choices)


MEMBER_EXAMPLE = {
    "given_names": "María José",
    "first_surname": "Pérez",
    "second_surname": "Gómez",
    "sex": "F",
    "date_of_birth": "1990-03-14",
    "nationality": "VE",
    "population_group": "asylum_seeker",
    "relationship": "head",
    "phone": "0991234567",
    "documents": [{"type": "national_id", "number": "V-12345678", "issuing_country": "VE"}],
}


def _parse(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DuplicateCandidate(IndividualSerializer):
    score = serializers.FloatField()
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="same_document, same_phone, same_name, same_name_without_second_surname, "
        "similar_name, same_birth_date, swapped_birth_date, close_birth_date",
    )
    explanation = serializers.ListField(
        child=serializers.CharField(), help_text="the reasons in the user's language"
    )

    class Meta(IndividualSerializer.Meta):
        fields = [*IndividualSerializer.Meta.fields, "score", "reasons", "explanation"]


class DuplicateCheckResponse(serializers.Serializer):
    count = serializers.IntegerField()
    results = DuplicateCandidate(many=True)
    hidden_matches = serializers.IntegerField(
        help_text="possible matches in offices of your organization that you may not see"
    )


class IndividualFilter(filters.FilterSet):
    office = filters.CharFilter(field_name="household__office__code")
    household = filters.UUIDFilter(field_name="household__uuid")
    born = filters.DateFilter(
        field_name="date_of_birth",
        input_formats=["%Y-%m-%d"],  # one unambiguous form, whatever the language
        error_messages={
            "invalid": gettext_lazy(
                "Give the date of birth as year-month-day (YYYY-MM-DD), for example 1990-03-14."
            )
        },
        help_text="people born on this day (ISO 8601 date, YYYY-MM-DD); with `search`, "
        "only they are searched",
    )

    class Meta:
        model = Individual
        fields = ["sex", "population_group", "nationality"]


class HouseholdViewSet(
    AuditedRetrieveMixin, ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = Household.objects.none()
    serializer_class = HouseholdSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "registry.view"
    filterset_fields = {"status": ["exact"], "office__code": ["exact"]}

    scoped_queryset = staticmethod(queries.households_with_members_visible_to)

    @extend_schema(request=HouseholdChanges, responses={200: HouseholdSerializer})
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        access.require(request.user, "registry.change")
        household = self.get_object()
        changes = HouseholdChanges(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        actions.update_household(
            actor=request.user, household=household, changes=changes.validated_data, request=request
        )
        household = queries.get_household_for(request.user, household.uuid)
        return Response(self.get_serializer(household).data)

    @extend_schema(
        request=HouseholdInput,
        responses={201: HouseholdSerializer},
        examples=[OpenApiExample("family", request_only=True, value={"members": [MEMBER_EXAMPLE]})],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        access.require(request.user, "registry.register")
        data = _parse(HouseholdInput, request)
        office = _office(request, data.get("office"))
        area = area_by_code(data["area"]) if data.get("area") else None
        if data.get("area") and area is None:
            raise ValidationError({"area": [_("Unknown area code.")]})
        household = actions.register_household(
            actor=request.user,
            office=office,
            members=data["members"],
            address=data.get("address", ""),
            area=area,
            phone=data.get("phone", ""),
            request=request,
        )
        household = queries.get_household_for(request.user, household.uuid)
        return Response(self.get_serializer(household).data, status=status.HTTP_201_CREATED)


class MoveInput(serializers.Serializer):
    household = serializers.UUIDField()
    relationship = serializers.CharField()


class IndividualChanges(MemberInput):
    """Any subset of the member fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            field.default = serializers.empty


class IndividualViewSet(
    AuditedRetrieveMixin, ScopedMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    queryset = Individual.objects.none()
    serializer_class = IndividualSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    permission = "registry.view"
    filterset_class = IndividualFilter

    def scoped_queryset(self, user):
        return queries.individuals_visible_to(user).prefetch_related("documents")

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                str,
                description=(
                    "names (typos, accents, either surname order, nicknames, compound names "
                    "typed without the space), document number, phone or household reference; "
                    "a birth date (dd/mm/yyyy or yyyy-mm-dd) or an age after a name ranks the "
                    "people born then first; best matches first"
                ),
            )
        ],
    )
    def list(self, request: Request, *args, **kwargs) -> Response:
        text = request.query_params.get("search", "").strip()
        if not text:
            return super().list(request, *args, **kwargs)
        access.require(request.user, "registry.view")
        # The list's filters narrow a search too (the filter backend only sees plain lists).
        chosen = IndividualFilter(
            request.query_params, queryset=self.scoped_queryset(request.user), request=request
        )
        if not chosen.is_valid():
            raise ValidationError(chosen.errors)
        hits = search.search_individuals(
            request.user,
            text,
            region=user_region(request.user),
            born=chosen.form.cleaned_data.get("born"),
            narrow=chosen.filter_queryset,
        )
        people = {
            p.pk: p
            for p in self.scoped_queryset(request.user).filter(
                pk__in=[h.individual.pk for h in hits]
            )
        }
        results = []
        context = self.get_serializer_context()  # one need reader for every row
        for hit in hits:
            row = IndividualSerializer(people[hit.individual.pk], context=context).data
            row["score"], row["matched"] = hit.score, hit.matched
            results.append(row)
        audit.record(
            actor=request.user,
            action="registry.individual.searched",
            request=request,
            details={"results": len(results)},
        )
        return Response({"count": len(results), "next": None, "previous": None, "results": results})

    @extend_schema(request=IndividualChanges, responses={200: IndividualSerializer})
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        access.require(request.user, "registry.change")
        person = self.get_object()
        changes = IndividualChanges(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        actions.update_individual(
            actor=request.user, individual=person, changes=changes.validated_data, request=request
        )
        person = queries.get_individual_for(request.user, person.uuid)
        return Response(self.get_serializer(person).data)

    @extend_schema(request=MoveInput, responses={200: IndividualSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, *args, **kwargs) -> Response:
        """Move the person to another household you can see; the trail stays in the audit."""
        access.require(request.user, "registry.change")
        person = self.get_object()
        data = _parse(MoveInput, request)
        target = queries.get_household_for(request.user, data["household"])
        actions.move_individual(
            actor=request.user,
            individual=person,
            to=target,
            relationship=data["relationship"],
            request=request,
        )
        person = queries.get_individual_for(request.user, person.uuid)
        return Response(self.get_serializer(person).data)

    @extend_schema(
        request=MemberInput,
        responses={200: DuplicateCheckResponse},
        examples=[OpenApiExample("person", request_only=True, value=MEMBER_EXAMPLE)],
    )
    @action(detail=False, methods=["post"], url_path="duplicate-check")
    def duplicate_check(self, request: Request) -> Response:
        """Possible duplicates of the person described, best first. Creates nothing."""
        access.require(request.user, "registry.register")
        data = _parse(MemberInput, request)
        report = duplicates.find_duplicates(request.user, data, region=user_region(request.user))
        audit.record(
            actor=request.user,
            action="registry.individual.duplicate_checked",
            request=request,
            details={"results": len(report.candidates), "hidden": report.hidden},
        )
        people = {
            p.pk: p
            for p in self.scoped_queryset(request.user).filter(
                pk__in=[c.individual.pk for c in report.candidates]
            )
        }
        results = []
        context = self.get_serializer_context()  # one need reader for every row
        for candidate in report.candidates:
            row = IndividualSerializer(people[candidate.individual.pk], context=context).data
            row["score"], row["reasons"] = candidate.score, candidate.reasons
            row["explanation"] = candidate.explanation
            results.append(row)
        return Response(
            {"count": len(results), "results": results, "hidden_matches": report.hidden}
        )

    @extend_schema(
        request=IndividualInput,
        responses={201: IndividualSerializer},
        examples=[OpenApiExample("person", request_only=True, value=MEMBER_EXAMPLE)],
    )
    def create(self, request: Request, *args, **kwargs) -> Response:
        access.require(request.user, "registry.register")
        data = _parse(IndividualInput, request)
        household_id = data.pop("household", None)
        if household_id is None:
            person = actions.register_individual(
                actor=request.user, office=_office(request, None), data=data, request=request
            )
        else:
            household = queries.get_household_for(request.user, household_id)
            person = actions.add_member(
                actor=request.user, household=household, data=data, request=request
            )
        person = queries.get_individual_for(request.user, person.uuid)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)


def _office(request: Request, code: str | None) -> Office:
    """The office named by `code` among the user's organization's, or the user's own."""
    if not code:
        if request.user.office_id is None:
            raise ValidationError({"office": [_("Choose the office (your account has none).")]})
        return request.user.office
    offices = offices_in_scope(request.user)
    office = offices.filter(code=code).first()
    if office is None:
        raise ValidationError({"office": [_("Unknown office “%(code)s”.") % {"code": code}]})
    return office
