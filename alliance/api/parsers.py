"""Request bodies the API reads: JSON with a nesting limit, and forms without NUL characters.

Python's ``json`` module recurses once per nesting level, so 2 KB of ``[[[[...`` raise ``RecursionError`` (a 500)
before any view runs. The depth is measured first, without recursion and without decoding, and a body nested
deeper than ``MAX_JSON_DEPTH`` is refused as unreadable JSON (400), like any other malformed body.
"""

import io
import re
from collections.abc import Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 64

# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_STRINGS_AND_BRACKETS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_too_deep(body: bytes, *, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` nests arrays and objects deeper than ``limit`` (malformed JSON is left to the parser)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # cannot be deeper than the number of brackets it opens
    depth = 0
    for match in _STRINGS_AND_BRACKETS.finditer(body):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


def refuse_deep_json(body: bytes) -> None:
    if json_too_deep(body):
        raise ParseError(f"JSON parse error - it is nested more than {MAX_JSON_DEPTH} levels deep")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body nested deeper than ``MAX_JSON_DEPTH`` instead of recursing into it."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        body = stream.read() if stream is not None else b""
        refuse_deep_json(body)
        return super().parse(io.BytesIO(body), media_type, parser_context)


class FormParser(parsers.FormParser):
    """DRF's form parser; fields holding a NUL character are refused (Django parses POST forms before the guard,
    DRF parses PUT and PATCH forms itself)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        from alliance.guards import refuse_nul_in_fields

        data = super().parse(stream, media_type, parser_context)
        refuse_nul_in_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser; text fields holding a NUL character are refused, file contents never looked at."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        from alliance.guards import refuse_nul_in_fields

        result = super().parse(stream, media_type, parser_context)
        refuse_nul_in_fields(result.data)
        for name in result.files:
            refuse_nul_in_fields({name: [upload.name or "" for upload in result.files.getlist(name)]})
        return result
