from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers


class ChosenLanguageOnlyMiddleware:
    """Traditional Chinese unless the user picked English with the switch.

    The official forms are in Chinese, so the browser's Accept-Language is not
    consulted; the switch's cookie is (LocaleMiddleware reads it next)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SmallFormsMiddleware:
    """Django's upload limits (settings.DATA_UPLOAD_*) are sized for the largest
    page, section 四 at the interchange format's limits. Every other POST (the
    public survey, sign-in, comments, uploads) keeps Django's own defaults, so that
    nobody can make the server parse 200,000 fields where a form has twenty."""

    LARGE_FORMS = {"projects:section", "projects:preview"}
    # API operations that read an interchange document: they refuse a body over
    # MAX_DOCUMENT_BYTES themselves, with the format's error (projects/api/documents.py).
    DOCUMENTS = {"api:calculate", "api:plan_import"}
    MAX_FIELDS = 1_000  # Django's default DATA_UPLOAD_MAX_NUMBER_FIELDS
    MAX_FORM_BYTES = 2_621_440  # Django's default DATA_UPLOAD_MAX_MEMORY_SIZE
    MAX_FILE_BYTES = 20 * 1024 * 1024  # the largest upload: an attachment

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and not self._large_form(request):
            self._check(request)
        return self.get_response(request)

    def _large_form(self, request) -> bool:
        try:
            return resolve(request.path_info).view_name in self.LARGE_FORMS | self.DOCUMENTS
        except Resolver404:
            return False

    def _check(self, request) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data":
            if length > self.MAX_FORM_BYTES + self.MAX_FILE_BYTES:
                raise RequestDataTooBig("Request body exceeded the upload limit.")
        elif length > self.MAX_FORM_BYTES:
            raise RequestDataTooBig("Request body exceeded DATA_UPLOAD_MAX_MEMORY_SIZE.")
        elif request.content_type == "application/x-www-form-urlencoded":
            if request.body.count(b"&") >= self.MAX_FIELDS:
                raise TooManyFieldsSent("The number of GET/POST parameters exceeded the limit.")


def client_address(request) -> str:
    """The address a request came from, for throttling (django-ratelimit's
    RATELIMIT_IP_META_KEY). Behind a proxy that terminates the connection
    (TRUST_X_FORWARDED_FOR=true), the client is the proxy's last hop in
    X-Forwarded-For; otherwise REMOTE_ADDR."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user (plan pages, previews, downloads) carries
    `Cache-Control: no-store` (Django's never-cache headers), so that neither the
    browser's history cache nor a shared proxy keeps a copy of plan data after
    signing out. Responses to anonymous visitors are left as the view made them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
