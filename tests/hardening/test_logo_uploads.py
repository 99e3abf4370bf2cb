"""Organization logos, through every way in (the register page, the profile form, the API, the admin's service):
refused past the pixel budget before decoding, re-encoded so that nothing riding along is stored; and, kept in
the local folder, served by the portal at the address the organization's page links to."""

import io
import re
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from members.models import Organization
from tests.members.factories import AdminAffiliationFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

PAYLOAD = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04"


def _png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _bomb(width=12000, height=12000) -> bytes:
    """A valid PNG of width × height pixels that weighs a few kilobytes (the issue's 17 KB one)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _upload(content: bytes, name="logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def _register_data(**overrides):
    return {"name": "Open Health Lab", "kind": Organization.Kind.HEALTHCARE, "country": "NL", **overrides}


@pytest.fixture
def admin_and_organization():
    affiliation = AdminAffiliationFactory(organization=OrganizationFactory(name="Aurora Labs"))
    return affiliation.person, affiliation.organization


def _api_as(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_the_12000_by_12000_png_is_refused_on_the_register_page_and_nothing_is_created(client):
    # given a signed-in person and a 144-megapixel PNG of a few kilobytes
    client.force_login(UserFactory())
    bomb = _bomb()
    assert len(bomb) < 200 * 1024

    # when
    response = client.post(reverse("members:organization_register"), _register_data(logo=_upload(bomb)))

    # then: the form says why, on the logo field
    assert response.status_code == 200
    assert "12000×12000 pixels" in " ".join(response.context["form"].errors["logo"])
    assert not Organization.objects.filter(name="Open Health Lab").exists()


def test_the_12000_by_12000_png_is_refused_by_the_api_on_register_and_on_update(admin_and_organization):
    admin, organization = admin_and_organization

    registered = _api_as(UserFactory()).post(
        "/api/v1/organizations/", _register_data(logo=_upload(_bomb())), format="multipart"
    )
    updated = _api_as(admin).patch(
        f"/api/v1/organizations/{organization.slug}/", {"logo": _upload(_bomb())}, format="multipart"
    )

    assert registered.status_code == 400
    assert "12000×12000 pixels" in registered.json()["errors"]["logo"][0]
    assert updated.status_code == 400
    assert "largest accepted is 4,000,000 pixels" in updated.json()["errors"]["logo"][0]
    organization.refresh_from_db()
    assert not organization.logo


def test_a_polyglot_logo_is_stored_re_encoded_through_the_api(admin_and_organization):
    # given a PNG with an HTML and ZIP payload after its end
    admin, organization = admin_and_organization
    polyglot = _png() + PAYLOAD

    # when
    response = _api_as(admin).patch(
        f"/api/v1/organizations/{organization.slug}/", {"logo": _upload(polyglot, "x.png")}, format="multipart"
    )

    # then: the stored file is the image alone
    assert response.status_code == 200, response.content
    organization.refresh_from_db()
    stored = organization.logo.open("rb").read()
    assert b"<script>" not in stored and b"PK\x03\x04" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_a_gif_logo_becomes_a_png_through_the_profile_form(client, admin_and_organization):
    admin, organization = admin_and_organization
    client.force_login(admin)
    gif = io.BytesIO()
    Image.new("P", (16, 16)).save(gif, format="GIF", comment=PAYLOAD)

    response = client.post(
        reverse("members:my_organization", kwargs={"slug": organization.slug}),
        {
            "name": organization.name,
            "kind": organization.kind,
            "country": str(organization.country),
            "website": organization.website,
            "description": organization.description,
            "logo": SimpleUploadedFile("logo.gif", gif.getvalue(), content_type="image/gif"),
        },
    )

    assert response.status_code == 302, response.content[:2000]
    organization.refresh_from_db()
    assert organization.logo.name.startswith("logos/logo") and organization.logo.name.endswith(".png")
    stored = organization.logo.open("rb").read()
    assert Image.open(io.BytesIO(stored)).format == "PNG"
    assert b"<script>" not in stored


def test_the_embedded_default_serves_the_logo_its_page_links_to(client, tmp_path, admin_and_organization):
    # given the local folder as storage, served by the portal (as the local settings are)
    admin, organization = admin_and_organization
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=str(tmp_path), MEDIA_SERVED_BY_PORTAL=True):
        client.force_login(admin)
        uploaded = _api_as(admin).patch(
            f"/api/v1/organizations/{organization.slug}/", {"logo": _upload(_png() + PAYLOAD)}, format="multipart"
        )
        assert uploaded.status_code == 200, uploaded.content

        # when a visitor opens the organization's page and the logo it links to
        page = client.get(organization.get_absolute_url()).content.decode()
        source = re.search(r'<img src="([^"]+)" alt="Logo of', page).group(1)
        client.logout()
        logo = client.get(source)

        # then the file is the re-encoded image, with its type and nosniff
        assert source.startswith("/media/logos/")
        assert logo.status_code == 200
        assert logo["Content-Type"] == "image/png"
        assert logo["X-Content-Type-Options"] == "nosniff"
        body = b"".join(logo.streaming_content)
        assert Image.open(io.BytesIO(body)).size == (40, 30)
        assert PAYLOAD not in body

    # and without MEDIA_SERVED_BY_PORTAL (production: object storage) the portal serves no files
    with override_settings(STORAGES=storages, MEDIA_ROOT=str(tmp_path), MEDIA_SERVED_BY_PORTAL=False):
        assert client.get(source).status_code == 404


def test_the_local_route_never_leaves_the_media_folder(client, tmp_path):
    (tmp_path.parent / "secret.txt").write_text("not an upload")
    with override_settings(MEDIA_ROOT=str(tmp_path), MEDIA_SERVED_BY_PORTAL=True):
        assert client.get("/media/../secret.txt").status_code == 404
        assert client.get("/media/%2e%2e/secret.txt").status_code == 404
