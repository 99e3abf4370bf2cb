"""The top floor's part of the admin: staff erase an account on a verified request from someone who lost access.

The erasure reads every app, so its action is added here to the members app's people admin (which cannot import the
top floor). It goes through a confirmation page that warns, shows what stands in the way (the only admin of an
organization, lead of a live project, organizer of an upcoming event) and asks for the reason; then it calls
``person_erase``, the service of the API, with the signed-in staff as the actor.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from alliance.errors import DomainError
from alliance.pages import form_error
from members.admin import UserAdmin
from members.models import User

from . import privacy
from .forms import StaffErasureForm

CONFIRMED = "confirm_erasure"


class PersonAdmin(UserAdmin):
    """The people admin with the erasure on a verified request."""

    actions = [*(UserAdmin.actions or []), "erase_on_verified_request"]

    @admin.action(description="Erase the account on a verified request…", permissions=["change"])
    def erase_on_verified_request(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(
                request, "Erase one account at a time: each needs its own verified request and reason.", messages.ERROR
            )
            return None
        person = people[0]
        if person.pk == request.user.pk:
            self.message_user(
                request, "Erase your own account from Your data, with your password: not as staff.", messages.ERROR
            )
            return None
        form = StaffErasureForm(request.POST if CONFIRMED in request.POST else None)
        refusals: list[str] = []
        if form.is_valid():
            try:
                privacy.person_erase(actor=request.user, person=person, reason=form.cleaned_data["reason"])
            except privacy.ErasureRefused as refused:
                refusals = refused.refusals
            except DomainError as error:
                form_error(form, error)
            else:
                # the message names nobody: it is kept in the session until shown
                self.message_user(
                    request, "The account is erased. A last email to its old address confirms it.", messages.SUCCESS
                )
                return None
        else:
            refusals = privacy.erasure_refusals(person, by_staff=True)
        return self._erasure_page(request, person=person, form=form, refusals=refusals)

    def _erasure_page(
        self, request: HttpRequest, *, person: User, form: StaffErasureForm, refusals: list[str]
    ) -> TemplateResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Erase an account on a verified request",
            "opts": self.model._meta,
            "person": person,
            "form": form,
            "refusals": refusals,
            "already_erased": person.erased_at is not None,
            "action": "erase_on_verified_request",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "confirmed": CONFIRMED,
        }
        return TemplateResponse(request, "portal/admin/erase_on_verified_request.html", context)


admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
