"""Pages travel compressed to phones on slow, metered connections (issue 10, point 12)."""

import gzip

from django.urls import reverse


def test_pages_are_gzipped_for_browsers_that_accept_it_and_still_never_stored(
    client, make_user, office_a1
):
    client.force_login(make_user("registration_officer", office=office_a1))

    response = client.get(reverse("registry:register"), HTTP_ACCEPT_ENCODING="gzip, br")

    page = gzip.decompress(response.content).decode()
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "no-store" in response["Cache-Control"]
    assert 'name="form-0-given_names"' in page
    assert len(response.content) * 5 < len(page.encode())


def test_pages_stay_plain_for_clients_that_do_not_accept_gzip(client, make_user, office_a1):
    client.force_login(make_user("registration_officer", office=office_a1))

    response = client.get(reverse("registry:register"))

    assert not response.has_header("Content-Encoding")
    assert b'name="form-0-given_names"' in response.content
