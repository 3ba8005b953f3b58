"""Which request a log line comes from: method, path, user id and status.

RequestContextMiddleware remembers the request being answered; the
RequestContextFilter (see LOGGING in settings) adds it to every log record,
preferring the `request` and `status_code` that django.request's records carry.
"""

import contextvars

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

_current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


class RequestContextFilter:
    """Sets record.method, .path, .user_id, .status_code and .request_context
    ("POST /plans/3/ user=5 status=500", or "-" outside a request)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):  # django.server passes its socket
            request = _current_request.get()
        status = getattr(record, "status_code", None)
        if request is None:
            record.method = record.path = record.user_id = "-"
        else:
            record.method = request.method or "-"
            record.path = request.path
            record.user_id = _user_id(request)
        record.status_code = status if status is not None else "-"
        if request is None:
            record.request_context = "-"
        else:
            record.request_context = (
                f"{record.method} {record.path} user={record.user_id} status={record.status_code}"
            )
        return True


def _user_id(request) -> str:
    """The signed-in user's id if the request already knows it; never a query
    (the database may be what failed)."""
    user = getattr(request, "user", None)
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return "-"
    try:
        return str(user.pk) if user.is_authenticated else "anonymous"
    except Exception:
        return "-"
