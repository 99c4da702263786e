import factory

from amparo.core.models import Office, Organization, Role, User

PASSWORD = "correct-horse-battery-staple"


def builtin_role(code: str) -> Role:
    return Role.objects.get(organization=None, code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organización {n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"office-{n}")
    name = factory.Sequence(lambda n: f"Oficina {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Ana"
    last_name = "Pérez"
    language = "es"
    password = factory.django.Password(PASSWORD)


def member(**overrides) -> dict:
    """One member as the registration form or API sends it."""
    data = {
        "given_names": "María José",
        "first_surname": "Pérez",
        "second_surname": "Gómez",
        "sex": "F",
        "date_of_birth": "1990-03-14",
        "nationality": "VE",
        "population_group": "asylum_seeker",
        "relationship": "head",
        "phone": "0991234567",
        "documents": [{"type": "national_id", "number": "V-12.345.678", "issuing_country": "VE"}],
    }
    return {**data, **overrides}
