import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from amparo.core import audit


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


@pytest.mark.parametrize(
    "url", [reverse("team"), reverse("offices"), "/api/v1/users/", "/api/v1/offices/"]
)
def test_list_query_count_does_not_grow_with_rows(client, admin_a, make_user, org_a, url):
    from tests.factories import OfficeFactory

    client.force_login(admin_a)
    OfficeFactory(organization=org_a)
    make_user("me_officer", organization=org_a)
    one = count_queries(client, url)
    for _ in range(2):
        office = OfficeFactory(organization=org_a)
        make_user("caseworker", office=office)

    three = count_queries(client, url)

    assert three == one


def test_audit_log_query_count_does_not_grow_with_events(client, admin_a):
    client.force_login(admin_a)
    audit.record(actor=admin_a, action="core.test.one")
    one = count_queries(client, reverse("audit"))
    audit.record(actor=admin_a, action="core.test.two")
    audit.record(actor=admin_a, action="core.test.three")

    three = count_queries(client, reverse("audit"))

    assert three == one
