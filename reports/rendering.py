"""The one renderer of the official 計畫書 PDF, shared by the web views and
`manage.py render_pdf`.

WeasyPrint fetches nothing but the product's own static files: `{% static %}`
URLs resolve against an internal origin and are read through the staticfiles
finders; every other URL (file:, http:, https:, data:, …) is refused.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML

from reports.context import build_report

# Relative and root-relative URLs in the HTML resolve against this origin; no
# request ever goes there, the fetcher below answers for it.
BASE_URL = "https://offset-plans.invalid/"


class RefusedURL(ValueError):
    """The PDF asked for something other than one of the product's static files."""


def static_path(url: str) -> str:
    """The file system path of the static file `url` names; RefusedURL otherwise."""
    parts = urlsplit(url)
    origin = urlsplit(BASE_URL)
    if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
        raise RefusedURL(f"only the product's static files are served, not {url[:100]!r}")
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if urlsplit(prefix).netloc or not parts.path.startswith(prefix):
        raise RefusedURL(f"not a static file: {url[:100]!r}")
    name = unquote(parts.path[len(prefix) :])
    normalised = posixpath.normpath(name)
    if (
        not name
        or normalised != name
        or normalised.startswith(("/", "."))
        or "\\" in name
        or "\x00" in name
    ):
        raise RefusedURL(f"not a static file: {url[:100]!r}")
    found = finders.find(normalised)
    if not found:
        raise RefusedURL(f"no static file {normalised!r}")
    return found


def fetch_static(url: str) -> tuple[bytes, str]:
    """(content, MIME type) of the static file `url` names; RefusedURL otherwise."""
    path = static_path(url)
    with open(path, "rb") as handle:
        content = handle.read()
    return content, mimetypes.guess_type(path)[0] or "application/octet-stream"


try:  # WeasyPrint ≥ 68 takes a URLFetcher object
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            content, mime_type = fetch_static(url)
            return URLFetcherResponse(url, content, {"Content-Type": mime_type})

    def url_fetcher():
        return StaticURLFetcher()

except ImportError:  # older WeasyPrint: a function returning a dict

    def _fetch(url, *args, **kwargs):
        content, mime_type = fetch_static(url)
        return {"string": content, "mime_type": mime_type, "redirected_url": url}

    def url_fetcher():
        return _fetch


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher()).write_pdf()


def render_plan_pdf(
    *, document: dict, results: dict, reference: dict | None = None, draft: bool
) -> bytes:
    """A4 PDF of a plan document and its results, computed and printed with the
    reference snapshot `reference` (today's tables when None); `draft` marks every
    page 草稿."""
    report = build_report(document, results, reference=reference, draft=draft)
    html = render_to_string("reports/plan.html", {"report": report})
    return html_to_pdf(html)
