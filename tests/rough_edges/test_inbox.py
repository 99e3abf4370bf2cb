"""The inbox's rough edges: the column that holds a notification's category is called "Category"."""

import pytest
from django.urls import reverse
from django.utils import timezone

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


# --- opening a notification marks it read ------------------------------------------------------------------------


def _notification(person, *, kind="events", url="/events/", read=False, subject="A seat") -> Notification:
    return Notification.objects.create(
        recipient=person,
        email=person.email,
        kind=kind,
        subject=subject,
        body="x",
        url=url,
        status="sent",
        read_at=timezone.now() if read else None,
    )


def test_the_inbox_links_go_through_the_open_view(client):
    # given an unread notification with a link
    person = UserFactory()
    notification = _notification(person, url="/organizations/acme/")
    client.force_login(person)

    # when the inbox is shown
    page = client.get(reverse("inbox")).content.decode()

    # then its link opens it through the inbox, not straight to the target
    assert f'href="{reverse("inbox_open", kwargs={"pk": notification.pk})}"' in page
    assert 'href="/organizations/acme/"' not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client):
    person = UserFactory()
    notification = _notification(person, url="/events/?when=past")
    client.force_login(person)

    response = client.get(reverse("inbox_open", kwargs={"pk": notification.pk}))

    assert response.status_code == 302
    assert response["Location"] == "/events/?when=past"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_it_again_keeps_the_first_reading_time(client):
    person = UserFactory()
    notification = _notification(person, read=True)
    first_read = notification.read_at
    client.force_login(person)

    client.get(reverse("inbox_open", kwargs={"pk": notification.pk}))

    notification.refresh_from_db()
    assert notification.read_at == first_read


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "javascript:alert(1)", "events/", ""],
)
def test_opening_never_leaves_the_site_and_still_marks_read(client, url):
    person = UserFactory()
    notification = _notification(person, url=url)
    client.force_login(person)

    response = client.get(reverse("inbox_open", kwargs={"pk": notification.pk}))

    assert response.status_code == 302
    assert response["Location"] == reverse("inbox")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_can_open_another_persons_notification(client):
    notification = _notification(UserFactory())
    client.force_login(UserFactory())

    response = client.get(reverse("inbox_open", kwargs={"pk": notification.pk}))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_needs_a_sign_in(client):
    notification = _notification(UserFactory())

    response = client.get(reverse("inbox_open", kwargs={"pk": notification.pk}))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    notification.refresh_from_db()
    assert notification.read_at is None


# --- read or unread, and the filters -----------------------------------------------------------------------------


def test_each_row_says_whether_it_is_read_or_unread(client):
    person = UserFactory()
    unread = _notification(person, subject="Fresh news")
    read = _notification(person, subject="Old news", read=True)
    client.force_login(person)

    page = client.get(reverse("inbox")).content.decode()

    unread_row = page.split(f'id="notification-{unread.pk}"', 1)[1].split("</tr>", 1)[0]
    read_row = page.split(f'id="notification-{read.pk}"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge badge-unread">Unread</span>' in unread_row
    assert "badge-unread" not in read_row
    assert '<span class="badge badge-read">Read</span>' in read_row


def test_the_inbox_filters_by_unread_and_by_category_without_javascript(client):
    # given read and unread notifications of two categories
    person = UserFactory()
    unread_event = _notification(person, kind="events", subject="Unread event")
    _notification(person, kind="events", subject="Read event", read=True)
    unread_project = _notification(person, kind="projects", subject="Unread project")
    client.force_login(person)

    # when the person filters by a plain GET
    only_unread = client.get(reverse("inbox"), {"unread": "true"})
    only_events_unread = client.get(reverse("inbox"), {"unread": "true", "kind": "events"})
    only_read = client.get(reverse("inbox"), {"unread": "false"})

    # then each answer holds exactly the matching rows, and the form shows the choices made
    assert {n.pk for n in only_unread.context["items"]} == {unread_event.pk, unread_project.pk}
    assert [n.pk for n in only_events_unread.context["items"]] == [unread_event.pk]
    assert [n.subject for n in only_read.context["items"]] == ["Read event"]
    page = only_events_unread.content.decode()
    assert '<form class="filters" method="get" action="/inbox/"' in page
    assert '<option value="events" selected>Events</option>' in page
    assert '<option value="true" selected>Unread</option>' in page
    assert "Clear the filters" in page


def test_a_filtered_inbox_keeps_its_filters_in_the_page_links(client):
    person = UserFactory()
    for number in range(25):
        _notification(person, kind="events", subject=f"Event news {number}")
    client.force_login(person)

    page = client.get(reverse("inbox"), {"kind": "events", "unread": "true"}).content.decode()

    assert "?kind=events&amp;unread=true&amp;page=2" in page


def test_an_unknown_filter_value_is_refused_kindly(client):
    person = UserFactory()
    _notification(person)
    client.force_login(person)

    response = client.get(reverse("inbox"), {"kind": "nonsense"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_an_empty_filtered_inbox_says_so(client):
    person = UserFactory()
    _notification(person, kind="events", read=True)
    client.force_login(person)

    page = client.get(reverse("inbox"), {"unread": "true"}).content.decode()

    assert "No notification matches these filters." in page


@pytest.mark.parametrize("size", [3, 30])
def test_a_filtered_inbox_costs_the_same_queries_for_few_and_many(client, django_assert_num_queries, size):
    person = UserFactory()
    for number in range(size):
        _notification(person, kind="events", subject=f"Event news {number}")
    client.force_login(person)

    # session, user, the page's count, the header's unread count, the header's webhooks link, the page of notifications
    with django_assert_num_queries(6):
        response = client.get(reverse("inbox"), {"kind": "events", "unread": "true"})

    assert len(response.context["items"]) == min(size, 20)


def test_the_api_filters_by_category_and_unread_and_documents_both():
    from tests.api_matrix import client_as

    person = UserFactory()
    unread_event = _notification(person, kind="events")
    _notification(person, kind="events", read=True)
    _notification(person, kind="projects")
    client = client_as(person)

    rows = client.get("/api/v1/notifications/", {"kind": "events", "unread": "true"}).json()["results"]
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert [row["id"] for row in rows] == [unread_event.pk]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/notifications/"]["get"]["parameters"]}
    assert "category" in parameters["kind"]["description"].lower()
    assert "unread" in parameters["unread"]["description"].lower()
