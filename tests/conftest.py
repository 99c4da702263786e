import pytest
from django.db.backends.postgresql.operations import DatabaseOperations
from django.utils import translation

from tests import factories


@pytest.fixture
def org_a(db):
    return factories.OrganizationFactory(code="org-a", name="Organización A")


@pytest.fixture
def org_b(db):
    return factories.OrganizationFactory(code="org-b", name="Organización B")


@pytest.fixture
def office_a1(org_a):
    return factories.OfficeFactory(organization=org_a, code="a1", name="Oficina A1")


@pytest.fixture
def office_a2(org_a):
    return factories.OfficeFactory(organization=org_a, code="a2", name="Oficina A2")


@pytest.fixture
def office_b1(org_b):
    return factories.OfficeFactory(organization=org_b, code="b1", name="Oficina B1")


@pytest.fixture
def make_user(db):
    def make(role: str, office=None, organization=None, **kwargs):
        organization = organization or (office.organization if office else None)
        return factories.UserFactory(
            organization=organization, office=office, role=factories.builtin_role(role), **kwargs
        )

    return make


@pytest.fixture
def admin_a(make_user, org_a):
    return make_user("administrator", organization=org_a, username="admin_a")


@pytest.fixture
def admin_b(make_user, org_b):
    return make_user("administrator", organization=org_b, username="admin_b")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    # Argon2 (the served setting) costs ~0.1 s per hash by design; tests that create many
    # accounts use a fast hasher unless they check hashing itself.
    if "real_password_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # Requests activate a language per request; code under test outside a request (actions,
    # commands) speaks the default, whatever the previous test's request chose.
    translation.activate("es")
    yield
    translation.activate("es")


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    # Served code uses the hashed manifest built by collectstatic; tests read from the apps.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _platform_admins_without_two_factor(settings):
    # Served platform administrators must use two-factor sign-in; tests of other features
    # sign them in with a password, as OrganizationFactory does for organizations.
    # tests/core/test_two_factor.py turns it back on.
    settings.AMPARO_TWO_FACTOR_FOR_PLATFORM_ADMINS = False


@pytest.fixture(autouse=True)
def _jobs_run_in_the_test(settings):
    # Background jobs run as they are queued (django-tasks' immediate backend); a test that
    # posts a job's form captures the on-commit callbacks that queue it. tests/test_serve.py
    # runs the real worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# Django flushes the test database between transactional and live-server tests with one
# TRUNCATE of every table, which the audit table's trigger refuses (migration core 0009).
# The suite connects as a superuser, which may silence triggers for that one transaction
# (`session_replication_role` can only be set by a superuser): an application role cannot.
_sql_flush = DatabaseOperations.sql_flush


def _sql_flush_past_the_audit_trigger(self, style, tables, **kwargs):
    statements = _sql_flush(self, style, tables, **kwargs)
    if not statements:
        return statements
    return ["SET LOCAL session_replication_role = replica", *statements]


DatabaseOperations.sql_flush = _sql_flush_past_the_audit_trigger
