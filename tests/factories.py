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
