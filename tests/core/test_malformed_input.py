"""Input no field can hold is refused at the edge with 400, never 500 (issue 10, point 4).

In the manner of schemathesis: every operation of the generated OpenAPI schema, and every page
of the URL configuration, receives each class of malformed input — a NUL byte and a lone
surrogate in every query parameter, path parameter, body property (as a value, inside a list,
as a key) and form field, and JSON nested past the limit — signed in or not. Each answer must
be the translated 400, and no table may have changed.
"""

import json
import re
import uuid

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from amparo.core.middleware import MAX_JSON_DEPTH, json_problem
from amparo.core.models import AuditEvent
from tests import factories

# In JSON a lone surrogate is an escape (`"\\ud800"`); in a URL or a form it can only arrive
# as its UTF-8-style bytes, which Django decodes as U+FFFD (storable: the view answers).
BAD_TEXTS = {"nul": "Ana\x00", "surrogate": "Ana\ud800"}
BAD_URL_TEXTS = {"nul": ("Ana%00", True), "surrogate": ("Ana%ED%A0%80", False)}
WRITE_METHODS = ("post", "put", "patch")


def _row_counts() -> dict[str, int]:
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    # A search that gets through (U+FFFD is storable) is answered and audited, as it should be.
    counts["core.AuditEvent"] -= AuditEvent.objects.filter(action__endswith=".searched").count()
    return counts


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation, _body_properties(operation, components)


def _body_properties(operation, components) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    body = content.get("application/json", {}).get("schema", {})
    if "$ref" in body:
        body = components[body["$ref"].rsplit("/", 1)[-1]]
    return sorted(body.get("properties", {})) or ["name"]


def _url(path: str, value: str | None = None) -> str:
    # Every path parameter ({id}, {cycle_id}, {number}…) gets an id that could exist, or the
    # malformed value.
    return re.sub(
        r"\{[A-Za-z_]+\}", lambda _: value if value is not None else str(uuid.uuid4()), path
    )


def _multipart(name: str, kind: str) -> tuple[bytes, str]:
    """A multipart body whose field `name` holds the bad text of `kind`.

    A lone surrogate cannot be written in UTF-8; declared as `unicode_escape`, which Django
    and DRF both honour when decoding the fields, the escape `\\ud800` becomes one. Send it with
    `client.generic`: the client's `post` would re-encode the bytes in that charset.
    """
    if kind == "nul":
        body, charset = encode_multipart(BOUNDARY, {name: BAD_TEXTS["nul"]}), "utf-8"
    else:
        body, charset = encode_multipart(BOUNDARY, {name: "Ana\\ud800"}), "unicode_escape"
    return body, f"{MULTIPART_CONTENT}; charset={charset}"


def _nested(depth: int, key: str = "name") -> str:
    """A JSON object `depth` containers deep, written out (json.dumps would hit the stack)."""
    return f'{{"{key}": ' + "[" * (depth - 1) + '"x"' + "]" * (depth - 1) + "}"


@pytest.fixture(params=["anonymous", "superuser"])
def caller(request, client, db, org_a):
    if request.param == "superuser":
        root = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {factories.api_token(root)}"
    return client


def _refused(response) -> bool:
    return response.status_code == 400 and "detail" in response.json()


def _judge(response, refused_at_edge: bool) -> bool:
    if refused_at_edge:
        return _refused(response)
    return response.status_code < 500


@pytest.mark.parametrize("kind", sorted(BAD_TEXTS))
def test_every_api_operation_refuses_unstorable_text_anywhere(caller, kind):
    bad = BAD_TEXTS[kind]
    url_bad, refused_at_edge = BAD_URL_TEXTS[kind]
    before = _row_counts()
    failures = []

    for path, method, operation, properties in _operations():
        send = getattr(caller, method)
        if "{" in path:
            response = send(_url(path, url_bad))
            if not _judge(response, refused_at_edge):
                failures.append((method, path, "path", response.status_code))
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                query = f"{parameter['name']}={url_bad}"
                response = send(_url(path), QUERY_STRING=query)
                if not _judge(response, refused_at_edge):
                    failures.append((method, path, parameter["name"], response.status_code))
        if method not in WRITE_METHODS:
            continue
        for prop in properties:
            for body in ({prop: bad}, {prop: [bad]}, {bad: prop}):
                response = send(_url(path), json.dumps(body), content_type="application/json")
                if not _refused(response):
                    failures.append((method, path, prop, response.status_code))
        form = f"{properties[0]}={url_bad}"
        response = send(_url(path), form, content_type="application/x-www-form-urlencoded")
        if not _judge(response, refused_at_edge):
            failures.append((method, path, f"form {properties[0]}", response.status_code))
        body, content_type = _multipart(properties[0], kind)
        response = caller.generic(method.upper(), _url(path), body, content_type=content_type)
        if not _refused(response):
            failures.append((method, path, f"multipart {properties[0]}", response.status_code))

    assert failures == []
    assert _row_counts() == before


def test_every_api_write_refuses_json_nested_too_deep(caller):
    before = _row_counts()
    failures = []

    for path, method, _operation, _properties in _operations():
        if method not in WRITE_METHODS:
            continue
        for depth in (MAX_JSON_DEPTH + 1, 3000):
            body = _nested(depth)
            response = getattr(caller, method)(_url(path), body, content_type="application/json")
            if not _refused(response):
                failures.append((method, path, depth, response.status_code))

    assert failures == []
    assert _row_counts() == before


def test_unauthenticated_token_endpoint_answers_400_in_the_users_language(client, db):
    deep = _nested(3000, key="username")

    nested = client.post("/api/v1/auth/token/", deep, content_type="application/json")
    surrogate = client.post(
        "/api/v1/auth/token/",
        json.dumps({"username": "\ud800", "password": "x"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    nul_form = client.post("/api/v1/auth/token/", {"username": "ana\x00", "password": "x"})

    assert (nested.status_code, surrogate.status_code, nul_form.status_code) == (400, 400, 400)
    assert "niveles" in nested.json()["detail"]
    assert "no se puede guardar" in surrogate.json()["detail"]


def test_json_within_the_depth_limit_reaches_the_view(client, make_user, office_a1):
    user = make_user("caseworker", office=office_a1)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {factories.api_token(user)}"
    body = _nested(MAX_JSON_DEPTH, key="language")

    response = client.patch("/api/v1/me/", body, content_type="application/json")

    assert response.status_code == 400
    assert "language" in response.json()  # the serializer's own answer, not the edge's


def test_me_language_with_a_lone_surrogate_changes_nothing(client, make_user, office_a1):
    user = make_user("caseworker", office=office_a1, language="es")
    client.force_login(user)

    response = client.patch(
        "/api/v1/me/", json.dumps({"language": "\ud800"}), content_type="application/json"
    )

    user.refresh_from_db()
    assert response.status_code == 400
    assert user.language == "es"


@pytest.mark.parametrize("kind", sorted(BAD_TEXTS))
@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_me_form_body_of_put_or_patch_with_unstorable_text_changes_nothing(
    client, make_user, office_a1, kind, form, method
):
    # Django parses only POST bodies into request.POST; DRF parses PUT and PATCH itself.
    user = make_user("caseworker", office=office_a1, language="es")
    client.force_login(user)
    if form == "multipart":
        body, content_type = _multipart("language", kind)
    else:
        bad = {"nul": "en%00", "surrogate": "en%5Cud800"}[kind]  # the escape, for unicode_escape
        charset = "" if kind == "nul" else "; charset=unicode_escape"
        body, content_type = f"language={bad}", f"application/x-www-form-urlencoded{charset}"
    before = _row_counts()

    response = getattr(client, method)("/api/v1/me/", body, content_type=content_type)

    user.refresh_from_db()
    assert response.status_code == 400
    assert "no se puede guardar" in response.json()["detail"]
    assert user.language == "es"
    assert _row_counts() == before


@pytest.mark.parametrize("method", ["post", "patch"])
def test_unreadable_multipart_body_answers_400_in_json_under_the_api(
    client, make_user, office_a1, method
):
    user = make_user("caseworker", office=office_a1, language="es")
    client.force_login(user)

    response = getattr(client, method)(
        "/api/v1/me/", b"language=en", content_type="multipart/form-data; boundary="
    )

    user.refresh_from_db()
    assert response.status_code == 400
    assert response.json() == {"detail": "No se pudieron leer los datos del formulario enviado."}
    assert user.language == "es"


def test_multipart_patch_without_bad_text_reaches_the_view(client, make_user, office_a1):
    user = make_user("caseworker", office=office_a1, language="es")
    client.force_login(user)

    response = client.patch(
        "/api/v1/me/",
        encode_multipart(BOUNDARY, {"language": "en"}),
        content_type=MULTIPART_CONTENT,
    )

    user.refresh_from_db()
    assert response.status_code == 200
    assert user.language == "en"


def _page_urls(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if route.startswith("^"):  # the admin's regular expressions: one sample below
            continue
        if isinstance(entry, URLResolver):
            yield from _page_urls(entry, prefix + route)
        elif isinstance(entry, URLPattern) and not (prefix + route).startswith("api/"):
            url = "/" + prefix + route
            while "<" in url:
                start, end = url.index("<"), url.index(">")
                url = url[:start] + str(uuid.uuid4()) + url[end + 1 :]
            yield url


@pytest.mark.parametrize("kind", sorted(BAD_URL_TEXTS))
def test_every_page_refuses_unstorable_text_in_query_and_form(client, admin_a, kind):
    bad, refused_at_edge = BAD_URL_TEXTS[kind]
    client.force_login(admin_a)
    before = _row_counts()
    failures = []
    # Logging out last: pages that let the request through answer it as for anyone signed in.
    urls = sorted([*_page_urls(), "/admin/core/user/", "/login/"], key=lambda u: "logout" in u)
    form = "application/x-www-form-urlencoded"

    for url in urls:
        for response in (
            client.get(url, QUERY_STRING=f"q={bad}"),
            client.post(url, f"username={bad}&name=x&password=x", content_type=form),
            client.post(url, "notes=ok", content_type=form, QUERY_STRING=f"x={bad}"),
        ):
            refused = response.status_code == 400 and "NUL" in response.content.decode()
            if not refused if refused_at_edge else response.status_code >= 500:
                failures.append((url, response.status_code))

    assert len(urls) > 40
    assert failures == []
    if refused_at_edge:  # otherwise the login form, for one, rightly counts a failed attempt
        assert _row_counts() == before


def test_login_form_with_a_nul_byte_answers_400_and_records_nothing(client, db):
    before = _row_counts()

    response = client.post("/login/", {"username": "ana\x00", "password": "x"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert _row_counts() == before


def test_undecodable_form_bytes_are_not_refused_but_replaced(client, db):
    # Django reads invalid UTF-8 in forms as U+FFFD, which can be stored: the form answers.
    response = client.get("/login/", QUERY_STRING="next=%ED%A0%80")

    assert response.status_code == 200


_clean_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    prefix=_clean_text,
    suffix=_clean_text,
    bad=st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff"]),
    as_key=st.booleans(),
)
def test_json_check_refuses_any_text_with_an_unstorable_character(prefix, suffix, bad, as_key):
    text = prefix + bad + suffix
    body = {text: 1} if as_key else {"field": [{"nested": text}]}

    assert json_problem(json.dumps(body).encode()) is not None
    assert json_problem(json.dumps({prefix: suffix, "list": [prefix]}).encode()) is None


@hypothesis_settings(max_examples=50, deadline=None)
@given(depth=st.integers(min_value=1, max_value=400))
def test_json_check_refuses_exactly_past_the_depth_limit(depth):
    problem = json_problem(_nested(depth).encode())

    assert (problem is not None) == (depth > MAX_JSON_DEPTH)


# --- the body's size, before anything parses it --------------------------------------------


def _big_file(size: int) -> dict:
    return {"alias": "Ana", "file": SimpleUploadedFile("a.csv", b"x" * size)}


def test_a_large_body_from_no_one_signed_in_is_refused_before_it_is_read(client, db):
    before = _row_counts()

    login = client.post("/login/", {"username": "ana", "password": "x" * 70_000})
    intake = client.post(
        f"/intake/{uuid.uuid4().hex}/",
        _big_file(200_000),
        HTTP_ACCEPT_LANGUAGE="es",
    )
    token = client.post(
        "/api/v1/auth/token/",
        json.dumps({"username": "ana", "password": "x" * 70_000}),
        content_type="application/json",
    )

    assert (login.status_code, intake.status_code, token.status_code) == (413, 413, 413)
    assert "demasiado grande" in intake.content.decode()
    assert "demasiado grande" in token.json()["detail"]  # Spanish first
    assert _row_counts() == before


def test_a_signed_in_user_may_send_an_import_sized_body_but_no_more(
    client, make_user, office_a1, settings
):
    settings.AMPARO_IMPORT_MAX_BYTES = 100_000
    user = make_user("caseworker", office=office_a1)
    client.force_login(user)

    within = client.post("/registry/import/", _big_file(200_000))
    beyond = client.post("/registry/import/", _big_file(1_200_000), content_type=MULTIPART_CONTENT)
    api = client.post(
        "/api/v1/individuals/",
        json.dumps({"given_names": "x" * 1_200_000}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}",
    )

    assert within.status_code != 413  # read, then answered by the page (whatever it says)
    assert (beyond.status_code, api.status_code) == (413, 413)
