"""Errors are JSON everywhere under /api/: the responses Django produces itself (an
unknown URL's 404, a 405, a body over the size limit, a 500) are rewritten to the
API's one error shape (projects/api/errors.py). The API's own errors already are."""

from projects.api.errors import status_response

API_PREFIX = "/api/"
# Headers of the original response that still hold for the rewritten one.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            kept = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            return status_response(response.status_code, kept)
        return response
