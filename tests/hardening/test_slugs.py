"""unique_slug: one query whatever the number of rows that share the title."""

import pytest

from alliance.slugs import unique_slug
from projects.models import FocusArea
from tests.projects.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("duplicates", [1, 12])
def test_unique_slug_makes_one_query_however_many_duplicates_exist(django_assert_num_queries, duplicates):
    # given "safety", "safety-2" ... already taken, and look-alikes that do not count
    FocusAreaFactory(name="Safety", slug="safety")
    for number in range(2, duplicates + 1):
        FocusAreaFactory(name=f"Safety {number}", slug=f"safety-{number}")
    FocusAreaFactory(name="Safety research", slug="safety-research")

    # when
    with django_assert_num_queries(1):
        slug = unique_slug(FocusArea, "Safety", fallback="focus-area")

    # then
    assert slug == f"safety-{duplicates + 1}"


def test_unique_slug_takes_the_title_itself_when_free_and_fills_the_first_gap():
    assert unique_slug(FocusArea, "Open Data!", fallback="focus-area") == "open-data"

    FocusAreaFactory(name="Open data", slug="open-data")
    FocusAreaFactory(name="Open data 3", slug="open-data-3")

    assert unique_slug(FocusArea, "Open Data", fallback="focus-area") == "open-data-2"
    assert unique_slug(FocusArea, "!!!", fallback="focus-area") == "focus-area"
