"""The inbox's rough edges: the column that holds a notification's category is called "Category"."""

import pytest
from django.urls import reverse

from alliance.models import Notification
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_inbox_column_of_the_category_is_called_category(client):
    person = UserFactory()
    Notification.objects.create(
        recipient=person, email=person.email, kind="events", subject="A seat", body="x", status="sent"
    )
    client.force_login(person)

    page = client.get(reverse("inbox")).content.decode()
    headings = page.split("<thead>", 1)[1].split("</thead>", 1)[0]

    assert '<th scope="col">Category</th>' in headings
    assert ">Status<" not in headings
    assert '<span class="badge">Events</span>' in page
