"""The OpenAPI schema tells the truth about errors: drf-spectacular's postprocessing hook ``document_errors``.

Every operation can answer, besides what its view documents, an error in the one JSON shape
(``alliance.api.errors``): 400 (a request refused before any view: a NUL character, JSON nested too deep or
unreadable; or a query parameter out of its enum), 401 (a token that is unknown, expired or revoked; no
credentials where they are needed), 403 (no right to act), 404 for an address naming something that does not
exist or that the caller may not see (or a page past a list's last), and, for operations that take a body, 409
(someone else is changing the same thing: try again) and 413 (a body too large). Each such answer is documented
with the ``Error`` component, and the error answers views documented without a body get it too.
"""

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error the API answers: a sentence, and for invalid input the messages of each field.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in a sentence a person understands."},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "For invalid input: the messages of each field (nested for lists and objects).",
        },
    },
    "required": ["detail"],
}

ALWAYS = {
    "400": "The request could not be accepted (a NUL character, unreadable JSON, an invalid value): see detail.",
    "401": "The credentials are missing where needed, or the token is unknown, expired or revoked.",
    "403": "Not permitted: see detail.",
}
NOT_FOUND = {"404": "Nothing at this address, or nothing the caller may see (for a list: a page past the last)."}
WITH_BODY = {
    "409": "Someone else is changing the same thing right now: nothing was changed; try again.",
    "413": "The request body is too large to be accepted. Nothing was changed.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}

# Members of an un-discriminated ``oneOf`` that an instance of another member would also match: they are closed
# (no additional properties), so an answer matches exactly one. The organization's people list answers either
# OrganizationPerson (admins and staff) or ListedPerson (everyone else), whose fields OrganizationPerson includes.
CLOSED_COMPONENTS = ["ListedPerson"]


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[ERROR_COMPONENT] = ERROR_SCHEMA
    for name in CLOSED_COMPONENTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    error_content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            extra = dict(ALWAYS)
            paged = any(parameter.get("name") == "page" for parameter in operation.get("parameters", []))
            if "{" in path or paged:
                extra.update(NOT_FOUND)
            if method in WRITE_METHODS:
                extra.update(WITH_BODY)
            responses = operation["responses"]
            for code, description in extra.items():
                responses.setdefault(code, {"description": description})
            for code, response in responses.items():
                if code.startswith(("4", "5")) and "content" not in response:
                    response["content"] = error_content
    return result
