"""Reading an interchange document from a request body, with the limits of the
format: the same reader and size limit as `manage.py calculate` and the web import."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from methodologies.engine import MAX_DOCUMENT_BYTES, DocumentErrors, loads, too_large_error
from projects.api.errors import ApiError, document_error

# The request body: any JSON document (the format is checked by the reader, error by
# error), described this way in the OpenAPI schema.
DOCUMENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": (
                        f"An interchange document as JSON (at most {MAX_DOCUMENT_BYTES:,} bytes)."
                    ),
                }
            }
        },
    }
}


def body_document(request):
    """The parsed body; one over MAX_DOCUMENT_BYTES is refused (413) from its
    Content-Length before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_DOCUMENT_BYTES:
        raise document_error(DocumentErrors([too_large_error(length)]))
    try:
        return loads(request.body)
    except DocumentErrors as errors:
        raise document_error(errors) from None


def throttle(request, *, group: str, rate_setting: str) -> None:
    """429 once the client's address has made more than the setting's rate of these
    requests (django-ratelimit, counted in the cache: shared by every process when
    CACHE_URL is set; the address as config.middleware.client_address reads it)."""
    if is_ratelimited(
        request,
        group=group,
        key="ip",
        rate=getattr(settings, rate_setting),
        method=is_ratelimited.ALL,
        increment=True,
    ):
        raise ApiError(429, "too many requests from this address; try again in a minute")
