"""Views nested under a parent found by its slug, such as /organizations/{organization_slug}/invitations/."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework.request import Request

ParentT = TypeVar("ParentT", bound=Model)


class ParentScopedMixin(Generic[ParentT]):
    """The parent must be visible to the caller, or the view answers 404; staff and its managers manage it.

    A subclass names the URL keyword that holds the parent's slug, the selector of the parents a person may see,
    and the rule that says who manages one. Both answers are kept for the rest of the request.
    """

    parent_slug_kwarg: str
    visible_parents: Callable[[Any], QuerySet[ParentT]]  # (person) -> the parents they may see
    is_manager: Callable[[Any, ParentT], bool]  # (person, parent) -> whether they manage it (staff always do)

    kwargs: dict[str, Any]
    request: Request

    def get_parent(self) -> ParentT:
        if not hasattr(self, "_parent"):
            self._parent = get_object_or_404(
                self.visible_parents(self.request.user), slug=self.kwargs[self.parent_slug_kwarg]
            )
        return self._parent

    def manages_parent(self) -> bool:
        if not hasattr(self, "_manages"):
            person, parent = self.request.user, self.get_parent()
            self._manages = bool(getattr(person, "is_staff", False)) or self.is_manager(person, parent)
        return self._manages
