"""`POST /api/v1/calculate`: an interchange document in, its results document out.

No sign-in; each address may calculate `settings.API_CALCULATE_RATE` times. The
document is read as `manage.py calculate` reads it, so the answers (and the
errors, at the same paths) are the command's."""

from django.http import HttpResponse
from ninja import Router

from methodologies.engine import DocumentErrors, FieldError, calculate, dumps
from projects.api.documents import DOCUMENT_BODY, body_document, throttle
from projects.api.errors import JSON, ErrorsOut, document_error
from projects.services import document_read

router = Router(tags=["calculate"])


def _calculate_plan(document) -> dict:
    return calculate(document_read(document).calculation).to_json()


# The results of each interchange format, by its `format` key.
CALCULATORS = {"offset-plan/1": _calculate_plan}
SUPPORTED = ", ".join(f'"{name}"' for name in CALCULATORS)


def calculate_document(document) -> dict:
    """The results document of any supported format; DocumentErrors otherwise."""
    name = document.get("format") if isinstance(document, dict) else None
    if isinstance(name, str) and name in CALCULATORS:
        return CALCULATORS[name](document)
    if isinstance(document, dict) and "format" in document:
        raise DocumentErrors([FieldError("format", f"must be one of {SUPPORTED}")])
    # Not an object, or no format: the plan reader says what is missing.
    return _calculate_plan(document)


@router.post(
    "/calculate",
    url_name="calculate",
    auth=None,
    response={200: dict, 400: ErrorsOut, 413: ErrorsOut, 429: ErrorsOut},
    summary="Calculate a document's results",
    description=(
        "An `offset-plan/1` document in, its `offset-plan-results/1` document out; "
        "nothing is stored and no sign-in is needed. A document that breaks the format "
        "answers 400 with every error at its JSON path; one over 5,000,000 bytes, 413. "
        "Each address may calculate a limited number of times a minute (429 beyond)."
    ),
    openapi_extra=DOCUMENT_BODY,
)
def calculate_endpoint(request):
    throttle(request, group="api.calculate", rate_setting="API_CALCULATE_RATE")
    document = body_document(request)
    try:
        results = calculate_document(document)
    except DocumentErrors as errors:
        raise document_error(errors) from None
    return HttpResponse(dumps(results), content_type=JSON)
