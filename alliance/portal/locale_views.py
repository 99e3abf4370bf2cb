"""The language switcher: Django's ``set_language`` (the cookie, a safe ``next``), and for a signed-in person their
saved language too, which would otherwise win over the cookie on the next page (``alliance.locale``)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from alliance import locale
from alliance.errors import DomainError


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponse("Choose one of the languages offered.", status=400, content_type="text/plain")
    if request.user.is_authenticated:
        try:
            locale.person_language_set(person=request.user, language=language)
        except DomainError as error:  # pragma: no cover - checked above; the service is the rule
            return HttpResponse(str(error), status=400, content_type="text/plain")
    return set_language(request)
