"""The API at /api/v1/: one router per domain, one error shape (projects/api/errors.py).

To add a domain (e.g. monitoring reports, credit accounts), write its router in
`projects/api/<domain>.py` (`router = Router(tags=[...], auth=token_auth)`) and add
it to ROUTERS below; its operations then share the token sign-in, the error
shape and the OpenAPI schema."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from projects.api import calculate, credits, monitoring, plans, programmes
from projects.api.errors import (
    ApiError,
    errors_response,
    status_response,
    validation_items,
)

DESCRIPTION = """\
溫室氣體抵換專案計畫書 (AMS-II.C) 的 HTTP API。

* `POST /calculate` needs no sign-in. Everything else needs a personal API token,
  created on the user's own page (`/account/tokens/`) and sent as
  `Authorization: Bearer <token>`; the caller then sees and may do what the
  same user sees and may do on the web pages.
* Every error, everywhere under `/api/`, is
  `{"errors": [{"path": "...", "message": "..."}]}`: `path` is the JSON path of
  a document's fault as in the interchange formats (`plan.title`,
  `calculation.baseline.groups[0].count`), the parameter's place for a request
  parameter (`query.page`), or `$` for the request (or document) as a whole.
* Monitoring reports and credit accounts follow the monitoring and registry
  pages' rules; a report one sees but may not change is 403, one in a state
  that refuses the change 409.
* Lists come a page at a time: `?page=1&page_size=50` →
  `{"items": [...], "count": <total>}`.
"""

# (prefix, router): a new domain's router is one more line here.
ROUTERS = [
    ("/", calculate.router),
    ("/plans", plans.router),
    ("/programmes", programmes.router),
    ("/monitoring-reports", monitoring.router),
    ("/verification-bodies", monitoring.bodies_router),
    ("/accounts", credits.router),
]

api = NinjaAPI(
    title="Offset plans API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
)
for prefix, router in ROUTERS:
    api.add_router(prefix, router)


@api.exception_handler(ApiError)
def _api_error(request, error: ApiError):
    return errors_response(error.status, error.errors, error.headers)


@api.exception_handler(ValidationError)
def _validation_error(request, error: ValidationError):
    return errors_response(400, validation_items(error.errors))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, error):
    return status_response(401, {"WWW-Authenticate": 'Bearer realm="api"'})


@api.exception_handler(HttpError)
def _http_error(request, error: HttpError):
    return errors_response(error.status_code, [("$", str(error))])


@api.exception_handler(Http404)
def _not_found(request, error):
    return status_response(404)


@api.exception_handler(Exception)
def _server_error(request, error):
    # Django logs it (and mails ADMINS) and answers 500, which
    # projects.api.middleware turns into the API's error shape.
    raise error


def urlpatterns():
    """The API's URL patterns, open without signing in to the site (the API signs in
    with tokens; LoginRequiredMiddleware would send API clients to a login page)."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
