"""image_reencode: a pixel budget checked before decoding, then a fresh encoding that drops what rode along."""

import io
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from alliance.errors import DomainError
from alliance.images import image_reencode

MAX_PIXELS = 4_000_000
MAX_BYTES = 1024 * 1024
PAYLOAD = b"<script>alert(document.domain)</script>PK\x03\x04polyglot"


def _image_bytes(image_format: str, size=(64, 48), mode="RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 40, 90) if mode == "RGB" else None).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def _upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _huge_png(width: int, height: int) -> bytes:
    """A valid PNG of width × height black pixels that compresses to a few kilobytes (a decompression bomb)."""
    row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_a_12000_by_12000_png_of_a_few_kilobytes_is_refused_before_it_is_decoded():
    # given a 144-megapixel PNG that weighs about 17 KB
    bomb = _huge_png(12000, 12000)
    assert len(bomb) < 200 * 1024

    # when
    started = time.monotonic()
    with pytest.raises(DomainError) as refused:
        image_reencode(_upload(bomb, "bomb.png"), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES)

    # then: refused with the size named, quickly (decoding it would take seconds and half a gigabyte)
    assert time.monotonic() - started < 0.5
    assert refused.value.field == "logo"
    assert "12000×12000 pixels" in refused.value.message
    assert "4,000,000" in refused.value.message


@pytest.mark.parametrize(("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_png_jpeg_and_webp_keep_their_format_and_pixels(image_format, extension):
    original = _image_bytes(image_format)

    result = image_reencode(_upload(original, f"logo.{extension}"), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES)

    reopened = Image.open(io.BytesIO(result.read()))
    assert reopened.format == image_format
    assert reopened.size == (64, 48)
    assert result.name == f"logo.{extension}"


def test_a_gif_becomes_a_png():
    result = image_reencode(
        _upload(_image_bytes("GIF", mode="P"), "logo.gif"), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES
    )

    assert Image.open(io.BytesIO(result.read())).format == "PNG"
    assert result.name == "logo.png"


def test_a_payload_appended_after_the_image_and_its_metadata_are_dropped():
    # given a PNG with a text chunk and an HTML/ZIP payload after its end, and a JPEG with EXIF and a comment
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", PAYLOAD.decode("latin-1"))
    png = _image_bytes("PNG", pnginfo=text) + PAYLOAD
    exif = Image.Exif()
    exif[0x010E] = PAYLOAD.decode("latin-1")  # ImageDescription
    jpeg = _image_bytes("JPEG", exif=exif.tobytes(), comment=PAYLOAD)

    # when
    clean_png = image_reencode(_upload(png, "logo.png"), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES).read()
    clean_jpeg = image_reencode(_upload(jpeg, "logo.jpg"), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES).read()

    # then
    assert PAYLOAD in png and PAYLOAD in jpeg
    assert b"<script>" not in clean_png and b"polyglot" not in clean_png
    assert b"<script>" not in clean_jpeg and b"Exif" not in clean_jpeg
    assert Image.open(io.BytesIO(clean_jpeg)).getexif() == {}


def test_the_exif_orientation_is_applied_before_the_metadata_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    jpeg = _image_bytes("JPEG", size=(64, 48), exif=exif.tobytes())

    result = image_reencode(_upload(jpeg, "photo.jpg"), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES)

    assert Image.open(io.BytesIO(result.read())).size == (48, 64)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.svg"),
        (b"GIF89a<html><script>alert(1)</script>", "logo.gif"),
        (b"not an image at all", "logo.png"),
        (_image_bytes("BMP"), "logo.bmp"),
        (_image_bytes("PNG")[:60], "truncated.png"),
    ],
)
def test_what_is_not_a_readable_png_jpeg_webp_or_gif_is_refused(content, name):
    with pytest.raises(DomainError) as refused:
        image_reencode(_upload(content, name), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES)

    assert refused.value.field == "logo"
    assert "PNG, JPEG, WebP or GIF" in refused.value.message


def test_a_file_over_the_byte_budget_is_refused_before_it_is_opened():
    with pytest.raises(DomainError) as refused:
        image_reencode(_upload(_image_bytes("PNG"), "logo.png"), max_pixels=MAX_PIXELS, max_bytes=100)

    assert "the largest accepted is 100" in refused.value.message


def test_the_file_name_is_made_safe():
    result = image_reencode(
        _upload(_image_bytes("PNG"), "../../etc/<evil> name.png"), max_pixels=MAX_PIXELS, max_bytes=MAX_BYTES
    )

    assert result.name == "evil_name.png"
