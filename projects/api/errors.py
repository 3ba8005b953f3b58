"""The one shape of every error under /api/: `{"errors": [{"path", "message"}]}`.

`path` says where the fault is: in a document, its JSON path as in the
interchange formats (`plan.title`, `calculation.baseline.groups[0].count`,
`$` for the document as a whole); in a request parameter, where it was sent
(`query.page`, `path.plan_id`); `$` for the request as a whole (not signed in,
not found, not allowed). `message` is English for the document and request
errors (as `manage.py calculate` prints them) and the product's own wording for
refusals of the review workflow."""

import json

from django.http import HttpResponse
from ninja import Schema

from methodologies.engine import DocumentErrors, FieldError

WHOLE = "$"
JSON = "application/json; charset=utf-8"  # every answer under /api/, as django-ninja's

# The message of an error response Django itself produced (an unknown URL, a
# method the URL does not take, a server error), by status.
STATUS_MESSAGES = {
    400: "bad request",
    401: "authentication required: send Authorization: Bearer <token>",
    403: "not allowed",
    404: "not found",
    405: "method not allowed",
    413: "request body too large",
    429: "too many requests; try again later",
    500: "server error",
}


class ErrorItem(Schema):
    path: str
    message: str


class ErrorsOut(Schema):
    errors: list[ErrorItem]


class ApiError(Exception):
    """Raised by an endpoint to answer `status` with these errors."""

    def __init__(self, status: int, errors: list[tuple[str, str]] | str, headers=None):
        if isinstance(errors, str):
            errors = [(WHOLE, errors)]
        self.status = status
        self.errors = errors
        self.headers = headers or {}
        super().__init__(errors)


def document_error(errors: DocumentErrors) -> ApiError:
    """400 with each error at its path; a document over the size limit is 413."""
    items = [(error.path, error.message) for error in errors.errors]
    too_large = any(error.code == "document_too_large" for error in errors.errors)
    return ApiError(413 if too_large else 400, items)


def errors_response(status: int, errors: list[tuple[str, str]], headers=None) -> HttpResponse:
    body = {"errors": [{"path": path, "message": str(message)} for path, message in errors]}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def status_response(status: int, headers=None) -> HttpResponse:
    message = STATUS_MESSAGES.get(status) or ("server error" if status >= 500 else "bad request")
    return errors_response(status, [(WHOLE, message)], headers)


def validation_items(errors: list[dict]) -> list[tuple[str, str]]:
    """django-ninja's (pydantic's) errors, e.g. loc ("query", "page") → `query.page`."""
    items = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        items.append((".".join(location) or WHOLE, str(error.get("msg", "invalid"))))
    return items


__all__ = [
    "ApiError",
    "ErrorItem",
    "ErrorsOut",
    "FieldError",
    "document_error",
    "errors_response",
    "status_response",
    "validation_items",
]
