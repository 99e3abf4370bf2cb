"""Requests no view can handle are refused before the database: NUL characters, deep JSON, too-large bodies;
and the API answers every error in JSON (500, 413, nested validation errors)."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from alliance.api.errors import exception_handler, first_message
from alliance.api.parsers import FormParser, JSONParser, MultiPartParser
from alliance.guards import NulCharacter, RequestGuardMiddleware

pytestmark = pytest.mark.django_db

NUL_REFUSED = "NUL character"


def _json_refusal(response, status=400) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["detail"]


def _page_refusal(response, status=400) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "This could not be done" in page  # the portal's 400 page
    return page


# --- NUL characters -------------------------------------------------------------------------------------------------


def test_the_guard_is_installed_once_before_sessions_authentication_and_views():
    middleware = settings.MIDDLEWARE

    assert middleware.count("alliance.guards.RequestGuardMiddleware") == 1
    guard = middleware.index("alliance.guards.RequestGuardMiddleware")
    assert guard < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert guard < middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert guard > middleware.index("csp.middleware.CSPMiddleware")  # so the refusal page carries the headers


@pytest.mark.parametrize(
    "url",
    ["/api/v1/projects/%00/", "/api/v1/projects/?search=%00", "/api/v1/events/?search=a%00b", "/api/v1/x%00=1/"],
)
def test_a_nul_in_an_api_address_or_query_answers_400_in_json_without_a_query(
    api_client, django_assert_num_queries, url
):
    with django_assert_num_queries(0):
        response = api_client.get(url)

    assert NUL_REFUSED in _json_refusal(response)


@pytest.mark.parametrize(
    "url",
    ["/projects/%00/", "/projects/?search=%00", "/events/?search=%00", "/calendar/%00.ics", "/members/?q%00=1"],
)
def test_a_nul_in_a_page_address_or_query_answers_the_400_page_without_a_query(client, django_assert_num_queries, url):
    with django_assert_num_queries(0):
        response = client.get(url)

    assert NUL_REFUSED in _page_refusal(response)


def test_a_nul_in_a_form_field_is_refused_before_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.post("/accounts/login/", {"login": "someone\x00@example.org", "password": "x"})

    page = _page_refusal(response)
    assert "NUL character" in page and "“login”" in page


@pytest.mark.parametrize(
    "body",
    [
        '{"email": "\\u0000", "password": "x"}',
        '{"email": "a@example.org", "password": "x", "name": "ci\\u0000"}',
        '{"email\\u0000": "a@example.org"}',
        '[{"deep": ["\\u0000"]}]',
    ],
)
def test_an_escaped_nul_in_a_json_body_is_refused_before_the_database(api_client, django_assert_num_queries, body):
    with django_assert_num_queries(0):
        response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")

    assert "NUL character (\\0) in the JSON body" in _json_refusal(response)


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", '{"email": "a\\\\u0000@example.org", "password": "x"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert NUL_REFUSED not in response.json()["detail"]


def test_a_nul_in_a_multipart_patch_field_is_refused_by_the_api_parser():
    # given a multipart PATCH (Django parses only POST forms, so the guard leaves it to DRF's parser)
    body = encode_multipart(BOUNDARY, {"focus_areas": "safety\x00", "logo": SimpleUploadedFile("a.png", b"\x00\x00")})
    django_request = RequestFactory().patch("/api/v1/projects/p/", body, content_type=MULTIPART_CONTENT)
    request = Request(django_request, parsers=[MultiPartParser()])

    # when / then
    with pytest.raises(NulCharacter) as refused:
        request.data  # noqa: B018 (parsing is the action)
    assert "“focus_areas”" in refused.value.message


def test_the_api_reads_json_by_default_and_forms_only_where_an_upload_is_taken():
    from members.api.views import OrganizationViewSet

    assert [JSONParser] == api_settings.DEFAULT_PARSER_CLASSES
    assert OrganizationViewSet.parser_classes == [JSONParser, MultiPartParser, FormParser]


def test_a_nul_in_an_urlencoded_patch_is_refused_by_the_guard(api_client):
    response = api_client.patch(
        "/api/v1/projects/anything/", "summary=a%00b", content_type="application/x-www-form-urlencoded"
    )

    assert NUL_REFUSED in _json_refusal(response)


def test_nul_bytes_inside_an_uploaded_file_are_not_looked_at():
    # given a multipart form whose file part is full of NUL bytes (as every PNG is)
    seen = []
    guard = RequestGuardMiddleware(lambda request: seen.append(request) or HttpResponse("reached the view"))
    upload = SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", content_type="image/png")
    request = RequestFactory().post("/my-organizations/acme/", {"name": "Acme", "logo": upload})

    # when
    response = guard(request)

    # then
    assert response.content == b"reached the view"
    assert seen and seen[0].FILES["logo"].read().count(b"\x00") > 3


# --- deep JSON, large bodies --------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[" * 2048 + "]" * 2048, '{"a":' * 1000 + "1" + "}" * 1000, "[" * 5000])
@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/organizations/some-organization/"])
def test_deeply_nested_json_answers_400_for_the_body_not_a_server_error(
    api_client, django_assert_num_queries, body, url
):
    with django_assert_num_queries(0):
        response = api_client.post(url, body, content_type="application/json")

    detail = _json_refusal(response)
    assert detail.startswith("The request body could not be read as JSON")
    assert "nested more than 64 levels deep" in detail


def test_the_api_json_parser_refuses_deep_json_by_itself():
    from rest_framework.exceptions import ParseError

    django_request = RequestFactory().post("/x/", "[" * 2048 + "]" * 2048, content_type="application/json")

    with pytest.raises(ParseError, match="nested more than 64 levels deep"):
        Request(django_request, parsers=[JSONParser()]).data  # noqa: B018


def test_json_nested_within_the_limit_and_brackets_inside_strings_are_read_normally(api_client):
    nested = "[" * 60 + "]" * 60
    response = api_client.post(
        "/api/v1/auth/token/",
        json.dumps({"email": "[" * 500, "password": "{" * 500, "name": json.loads(nested) and "x"}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "nested" not in response.json()["detail"]
    assert "email" in response.json()["errors"]  # the serializer read it: not a valid address


def test_a_body_over_the_upload_limit_answers_413_in_json_under_the_api(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api_client.post(
        "/api/v1/auth/token/",
        json.dumps({"email": "a@example.org", "password": "x" * 2000}),
        content_type="application/json",
    )

    assert _json_refusal(response, status=413) == "The request body is too large to be accepted. Nothing was changed."


def test_a_form_over_the_upload_limit_answers_the_413_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x" * 2000})

    assert "too large" in _page_refusal(response, status=413)


def test_a_body_too_large_met_inside_an_api_view_is_a_413_in_json():
    from django.core.exceptions import RequestDataTooBig

    response = exception_handler(RequestDataTooBig("too big"), {})

    assert response.status_code == 413
    assert response.data == {"detail": "The request body is too large to be accepted. Nothing was changed."}


# --- server errors -----------------------------------------------------------------------------------------------


@pytest.mark.urls("tests.hardening.boom_urls")
@pytest.mark.parametrize("url", ["/api/v1/boom/", "/api/plain-boom/"])
def test_an_unexpected_error_under_the_api_answers_500_in_json(url):
    response = Client(raise_request_exception=False).get(url)

    detail = _json_refusal(response, status=500)
    assert detail.startswith("Something went wrong on our side")


@pytest.mark.urls("tests.hardening.boom_urls")
def test_an_unexpected_error_on_a_page_answers_the_500_page_with_its_style_allowed_by_the_nonce():
    response = Client(raise_request_exception=False).get("/boom/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    nonce = page.split('<style nonce="', 1)[1].split('"', 1)[0]
    assert nonce and f"'nonce-{nonce}'" in response["Content-Security-Policy"]


# --- validation errors are sentences ----------------------------------------------------------------------------


def test_a_list_field_error_has_a_readable_detail(member_client):
    response = member_client.post(
        "/api/v1/projects/",
        {"title": "Benchmarks", "summary": "Open benchmarks.", "kind": "software", "help_wanted": ["docs", "x" * 101]},
    )

    body = response.json()
    assert response.status_code == 400
    assert body["detail"] == "Ensure this field has no more than 100 characters."
    assert body["errors"] == {"help_wanted": {"1": ["Ensure this field has no more than 100 characters."]}}


@pytest.fixture
def member_client():
    from tests.members.factories import AffiliationFactory

    client = APIClient()
    client.force_authenticate(AffiliationFactory().person)
    return client


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ({"tags": {0: ["Not a valid string."]}}, "Not a valid string."),
        ({"items": [{}, {"name": ["This field is required."]}]}, "This field is required."),
        ([{"non_field_errors": ["Pick one."]}], "Pick one."),
        ({"field": []}, "Invalid input."),
    ],
)
def test_the_first_message_is_found_however_deep_the_errors_are(errors, message):
    assert first_message(errors) == message
    response = exception_handler(ValidationError(errors), {})
    assert response.data["detail"] == message
    assert "ErrorDetail" not in response.data["detail"] and "{" not in response.data["detail"]


def test_a_nested_serializer_error_is_a_sentence():
    class Item(serializers.Serializer):
        name = serializers.CharField()

    class Outer(serializers.Serializer):
        items = Item(many=True)

    serializer = Outer(data={"items": [{"name": "ok"}, {}]})
    assert not serializer.is_valid()

    response = exception_handler(ValidationError(serializer.errors), {})

    assert response.data["detail"] == "This field is required."
