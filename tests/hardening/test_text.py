"""Names and slugs: one normal form, no invisible or direction-changing characters (look-alike names)."""

import pytest

from alliance.errors import DomainError
from alliance.text import clean_name, clean_slug


def test_a_name_is_nfkc_normalized_and_trimmed():
    # given full-width letters and a ligature, as a keyboard in another script might type them
    # when / then
    assert clean_name("  Ａｃｍｅ ﬁne Labs ", field="name") == "Acme fine Labs"


def test_an_ordinary_name_in_any_script_is_kept():
    assert clean_name("Zürich Čapek 東京 عربي", field="name") == "Zürich Čapek 東京 عربي"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("\u202eemcA", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Acme\u202a", "U+202A"),
        ("Ac\u2066me\u2069", "U+2066"),
        ("Ac\u200bme", "U+200B ZERO WIDTH SPACE"),
        ("Ac\u200dme", "U+200D"),
        ("\ufeffAcme", "U+FEFF"),
        ("Acme\x00", "U+0000"),
        ("Acme\nLabs", "U+000A"),
        ("Acme\rLabs", "U+000D"),
        ("Acme\x7f", "U+007F"),
    ],
)
def test_a_name_with_a_control_bidi_or_invisible_character_is_refused_on_its_field(value, named):
    with pytest.raises(DomainError) as refused:
        clean_name(value, field="name")

    assert refused.value.field == "name"
    assert named in refused.value.message
    assert "visible text" in refused.value.message


def test_a_slug_is_normalized_to_lower_case():
    assert clean_slug(" Ａcme-Labs-2 ") == "acme-labs-2"


@pytest.mark.parametrize("value", ["acme\u200b", "\u202eacme", "\ufeffacme", "acme\x00"])
def test_a_slug_with_an_invisible_character_is_refused(value):
    with pytest.raises(DomainError) as refused:
        clean_slug(value, field="slug")

    assert refused.value.field == "slug"
    assert "invisible or control character" in refused.value.message


@pytest.mark.parametrize("value", ["acme labs", "acme--labs", "-acme", "acmé", "acme/labs", ""])
def test_a_slug_outside_a_z_digits_and_single_hyphens_is_refused(value):
    with pytest.raises(DomainError) as refused:
        clean_slug(value)

    assert refused.value.field == "slug"
    assert "lower-case letters" in refused.value.message
