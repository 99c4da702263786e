import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from amparo.core.models import ApiToken, Office, Organization, Role, User

PASSWORD = "correct-horse-battery-staple"


def builtin_role(code: str) -> Role:
    return Role.objects.get(organization=None, code=code)


def api_token(user: User, *, days: int = 30) -> str:
    """A working API key for `user`, as `POST /api/v1/auth/token/` issues (without its audit
    events, so that tests counting events see only their own). It counts as just used: the
    next requests do not write `last_used_at` (at most once a minute), so query counts hold."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_key(key),
        prefix=key[: ApiToken.PREFIX_LENGTH],
        password_stamp=ApiToken.stamp_of(user),
        expires_at=timezone.now() + timedelta(days=days),
        last_used_at=timezone.now(),
    )
    return key


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organización {n}")
    # Served organizations ask for two-factor sign-in by default; tests of other features
    # sign in without it, and tests/core/test_two_factor.py turns it on.
    require_two_factor = False


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
