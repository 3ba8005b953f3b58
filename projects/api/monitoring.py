"""Monitoring reports through the API, by the web's rules
(projects/monitoring/permissions.py): the list and each report hold what the
caller sees on the web (`MonitoringReport.objects.visible_to`); export, import,
replace and submit go through the same services (projects/monitoring/entry.py)
and the same predicates as the web pages.

Not found and not visible are the same 404, as on the web; a report one sees but
may not act on is 403 (the web answers 404 there); a report of one's own in a
state that refuses the change (submitted, under verification…) is 409."""

from datetime import date, datetime

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from methodologies.engine import DocumentErrors, FieldError, dumps
from projects import permissions
from projects.api.auth import token_auth
from projects.api.documents import DOCUMENT_BODY, body_document
from projects.api.errors import JSON, ApiError, ErrorsOut, document_error
from projects.api.pagination import Pages
from projects.models import Organisation
from projects.monitoring import entry
from projects.monitoring.models import MonitoringReport
from projects.monitoring.permissions import (
    can_create_report,
    can_edit_report,
    visible_reports,
)
from projects.monitoring.services import MonitoringError, report_document
from projects.permissions import is_applicant_editor

router = Router(tags=["monitoring reports"], auth=token_auth)
bodies_router = Router(tags=["monitoring reports"], auth=token_auth)

MAX_ID = 2**63 - 1
COMMON = {401: ErrorsOut, 404: ErrorsOut}


class PlanRef(Schema):
    id: int
    title: str
    number: str = Field(..., alias="project_number", description="the registered project number")


class OrganisationRef(Schema):
    id: int
    name: str


class ReportOut(Schema):
    id: int
    plan: PlanRef
    number: int = Field(..., description="the report's number among the plan's reports")
    period_start: date
    period_end: date
    status: str
    verification_body: OrganisationRef | None
    claimed_reduction_tco2e: int | None = Field(
        None, description="the reduction the report claims (whole tonnes), once computable"
    )
    verified_reduction_tco2e: int | None
    updated_at: datetime
    url: str
    document_url: str

    @staticmethod
    def resolve_claimed_reduction_tco2e(report) -> int | None:
        return report.claimed_reduction

    @staticmethod
    def resolve_url(report) -> str:
        return reverse("projects:monitoring_report", args=[report.pk])

    @staticmethod
    def resolve_document_url(report) -> str:
        return reverse("api:monitoring_document", args=[report.pk])


class ReportDetailOut(ReportOut):
    submitted_at: datetime | None
    version: int | None = Field(None, description="the number of the last submitted version")
    results: dict | None = Field(
        None, description="the current results (offset-monitoring-results/1), if computable"
    )

    @staticmethod
    def resolve_version(report) -> int | None:
        return report.current_version.number if report.current_version_id else None


class SubmitIn(Schema):
    verification_body: int = Field(
        ..., ge=1, le=MAX_ID, description="the id of a verification body (GET /verification-bodies)"
    )


def _report(user, pk: int) -> MonitoringReport:
    """The report if the caller sees it; 404 otherwise, as on the web."""
    report = (
        visible_reports(user)
        .select_related(
            "plan__organisation",
            "plan__programme__authority",
            "verification_body",
            "current_version",
        )
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise ApiError(404, "no monitoring report with this id that you may see")
    return report


def _editable(user, pk: int) -> MonitoringReport:
    """The report if the caller may change it (can_edit_report, as the web's replace
    and submit); 409 for the applicant's editor while its state refuses changes,
    403 for anyone else who sees it."""
    report = _report(user, pk)
    if not can_edit_report(user, report):
        if is_applicant_editor(user, report.plan):
            raise ApiError(
                409, f"the report is {report.status}; only a draft or one sent back may change"
            )
        raise ApiError(403, "you may not change this monitoring report")
    return report


@router.get("", url_name="monitoring_list", response={200: list[ReportOut], 401: ErrorsOut})
@paginate(Pages)
def report_list(request, plan: int | None = Query(None, ge=1, le=MAX_ID)):
    """The monitoring reports the caller sees (of one plan, given `plan`), latest change
    first."""
    reports = visible_reports(request.auth).select_related("plan", "verification_body")
    if plan is not None:
        reports = reports.filter(plan_id=plan)
    return reports.defer("results", "plan__results").order_by("-updated_at", "-pk")


@router.get("/{report_id}", url_name="monitoring_detail", response={200: ReportDetailOut, **COMMON})
def report_detail(request, report_id: int = Path(..., ge=1, le=MAX_ID)):
    """One monitoring report the caller sees, with its current results."""
    return _report(request.auth, report_id)


@router.get(
    "/{report_id}/document",
    url_name="monitoring_document",
    response={200: dict, **COMMON},
    summary="Export a monitoring report as an offset-monitoring/1 document",
)
def report_export(request, report_id: int = Path(..., ge=1, le=MAX_ID)):
    """The report's current content as an `offset-monitoring/1` document, as the web's
    export: whoever sees the report."""
    report = _report(request.auth, report_id)
    return HttpResponse(dumps(report_document(report)), content_type=JSON)


def _refusal(refusal: MonitoringError) -> ApiError:
    """A business rule refused the change (e.g. ReportNotEditable: the report was
    submitted meanwhile): 409 with the product's message."""
    return ApiError(409, str(refusal))


@router.post(
    "",
    url_name="monitoring_import",
    response={
        201: ReportDetailOut,
        400: ErrorsOut,
        401: ErrorsOut,
        403: ErrorsOut,
        409: ErrorsOut,
        413: ErrorsOut,
    },
    summary="Import an offset-monitoring/1 document as a new report",
    description=(
        "The body is an `offset-monitoring/1` document. It becomes a new draft report of "
        "the registered plan that `plan.number` names (one the caller sees; 400 at "
        "`plan.number` otherwise), numbered after the plan's last report "
        "(`monitoring.number` must be that number), as `manage.py import_monitoring`. "
        "Only the applicant's editors (403 for others who see the plan). All of the "
        "document or nothing: every error at its path."
    ),
    openapi_extra=DOCUMENT_BODY,
)
def report_import(request):
    user = request.auth
    document = body_document(request)
    number = document.get("plan", {}).get("number") if isinstance(document, dict) else None
    plan = None
    if isinstance(number, str) and number:
        plan = permissions.visible_plans(user).filter(project_number=number).first()
    if plan is None:
        # The reader names what is wrong with the document first; then the plan.
        try:
            entry._check_format(document)
        except DocumentErrors as errors:
            raise document_error(errors) from None
        raise document_error(
            DocumentErrors(
                [FieldError("plan.number", "no registered plan with this number that you may see")]
            )
        )
    if not can_create_report(user, plan):
        raise ApiError(403, "only editors of the applicant organisation may add reports")
    try:
        report = entry.report_import(document=document, by=user)
    except DocumentErrors as errors:
        raise document_error(errors) from None
    except MonitoringError as refusal:
        raise _refusal(refusal) from None
    return Status(201, _report(user, report.pk))


@router.put(
    "/{report_id}/document",
    url_name="monitoring_replace",
    response={
        200: ReportDetailOut,
        400: ErrorsOut,
        403: ErrorsOut,
        409: ErrorsOut,
        413: ErrorsOut,
        **COMMON,
    },
    summary="Replace a report's data with an offset-monitoring/1 document",
    description=(
        "As the web's 匯入 on a report: the period, figures, groups, refrigerants, "
        "leakage and explanation are replaced by the document's, all of it or nothing; "
        "the report keeps its number, state and evidence. `plan.number` and "
        "`monitoring.number` must be the report's. The applicant's editors, while the "
        "report is a draft or was sent back (409 otherwise)."
    ),
    openapi_extra=DOCUMENT_BODY,
)
def report_replace(request, report_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.auth
    report = _editable(user, report_id)
    document = body_document(request)
    try:
        entry.report_replace(report=report, document=document, user=user)
    except DocumentErrors as errors:
        raise document_error(errors) from None
    except MonitoringError as refusal:
        raise _refusal(refusal) from None
    return _report(user, report_id)


@router.post(
    "/{report_id}/submit",
    url_name="monitoring_submit",
    response={
        200: ReportDetailOut,
        400: ErrorsOut,
        403: ErrorsOut,
        409: ErrorsOut,
        422: ErrorsOut,
        **COMMON,
    },
    summary="Submit a report to a verification body",
    description=(
        "As the report page's 送查證 button: the applicant's editors, while the report is "
        "a draft or was sent back (409 otherwise). `verification_body` must be a "
        "verification body (400 at `body.verification_body`). A report whose year's "
        "emission factor is not published, whose figures are incomplete or whose checks "
        "fail is refused with 422, the reason first and then each problem."
    ),
)
def report_submit(request, body: SubmitIn, report_id: int = Path(..., ge=1, le=MAX_ID)):
    user = request.auth
    report = _editable(user, report_id)
    verification_body = Organisation.objects.filter(
        pk=body.verification_body, kind=Organisation.Kind.VERIFIER
    ).first()
    if verification_body is None:
        raise ApiError(400, [("body.verification_body", "not a verification body")])
    try:
        entry.report_submit(report, by=user, verification_body=verification_body)
    except entry.SubmissionRefused as refusal:
        if refusal.field:
            raise ApiError(400, [(f"body.{refusal.field}", str(refusal))]) from None
        raise ApiError(
            422, [("$", str(refusal))] + [("$", str(problem)) for problem in refusal.problems]
        ) from None
    except MonitoringError as refusal:
        raise _refusal(refusal) from None
    return _report(user, report_id)


@bodies_router.get(
    "",
    url_name="verification_body_list",
    response={200: list[OrganisationRef], 401: ErrorsOut},
    summary="The verification bodies a report may be submitted to",
)
@paginate(Pages)
def verification_body_list(request):
    return Organisation.objects.filter(kind=Organisation.Kind.VERIFIER).order_by("name", "pk")
