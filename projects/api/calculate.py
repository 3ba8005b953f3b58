"""`POST /api/v1/calculate`: a plan or monitoring document in, its results document out.

No sign-in; each address may calculate `settings.API_CALCULATE_RATE` times. The
document is read as `manage.py calculate` reads it, so the answers (and the
errors, at the same paths) are the command's."""

from django.http import HttpResponse
from ninja import Router

from methodologies.engine import DocumentErrors, dumps
from projects.api.documents import DOCUMENT_BODY, body_document, throttle
from projects.api.errors import JSON, ErrorsOut, document_error
from projects.services import document_results

router = Router(tags=["calculate"])


@router.post(
    "/calculate",
    url_name="calculate",
    auth=None,
    response={200: dict, 400: ErrorsOut, 413: ErrorsOut, 429: ErrorsOut},
    summary="Calculate a document's results",
    description=(
        "An `offset-plan/1` document in, its `offset-plan-results/1` document out; or an "
        "`offset-monitoring/1` report in, its `offset-monitoring-results/1` out (told apart "
        "by `format`, as `manage.py calculate` does). Nothing is stored and no sign-in is "
        "needed. A document that breaks the format "
        "answers 400 with every error at its JSON path; one over 5,000,000 bytes, 413. "
        "Each address may calculate a limited number of times a minute (429 beyond)."
    ),
    openapi_extra=DOCUMENT_BODY,
)
def calculate_endpoint(request):
    throttle(request, group="api.calculate", rate_setting="API_CALCULATE_RATE")
    document = body_document(request)
    try:
        results = document_results(document)
    except DocumentErrors as errors:
        raise document_error(errors) from None
    return HttpResponse(dumps(results), content_type=JSON)
