"""The sign-in backends, loading the signed-in person together with what every page's header needs of them.

The grace banner of base.html asks whether one of the person's organizations is in its grace period; that is a
subquery of the one query that loads the person for each request (``selectors.person_grace_expression``), so the
banner costs no query of its own and follows the clock on every request.
"""

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from .models import User
from .selectors import person_grace_expression


class _PersonWithMembership:
    def get_user(self, user_id: Any) -> User | None:
        person = User.objects.annotate(membership_grace=person_grace_expression()).filter(pk=user_id).first()
        return person if person is not None and self.user_can_authenticate(person) else None  # type: ignore[attr-defined]


class ModelBackend(_PersonWithMembership, DjangoModelBackend):
    """Django's password backend (the admin and ``force_login``), loading the person with their grace banner."""


class AuthenticationBackend(_PersonWithMembership, AllauthBackend):
    """allauth's backend (email sign-in), loading the person with their grace banner."""
