from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """Lists answer ``count``, ``next``, ``previous`` and ``results``; ``page_size`` goes up to 100.

    ``page`` is a number from 1 (``last`` names the last page) and ``page_size`` one from 1 (a larger one than 100
    gives 100): anything else is a 400 saying so (never silently another page or size); a page past the last one is
    a 404 (documented by ``alliance.api.schema``).
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request: Any, paginator: Any) -> Any:
        number = request.query_params.get(self.page_query_param, 1)  # given empty, it is not a number either
        if number in self.last_page_strings:
            return number
        if not str(number).isdigit() or int(number) < 1:
            raise ValidationError({self.page_query_param: ["A page number is a whole number from 1."]})
        return number

    def get_page_size(self, request: Any) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["A page size is a whole number from 1."]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = f"Number of results to return per page: {self.max_page_size} at most."
        return parameters
