"""Names and slugs people type: one normal form, and no invisible or direction-changing characters.

A name that looks like another (``Аlliance`` with a Cyrillic A, ``Acme\u200b``, ``\u202eemcA``) misleads the people
who read lists, mail subjects and the audit trail. NFKC folds compatibility forms (full-width letters, ligatures)
into their plain form; what remains that is a control character, a bidirectional embedding/override/isolate, a
zero-width character or a byte-order mark is refused, with the field named so the form shows it in place.
"""

import re
import unicodedata

from .errors import DomainError

# Bidirectional embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069); the implicit marks
# (U+200E, U+200F, U+061C) reorder text just as well.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Zero-width space, non-joiner, joiner, word joiner, invisible operators, Mongolian vowel separator, BOM.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u180e\ufeff")

# What ends a line: names and titles are single-line (an event's title becomes a line of its .ics, a project's a
# mail subject).
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _refused_character(value: str) -> str | None:
    """The first character a name may not hold, or None."""
    for character in value:
        if character in BIDI_CONTROLS or character in INVISIBLE:
            return character
        # Cc: C0/C1 controls (NUL, newline, tab, DEL...); Cf: other format characters; Zl/Zp: the line and
        # paragraph separators; Cs/Co: surrogates and private-use code points, none of which a person means to type
        # in a name.
        if unicodedata.category(character) in {"Cc", "Cf", "Zl", "Zp", "Cs", "Co"}:
            return character
    return None


def _describe(character: str) -> str:
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" {name}" if name else "")


def clean_name(value: str, *, field: str) -> str:
    """``value`` NFKC-normalized with its outer spaces removed, or a DomainError on ``field``.

    For every name and title a person types (organizations, people, projects, events). Refuses control characters
    (line breaks included: names and titles are single-line), bidirectional overrides and isolates, zero-width
    characters and the byte-order mark.
    """
    normalized = unicodedata.normalize("NFKC", value or "").strip()
    refused = _refused_character(normalized)
    if refused in LINE_BREAKS:
        raise DomainError(
            f"Write it on one line: remove the line break ({_describe(refused)}). "
            "Names and titles hold only visible text.",
            field=field,
        )
    if refused is not None:
        raise DomainError(
            f"Remove the invisible or control character {_describe(refused)}: names and titles hold only visible text.",
            field=field,
        )
    return normalized


def clean_slug(value: str, *, field: str = "slug") -> str:
    """``value`` as a slug (NFKC, lower case, ``a-z``, ``0-9`` and single hyphens), or a DomainError on ``field``."""
    normalized = unicodedata.normalize("NFKC", value or "").strip()
    refused = _refused_character(normalized)
    if refused is not None:
        raise DomainError(
            f"Remove the invisible or control character {_describe(refused)} from the address.", field=field
        )
    slug = normalized.lower()
    if not SLUG_PATTERN.fullmatch(slug):
        raise DomainError(
            "Use only lower-case letters a–z, digits and single hyphens between them in the address.", field=field
        )
    return slug
