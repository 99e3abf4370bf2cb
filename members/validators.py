from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


def validate_logo_size(file) -> None:
    """Logos are small images; a larger upload is refused before it is stored."""
    if file.size > settings.LOGO_MAX_BYTES:
        largest = filesizeformat(settings.LOGO_MAX_BYTES)
        raise ValidationError(f"The logo is {filesizeformat(file.size)}; the largest accepted is {largest}.")
