"""Figures of a plan (專案實施前後示意圖, 設備照片): images checked by their content,
downscaled for print, and written into documents as base64 chunks.

A stored figure is always an image Pillow decoded and encoded again (PNG stays
PNG, JPEG stays JPEG), at most PRINT_MAX_SIDE pixels on its long side, so that
nothing but a plain image is ever stored, printed or served.

In an `offset-plan/1` document a figure's bytes travel as a list of base64
strings of at most CHUNK_CHARS characters each: the format allows no string
over 20,000 characters, and a list of up to 1,000 of them is far more than the
5,000,000-byte document limit lets through anyway."""

import base64
import hashlib
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # an upload, before downscaling
MAX_PIXELS = 40_000_000  # decompression bombs: refused before they are decoded
PRINT_MAX_SIDE = 1600  # pixels on the long side once stored
STORED_MAX_BYTES = 1_500_000  # one stored figure (what travels in a document)
PLAN_MAX_BYTES = 3_000_000  # all figures of a plan: base64 keeps a document under 5,000,000
PLAN_MAX_FIGURES = 12
CHUNK_CHARS = 16_000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg"}


class FigureError(ValueError):
    """The file is not an image the plan can print."""


@dataclass(frozen=True)
class PrintImage:
    content: bytes
    media_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def print_image(content: bytes) -> PrintImage:
    """The image `content` holds, as it is stored for print; FigureError if it is
    no PNG or JPEG, is too large, or has too many pixels."""
    if len(content) > UPLOAD_MAX_BYTES:
        raise FigureError(_("圖片不可超過 10 MB。"))
    try:
        with Image.open(io.BytesIO(content)) as probe:
            kind = probe.format
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise FigureError(_("僅接受 PNG 或 JPEG 圖片；以檔案內容判斷格式。")) from None
    if kind not in FORMATS:
        raise FigureError(_("僅接受 PNG 或 JPEG 圖片；以檔案內容判斷格式。"))
    if width * height > MAX_PIXELS:
        raise FigureError(_("圖片的像素過多（上限四千萬像素）。"))
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = _upright(image)
            image.thumbnail((PRINT_MAX_SIDE, PRINT_MAX_SIDE), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            if kind == "JPEG":
                if image.mode not in ("RGB", "L"):
                    image = image.convert("RGB")
                image.save(out, "JPEG", quality=85, optimize=True)
            else:
                if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    image = image.convert("RGBA")
                image.save(out, "PNG", optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise FigureError(_("圖片無法讀取，請確認檔案完整。")) from None
    stored = out.getvalue()
    if len(stored) > STORED_MAX_BYTES:
        raise FigureError(_("圖片縮小後仍超過 1.5 MB，請改用 JPEG 或較簡單的圖片。"))
    return PrintImage(stored, FORMATS[kind])


def _upright(image: Image.Image) -> Image.Image:
    """A photo as the camera held it (its EXIF orientation applied)."""
    from PIL import ImageOps

    return ImageOps.exif_transpose(image) or image


def document_image(content: bytes, media_type: str) -> dict:
    """{"media_type", "data": [base64 chunks]} for a document."""
    text = base64.b64encode(content).decode("ascii")
    chunks = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]
    return {"media_type": media_type, "data": chunks}


def decode_chunks(chunks: list[str]) -> bytes:
    """The bytes of a document's base64 chunks; ValueError if they are not base64."""
    return base64.b64decode("".join(chunks).encode("ascii"), validate=True)
