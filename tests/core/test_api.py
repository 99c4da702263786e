"""/api/v1/ requests it cannot serve: a bad body changes nothing, an unknown id is a plain 404."""

import pytest

from tests.factories import api_token


@pytest.mark.parametrize("body", [{"language": ["es"]}, {"language": "xx"}, ["es"], {}])
def test_me_patch_bad_body_answers_400_and_changes_nothing(client, admin_a, body):
    token = api_token(admin_a)

    response = client.patch(
        "/api/v1/me/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    admin_a.refresh_from_db()
    assert response.status_code == 400
    assert admin_a.language == "es"


def test_api_404_is_generic_and_in_the_token_users_language(client, make_user, office_a1):
    user = make_user("administrator", organization=office_a1.organization, language="en")
    token = api_token(user)

    response = client.get(
        "/api/v1/users/00000000-0000-0000-0000-000000000000/",
        HTTP_AUTHORIZATION=f"Token {token}",
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert response["Content-Language"] == "en"
