"""Uploaded images, made safe to store and serve: a pixel budget checked before decoding, then a fresh encoding.

A PNG of 17 KB can declare 12000×12000 pixels and take half a gigabyte to decode; Pillow itself refuses only
past about 179 megapixels. The header gives the size without decoding, so the budget is checked first. Then
the image is decoded and written again by Pillow: whatever rode along in the file (a script or an archive
appended after the image data, EXIF and text chunks, an ICC profile, thumbnails) is not part of the new file,
so a polyglot upload cannot be served back as something else.
"""

import io
import warnings
from pathlib import PurePath
from typing import Any

from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError

# What comes in -> what is written out, and its file extension. GIF becomes PNG (lossless, no animation).
OUTPUT_FORMATS = {"PNG": ("PNG", "png"), "JPEG": ("JPEG", "jpg"), "WEBP": ("WEBP", "webp"), "GIF": ("PNG", "png")}
ACCEPTED = "PNG, JPEG, WebP or GIF"


def image_reencode(uploaded_file: Any, *, max_pixels: int, max_bytes: int, field: str = "logo") -> ContentFile:
    """The uploaded image re-encoded in its own format (GIF as PNG), or a DomainError on ``field``.

    Refuses a file over ``max_bytes``, anything Pillow cannot identify as PNG, JPEG, WebP or GIF, and an image
    over ``max_pixels`` (width × height) before decoding a single pixel. Orientation from EXIF is applied, then
    all metadata is dropped. Returns a ``ContentFile`` named after the upload with the right extension.
    """
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise DomainError(
            f"The image is {filesizeformat(size)}; the largest accepted is {filesizeformat(max_bytes)}.", field=field
        )
    uploaded_file.seek(0)
    try:
        with warnings.catch_warnings():
            # Our own budget decides; Pillow's DecompressionBombWarning would only be noise (its error is caught).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(uploaded_file)  # reads the header only
            if image.format not in OUTPUT_FORMATS:
                raise DomainError(f"Upload a {ACCEPTED} image.", field=field)
            width, height = image.size
            if width * height > max_pixels:
                raise DomainError(
                    f"The image is {width}×{height} pixels; the largest accepted is {max_pixels:,} pixels in all "
                    "(for example 1000×1000). Make it smaller and upload it again.",
                    field=field,
                )
            image.load()
            output_format, extension = OUTPUT_FORMATS[image.format]
            image = ImageOps.exif_transpose(image)  # type: ignore[assignment]  # an Image, no longer the file's
    except Image.DecompressionBombError as error:
        raise DomainError("The image has far too many pixels to be accepted.", field=field) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DomainError(f"This file is not a readable {ACCEPTED} image.", field=field) from error

    buffer = io.BytesIO()
    _save_without_metadata(image, buffer, output_format)
    if buffer.tell() > max_bytes:
        raise DomainError(
            f"The image is {filesizeformat(buffer.tell())} once saved; the largest accepted is "
            f"{filesizeformat(max_bytes)}.",
            field=field,
        )
    stem = PurePath(getattr(uploaded_file, "name", "") or "image").stem
    name = f"{get_valid_filename(stem) or 'image'}.{extension}"
    return ContentFile(buffer.getvalue(), name=name)


def _save_without_metadata(image: Image.Image, buffer: io.BytesIO, output_format: str) -> None:
    """Write the pixels only: no EXIF, ICC profile, text chunks or comments reach the encoder.

    Pillow's encoders write some of ``image.info`` by default (a JPEG's comment, an ICC profile), so it is emptied
    first; only a palette image's transparency, which is part of its pixels, is kept.
    """
    transparency = image.info.get("transparency")
    image.info = {}
    if output_format == "JPEG":
        if image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
        image.save(buffer, format="JPEG", quality=85, optimize=True)
    elif output_format == "WEBP":
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if "A" in image.getbands() or transparency is not None else "RGB")
        image.save(buffer, format="WEBP", quality=85)
    else:
        if image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}:
            image = image.convert("RGBA")
        options = {"transparency": transparency} if transparency is not None else {}
        image.save(buffer, format="PNG", optimize=True, **options)
