"""Under the production settings' storage (an S3-compatible bucket, MinIO in docker-compose.yml), a logo uploaded
through the organization service is stored in the bucket, and the address its page links to answers the image.

The bucket is moto's S3 server, on 127.0.0.1 for this test; the storage settings are production's own, read from
``alliance.settings.production`` with the environment docker-compose.yml gives it."""

import importlib
import io
import json
import re
import socket
import sys
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from moto.server import ThreadedMotoServer
from PIL import Image

from members import services
from tests.members.factories import AdminAffiliationFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

BUCKET = "portal-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": ["*"]},
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
        }
    ],
}
PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _s3(endpoint: str):
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, with the media bucket as docker-compose.yml's minio-setup leaves it: created,
    and readable by anyone (``mc anonymous set download``), for the plain /media/ links."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _s3(endpoint).create_bucket(Bucket=BUCKET)
        _s3(endpoint).put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
        yield endpoint
    finally:
        # moto keeps its buckets in this process, whichever server: leave none behind for the next test
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10)
        server.stop()


def production_storages(monkeypatch, endpoint: str, **environment: str) -> dict:
    """``STORAGES`` as ``alliance.settings.production`` builds it from this environment (static files as in tests)."""
    for name, value in {
        "ALLOWED_HOSTS": "portal.example.org",
        "EMAIL_URL": "consolemail://",
        "MEDIA_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": endpoint,
        "MEDIA_S3_ACCESS_KEY_ID": "portal-media",
        "MEDIA_S3_SECRET_ACCESS_KEY": "not-a-secret",
        "MEDIA_PUBLIC_DOMAIN": "",
        **environment,
    }.items():
        monkeypatch.setenv(name, value)
    sys.modules.pop("alliance.settings.production", None)
    try:
        production = importlib.import_module("alliance.settings.production")
    finally:
        sys.modules.pop("alliance.settings.production", None)
    assert production.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    return {"default": production.STORAGES["default"], "staticfiles": settings.STORAGES["staticfiles"]}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload_and_follow_the_link(client) -> tuple[str, bytes, str, object]:
    """An admin uploads a logo (a PNG with a payload behind it) through the service; a visitor follows the page's
    link to it. Answers the link, the bytes it served, their type, and the organization."""
    affiliation = AdminAffiliationFactory(organization=OrganizationFactory(name="Aurora Labs"))
    organization = services.organization_update(
        actor=affiliation.person,
        organization=affiliation.organization,
        logo=SimpleUploadedFile("logo.png", _png() + PAYLOAD, content_type="image/png"),
    )
    page = client.get(organization.get_absolute_url()).content.decode()
    link = re.search(r'<img src="([^"]+)" alt="Logo of', page).group(1).replace("&amp;", "&")
    assert link.startswith("http://127.0.0.1:"), link  # the bucket's address, never the portal's
    with urllib.request.urlopen(link, timeout=10) as answer:
        return link, answer.read(), answer.headers["Content-Type"], organization


def test_a_logo_is_served_from_the_bucket_at_the_signed_address_its_page_links_to(client, monkeypatch, s3_endpoint):
    # given production's storage, without a public address for the bucket (pages link to signed URLs)
    storages = production_storages(monkeypatch, s3_endpoint)

    with override_settings(STORAGES=storages):
        # when an admin uploads a logo and a visitor follows the link on the organization's page
        link, body, content_type, organization = _upload_and_follow_the_link(client)

        # then the link is a signed URL of the object, which answers the re-encoded PNG
        assert f"/{BUCKET}/logos/" in link and "X-Amz-Signature=" in link
        assert content_type == "image/png"
        assert Image.open(io.BytesIO(body)).size == (40, 30) and PAYLOAD not in body
        stored = _s3(s3_endpoint).get_object(Bucket=BUCKET, Key=organization.logo.name)
        assert stored["Body"].read() == body
        assert stored["CacheControl"] == "public, max-age=86400"


def test_with_a_public_address_the_page_links_to_a_plain_url_that_answers_the_logo(client, monkeypatch, s3_endpoint):
    # given production's storage with MEDIA_PUBLIC_DOMAIN: the address the proxy routes to the bucket (Caddy's
    # /media/ in docker-compose.yml; here the bucket's own address, which moto serves without a signature)
    host = s3_endpoint.removeprefix("http://")
    storages = production_storages(
        monkeypatch, s3_endpoint, MEDIA_PUBLIC_DOMAIN=f"{host}/{BUCKET}", MEDIA_PUBLIC_PROTOCOL="http:"
    )

    with override_settings(STORAGES=storages):
        link, body, content_type, organization = _upload_and_follow_the_link(client)

    # then the link is plain (no signature, nothing that expires) and answers the logo
    assert link == f"{s3_endpoint}/{BUCKET}/{organization.logo.name}"
    assert content_type == "image/png"
    assert Image.open(io.BytesIO(body)).format == "PNG" and PAYLOAD not in body
