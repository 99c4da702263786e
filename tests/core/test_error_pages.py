"""Error pages keep the app's layout and the user's language, and lead back home."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults
from django.views.csrf import csrf_failure


def test_missing_page_answers_in_the_apps_layout_and_language(client, make_user, office_a1):
    client.force_login(make_user("caseworker", office=office_a1))

    response = client.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "Página no encontrada" in body
    assert f'href="{reverse("home")}"' in body
    assert 'class="brand"' in body  # the app's header, not Django's bare page
    assert "Not Found" not in body


@pytest.mark.parametrize(
    ("render", "status", "spanish", "english"),
    [
        (lambda r: defaults.server_error(r), 500, "Algo salió mal", "Something went wrong"),
        (lambda r: csrf_failure(r), 403, "El formulario expiró", "The form has expired"),
        (
            lambda r: defaults.bad_request(r, Exception()),
            400,
            "No se pudo leer",
            "could not be read",
        ),
        (
            lambda r: defaults.permission_denied(r, Exception()),
            403,
            "No permitido",
            "Not allowed",
        ),
    ],
)
def test_error_pages_speak_the_active_language(render, status, spanish, english):
    request = RequestFactory().get("/somewhere/")

    with translation.override("es"):
        in_spanish = render(request)
    with translation.override("en"):
        in_english = render(request)

    assert (in_spanish.status_code, in_english.status_code) == (status, status)
    assert spanish in in_spanish.content.decode()
    assert english in in_english.content.decode()
    assert f'href="{reverse("home")}"' in in_spanish.content.decode()
