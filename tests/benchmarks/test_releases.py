"""Releases: publication freezes release 1; the SHA-256 the API lists is that of the exact bytes it serves; a
removal after an objection makes release 2 with a changelog, and release 1 stays byte for byte what it was."""

import csv
import hashlib
import io
import json

import pytest

from projects.benchmarks import services
from tests.api_matrix import API, client_as

from .conftest import in_state

pytestmark = pytest.mark.django_db


def releases(registry) -> list[dict]:
    response = client_as(None).get(f"{API}/rounds/{registry.round.pk}/releases/")
    assert response.status_code == 200
    return response.json()


def download(registry, version: int, extension: str):
    response = client_as(None).get(f"{API}/rounds/{registry.round.pk}/releases/{version}/results.{extension}")
    assert response.status_code == 200, response.content
    return response


def test_the_served_sha256_is_that_of_the_exact_bytes_of_each_file(registry):
    # given a published round
    in_state(registry, "published")

    # when a reader lists the releases and downloads release 1
    (listed,) = releases(registry)
    served = {extension: download(registry, 1, extension) for extension in ("csv", "json")}

    # then each file's bytes hash to the SHA-256 the list gives (and the response's ETag carries it)
    assert listed["version"] == 1 and listed["changelog"] and listed["published_at"]
    for extension, response in served.items():
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == listed["sha256"][extension]
        assert response["ETag"] == f'"{digest}"'
        assert response["Content-Disposition"].endswith(f'-release-1.{extension}"')
    assert served["csv"]["Content-Type"].startswith("text/csv")
    assert served["json"]["Content-Type"] == "application/json"
    # and the files hold every published result: A's and B's, with their intervals
    rows = list(csv.DictReader(io.StringIO(served["csv"].content.decode())))
    primary = {row["organization"]: row for row in rows if row["metric"] == "accuracy"}
    assert set(primary) == {"aurora-labs", "borealis-ai"}
    assert (primary["aurora-labs"]["value"], primary["aurora-labs"]["ci_low"]) == ("81.0", "79.0")
    document = json.loads(served["json"].content)
    assert document["release"] == 1
    assert {entry["organization"]["slug"] for entry in document["results"]} == {"aurora-labs", "borealis-ai"}


def test_a_removal_makes_release_2_and_release_1_is_unchanged_byte_for_byte(registry):
    # given a published round and the bytes of its release 1
    in_state(registry, "published")
    before = {extension: download(registry, 1, extension).content for extension in ("csv", "json")}

    # when the objection to B's published result is upheld with a removal
    services.objection_uphold(
        actor=registry.staff, objection=registry.objection, outcome="remove", reason="Not obtainable."
    )

    # then release 2 exists with a changelog naming the removal, without B's result
    first, second = releases(registry)
    assert (first["version"], second["version"]) == (1, 2)
    assert "removed after an objection" in second["changelog"] and "Not obtainable." in second["changelog"]
    newer = {extension: download(registry, 2, extension).content for extension in ("csv", "json")}
    assert b"borealis-ai" not in newer["csv"] and b"aurora-labs" in newer["csv"]
    assert hashlib.sha256(newer["csv"]).hexdigest() == second["sha256"]["csv"]
    # and release 1 is served byte for byte as before, with the same SHA-256
    for extension in ("csv", "json"):
        again = download(registry, 1, extension).content
        assert again == before[extension]
        assert hashlib.sha256(again).hexdigest() == first["sha256"][extension]
    assert b"borealis-ai" in before["csv"]


def test_the_schemas_path_with_a_format_parameter_serves_the_same_bytes(registry):
    in_state(registry, "published")
    url = f"{API}/rounds/{registry.round.pk}/releases/1/results/"

    as_csv, as_json = client_as(None).get(url, {"format": "csv"}), client_as(None).get(url)

    assert as_csv.content == download(registry, 1, "csv").content
    assert as_json.content == download(registry, 1, "json").content  # JSON when no format is asked for


def test_an_unknown_release_or_file_is_a_json_404(registry):
    in_state(registry, "published")
    for path in ("releases/3/results.csv", "releases/1/results.xml", "releases/3/results/"):
        response = client_as(None).get(f"{API}/rounds/{registry.round.pk}/{path}")
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json" and response.json()["detail"]
