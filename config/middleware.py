class ChosenLanguageOnlyMiddleware:
    """Traditional Chinese unless the user picked English with the switch.

    The official forms are in Chinese, so the browser's Accept-Language is not
    consulted; the switch's cookie is (LocaleMiddleware reads it next)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
