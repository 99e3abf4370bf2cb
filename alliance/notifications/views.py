"""Pages of the notification backbone: the inbox, the email preferences, one-click unsubscribe, failed mail.

Views read through ``alliance.notifications`` and write only through its services. Marking one notification
read answers an htmx request with the updated row (and the header's count, out of band) and a plain form post
with a redirect, so the inbox works without JavaScript too.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from .. import notifications
from ..errors import DomainError
from ..models import Notification, NotificationPreference
from ..pages import filtered_list_page, form_error, is_internal_path, refusal_of, safe_next, staff_required
from .forms import InboxFilterForm, PreferencesForm

INBOX_PAGE_SIZE = 20
FAILED_PAGE_SIZE = 50


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (the type its documentation recommends)."""

    htmx: HtmxDetails


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first, paginated, filtered by read or unread and by category.

    The same number of queries for 5 or 500, filtered or not; a filter value that is not offered answers 400.
    """
    form = InboxFilterForm(request.GET)
    filters = form.filters()
    response = filtered_list_page(
        request,
        notifications.inbox(person=request.user, **filters),
        form=form,
        filters=filters,
        page_size=INBOX_PAGE_SIZE,
        name="items",
        template="alliance/notifications/inbox.html",
        results_template="alliance/notifications/partials/inbox_results.html",
    )
    if form.errors:
        response.status_code = 400
    return response


@login_required
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Following a notification's link from the inbox: it is marked read, then the person goes to its page.

    Only a path on this site is followed; any other stored link (another host, a scheme) leads back to the inbox.
    """
    notification = get_object_or_404(notifications.inbox(person=request.user), pk=pk)
    notifications.notification_mark_read(actor=request.user, notification=notification)
    return redirect(notification.url if is_internal_path(notification.url) else reverse("inbox"))


@login_required
@require_POST
def inbox_mark_read(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Someone else's notification answers 404: the inbox holds one's own only."""
    notification = get_object_or_404(notifications.inbox(person=request.user), pk=pk)
    notifications.notification_mark_read(actor=request.user, notification=notification)
    if request.htmx:
        return render(
            request,
            "alliance/notifications/partials/inbox_row.html",
            {"item": notification, "unread_count_oob": notifications.unread_count(person=request.user)},
        )
    return redirect(safe_next(request, reverse("inbox")))


@login_required
@require_POST
def inbox_mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = notifications.notifications_mark_all_read(actor=request.user)
    messages.success(
        request, f"{marked} notification{'s' if marked != 1 else ''} marked read." if marked else "Nothing was unread."
    )
    return redirect("inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Which kinds of email the person gets (in their own language, chosen on their profile); transactional mail
    always goes."""
    current = notifications.email_preferences(person=request.user)
    initial: dict[str, Any] = {f"email_{kind}": enabled for kind, enabled in current.items()}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            for kind, enabled in form.email_choices().items():
                if current[kind] != enabled:
                    notifications.notification_preference_set(person=request.user, kind=kind, email_enabled=enabled)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, "Your email preferences were saved.")
            return redirect("notification_preferences")
    return render(
        request,
        "alliance/notifications/preferences.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@csrf_exempt  # mail clients post RFC 8058 one-click unsubscribes without a CSRF token; the signed token is the key
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link turns off and a button; POST (the button, or the mail client) turns it off.

    No sign-in needed: the token is signed and names one person and one kind, so it works for nothing else.
    A token we did not sign answers 400; one for a person who no longer exists, 404.
    """
    try:
        person_id, kind = notifications.unsubscribe_token_read(token)
    except signing.BadSignature:
        return render(request, "alliance/notifications/unsubscribe_invalid.html", status=400)
    person = get_user_model().objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        raise Http404("This link is for an account that no longer exists.")
    context = {"kind_label": NotificationPreference.Kind(kind).label, "email": person.email, "done": False}
    if request.method == "POST":
        notifications.notification_preference_set(person=person, kind=kind, email_enabled=False)
        context["done"] = True
    return render(request, "alliance/notifications/unsubscribe.html", context)


@staff_required
def failed_notifications(request: HttpRequest) -> HttpResponse:
    """Staff see the notifications that could not be delivered after every attempt, and can retry them."""
    page = Paginator(notifications.notifications_failed(), FAILED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "alliance/notifications/failed.html",
        {"page_obj": page, "items": page.object_list, "query_string": ""},
    )


@staff_required
@require_POST
def failed_notification_retry(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk)
    refusal = refusal_of(notifications.notification_retry, actor=request.user, notification=notification)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, f"The notification to {notification.email} will be sent again.")
    return redirect("failed_notifications")
