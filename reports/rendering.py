"""The one renderer of the official 計畫書 PDF, shared by the web views and
`manage.py render_pdf`, and of the 監測報告書 PDF of a monitoring report.

WeasyPrint fetches nothing but the product's own static files: `{% static %}`
URLs resolve against an internal origin and are read through the staticfiles
finders; every other URL (file:, http:, https:, data:, …) is refused. The one
exception is the plan's own figures, whose bytes the report builder decoded
from the document: `figures/N.png` on the same origin is answered from that
in-memory map, never from a file.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint import HTML

from reports.context import build_report
from reports.monitoring import build_monitoring_report

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
    if not found and staticfiles_storage.exists(normalised):
        # In production {% static %} names collectstatic's hashed copy
        # (css/site.0123abcd.css), which only STATIC_ROOT holds.
        found = staticfiles_storage.path(normalised)
    if not found:
        raise RefusedURL(f"no static file {normalised!r}")
    return found


def fetch_static(url: str) -> tuple[bytes, str]:
    """(content, MIME type) of the static file `url` names; RefusedURL otherwise."""
    path = static_path(url)
    with open(path, "rb") as handle:
        content = handle.read()
    return content, mimetypes.guess_type(path)[0] or "application/octet-stream"


def fetch(url: str, images: dict | None = None) -> tuple[bytes, str]:
    """(content, MIME type) of one of `images` (relative URL → (bytes, MIME type),
    the report's figures) or else of the static file `url` names; RefusedURL otherwise."""
    if images and url.startswith(BASE_URL) and url[len(BASE_URL) :] in images:
        return images[url[len(BASE_URL) :]]
    return fetch_static(url)


try:  # WeasyPrint ≥ 68 takes a URLFetcher object
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticURLFetcher(URLFetcher):
        def __init__(self, images=None, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.images = images

        def fetch(self, url, headers=None):
            content, mime_type = fetch(url, self.images)
            return URLFetcherResponse(url, content, {"Content-Type": mime_type})

    def url_fetcher(images: dict | None = None):
        return StaticURLFetcher(images)

except ImportError:  # older WeasyPrint: a function returning a dict

    def url_fetcher(images: dict | None = None):
        def _fetch(url, *args, **kwargs):
            content, mime_type = fetch(url, images)
            return {"string": content, "mime_type": mime_type, "redirected_url": url}

        return _fetch


def html_to_pdf(html: str, images: dict | None = None) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher(images)).write_pdf()


def render_plan_pdf(
    *, document: dict, results: dict, reference: dict | None = None, draft: bool
) -> bytes:
    """A4 PDF of a plan document and its results, computed and printed with the
    reference snapshot `reference` (today's tables when None); `draft` marks every
    page 草稿."""
    report = build_report(document, results, reference=reference, draft=draft)
    html = render_to_string("reports/plan.html", {"report": report})
    return html_to_pdf(html, report.images)


def render_monitoring_pdf(source) -> bytes:
    """A4 PDF of a monitoring report (監測報告書) from its MonitoringSource
    (reports.monitoring); reads nothing from the database. A draft is marked 草稿
    on every page."""
    report = build_monitoring_report(source)
    html = render_to_string("reports/monitoring.html", {"report": report})
    return html_to_pdf(html)
