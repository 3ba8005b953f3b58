"""Plans through the API, by the web's rules (projects/permissions.py): the list and
each plan hold what the caller sees on the web; import, export and submit go
through the same services and the same predicates as the web pages.

Not found and not visible are the same 404, as on the web; a plan one sees but
may not act on is 403; a plan in a state that refuses the action is 409."""

from datetime import datetime

from django.db.models.fields.json import KT
from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from methodologies.engine import DocumentErrors, dumps
from projects import permissions, workflow
from projects.api.auth import token_auth
from projects.api.documents import DOCUMENT_BODY, body_document
from projects.api.errors import JSON, ApiError, ErrorsOut, document_error
from projects.api.pagination import Pages
from projects.interchange import plan_document
from projects.models import Plan
from projects.services import PlanError, plan_import

router = Router(tags=["plans"], auth=token_auth)

MAX_ID = 2**63 - 1
# The refusals, as they are documented in every operation of this router.
COMMON = {401: ErrorsOut, 404: ErrorsOut}


class ProgrammeRef(Schema):
    id: int
    title: str
    version: str


class PlanOut(Schema):
    id: int
    title: str
    type: str
    status: str
    technology: str
    organisation: str = Field(..., alias="organisation.name")
    programme: ProgrammeRef | None
    annual_reduction_tco2e: int | None
    total_reduction_tco2e: int | None
    updated_at: datetime
    url: str
    document_url: str

    @staticmethod
    def resolve_url(plan) -> str:
        return plan.get_absolute_url()

    @staticmethod
    def resolve_document_url(plan) -> str:
        return reverse("api:plan_document", args=[plan.pk])

    @staticmethod
    def resolve_annual_reduction_tco2e(plan) -> int | None:
        return _figure(plan, "annual_reduction_tco2e")

    @staticmethod
    def resolve_total_reduction_tco2e(plan) -> int | None:
        return _figure(plan, "total_reduction_tco2e")


class PlanDetailOut(PlanOut):
    submitted_at: datetime | None
    version: int | None = Field(None, description="the number of the last submitted version")
    results: dict | None = Field(
        None, description="the draft's current results (offset-plan-results/1), if computable"
    )

    @staticmethod
    def resolve_version(plan) -> int | None:
        return plan.current_version.number if plan.current_version_id else None


def _figure(plan, key: str) -> int | None:
    """The figure annotated on a list row (text from the JSON), or read from the results."""
    value = getattr(plan, f"list_{key}", None)
    if value is None and plan.results and "results" not in plan.get_deferred_fields():
        value = plan.results.get(key)
    return int(value) if value not in (None, "") else None


def _plan(user, pk: int, may=None) -> Plan:
    """The plan if the caller sees it (404 otherwise, as on the web); `may` refused is 403."""
    plan = (
        permissions.visible_plans(user)
        .select_related("organisation", "programme", "current_version")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise ApiError(404, "no plan with this id that you may see")
    if may is not None and not may(user, plan):
        raise ApiError(403, "you may not do this with this plan")
    return plan


@router.get("", url_name="plan_list", response={200: list[PlanOut], **COMMON})
@paginate(Pages)
def plan_list(request):
    """The plans the caller sees, latest change first."""
    return (
        permissions.visible_plans(request.auth)
        .select_related("organisation", "programme")
        .defer("results")
        .annotate(
            list_annual_reduction_tco2e=KT("results__annual_reduction_tco2e"),
            list_total_reduction_tco2e=KT("results__total_reduction_tco2e"),
        )
        .order_by("-updated_at", "-pk")
    )


@router.get("/{plan_id}", url_name="plan_detail", response={200: PlanDetailOut, **COMMON})
def plan_detail(request, plan_id: int = Path(..., ge=1, le=MAX_ID)):
    """One plan the caller sees, with its current results."""
    return _plan(request.auth, plan_id)


@router.get(
    "/{plan_id}/document",
    url_name="plan_document",
    response={200: dict, 403: ErrorsOut, **COMMON},
    summary="Export a plan as an offset-plan/1 document",
)
def plan_export(request, plan_id: int = Path(..., ge=1, le=MAX_ID)):
    """The plan's current content as an `offset-plan/1` document, as the web's export."""
    plan = _plan(request.auth, plan_id, may=permissions.can_export_document)
    return HttpResponse(dumps(plan_document(plan)), content_type=JSON)


@router.post(
    "",
    url_name="plan_import",
    response={201: PlanDetailOut, 400: ErrorsOut, 403: ErrorsOut, 413: ErrorsOut, 401: ErrorsOut},
    summary="Import an offset-plan/1 document as a new draft",
    description=(
        "The body is an `offset-plan/1` document. The plan is created as a draft of "
        "`organisation`, one the caller edits for (it may be left out when the caller "
        "edits for one organisation only). All of the document or nothing: a document "
        "that breaks the format answers 400 with every error at its path."
    ),
    openapi_extra=DOCUMENT_BODY,
)
def plan_import_endpoint(request, organisation: int | None = Query(None, ge=1, le=MAX_ID)):
    user = request.auth
    if not permissions.can_create_plans(user):
        raise ApiError(403, "only editors of an applicant organisation may import plans")
    choices = permissions.import_organisations(user)
    if organisation is None:
        ids = list(choices.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            raise ApiError(
                400, [("query.organisation", "required: you edit for more than one organisation")]
            )
        organisation = ids[0]
    chosen = choices.filter(pk=organisation).first()
    if chosen is None:
        raise ApiError(400, [("query.organisation", "not an organisation you edit for")])
    document = body_document(request)
    try:
        plan = plan_import(document=document, organisation=chosen)
    except DocumentErrors as errors:
        raise document_error(errors) from None
    return Status(201, _plan(user, plan.pk))


@router.post(
    "/{plan_id}/submit",
    url_name="plan_submit",
    response={200: PlanDetailOut, 403: ErrorsOut, 409: ErrorsOut, 422: ErrorsOut, **COMMON},
    summary="Submit a plan for review",
    description=(
        "As the plan page's 送審 button: the applicant's editors, while the plan is a draft "
        "or changes were requested (409 otherwise). A plan that is not complete is refused "
        "with 422, each problem at `sections.<section>[.<field>]`."
    ),
)
def plan_submit(request, plan_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.auth
    transition = workflow.TRANSITIONS["submit"]
    # The predicate the workflow itself asks for an applicant's transition.
    plan = _plan(user, plan_id, may=permissions.is_applicant_editor)
    try:
        workflow.plan_transition(plan=plan, user=user, name=transition.name)
    except workflow.SubmissionIncomplete as refusal:
        raise ApiError(
            422,
            [
                (f"sections.{p.section}" + (f".{p.field}" if p.field else ""), str(p.message))
                for p in refusal.problems
            ],
        ) from None
    except PlanError as refusal:
        raise ApiError(409, str(refusal)) from None
    return _plan(user, plan_id)
