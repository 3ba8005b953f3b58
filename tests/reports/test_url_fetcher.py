"""WeasyPrint may fetch the product's own static files and nothing else."""

import base64
import io
import subprocess

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from reports import rendering
from reports.rendering import BASE_URL, RefusedURL, fetch_static, html_to_pdf, static_path


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def static_png(settings, tmp_path):
    """A PNG served as /static/test-dot.png, and the same PNG outside the static files."""
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "test-dot.png").write_bytes(png_bytes())
    outside = tmp_path / "outside.png"
    outside.write_bytes(png_bytes())
    settings.STATICFILES_DIRS = [folder, *settings.STATICFILES_DIRS]
    finders.get_finder.cache_clear()
    yield outside
    finders.get_finder.cache_clear()


def image_count(pdf: bytes) -> int:
    listing = subprocess.run(
        ["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return len(listing.splitlines()[2:])


def test_a_static_file_of_the_product_is_served():
    content, mime_type = fetch_static(BASE_URL + "static/css/site.css")
    assert mime_type == "text/css"
    assert content == (rendering.settings.BASE_DIR / "static/css/site.css").read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/static/css/site.css",
        "http://127.0.0.1:8000/static/css/site.css",
        "https://example.com/static/css/site.css",
        "data:text/css,body{color:red}",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/x",
        BASE_URL + "media/pdf/plan-1/v1.pdf",
        BASE_URL + "static/../config/settings.py",
        BASE_URL + "static/%2e%2e/config/settings.py",
        BASE_URL + "static//etc/passwd",
        BASE_URL + "static/css/missing.css",
        BASE_URL + "static/",
    ],
)
def test_every_other_url_is_refused(url):
    with pytest.raises(RefusedURL):
        static_path(url)


def test_the_renderer_embeds_a_static_image_but_no_file_or_data_url(static_png):
    static = html_to_pdf('<img src="/static/test-dot.png">')
    assert image_count(static) == 1
    data = "data:image/png;base64," + base64.b64encode(static_png.read_bytes()).decode()
    for src in (static_png.as_uri(), data, "http://127.0.0.1:9/x.png"):
        assert image_count(html_to_pdf(f'<img src="{src}">')) == 0, src
