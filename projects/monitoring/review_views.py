"""Verification and review pages of a monitoring report: the queue of verifiers and
authority reviewers, the report's review page (read-only figures, comments, the
verifier's figure and statement, the transitions), history, the comparison of
versions and each version's document.

Views look the report up through projects.monitoring.permissions (404 for what one
may not see, or for a verifier's write by anyone but a verifier of the named
body), call a service of projects.monitoring.verification and render; a refused
action comes back to the review page with its message, and a refused figure or
upload re-renders the page with the bound form (nothing typed is lost)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from methodologies.engine import dumps
from projects import compare, workflow
from projects.credits.models import CreditIssuance
from projects.monitoring import verification
from projects.monitoring.models import MonitoringComment, MonitoringReport
from projects.monitoring.permissions import (
    can_comment_report,
    can_decide,
    can_reply_report,
    can_verify,
    has_monitoring_queue,
    is_report_verifier,
    queue_reports,
    visible_report,
    waiting_for,
)
from projects.monitoring.services import MonitoringError, report_document
from projects.monitoring.verification_forms import (
    ReportCommentForm,
    RevisionForm,
    StatementForm,
    VerifiedReductionForm,
)
from projects.monitoring.views import _figures_context

PAGE_SIZE = 50
Status = MonitoringReport.Status
QUEUE_STATUSES = [choice for choice in Status.choices if choice[0] != Status.DRAFT]
TODO = "todo"


def review_url(report: MonitoringReport) -> str:
    return reverse("projects:monitoring_review", args=[report.pk])


def _problems_key(report: MonitoringReport) -> str:
    return f"monitoring-verification-problems-{report.pk}"


# -- the queue ------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("狀態"),
        choices=[(TODO, gettext_lazy("待處理")), ("", gettext_lazy("全部狀態")), *QUEUE_STATUSES],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def monitoring_queue(request):
    """Verifiers: the reports assigned to their bodies; authority reviewers: the
    reports of the plans they review, verified ones first to decide on."""
    if not has_monitoring_queue(request.user):
        raise Http404
    form = QueueFilterForm(request.GET or {"status": TODO})
    status = form.cleaned_data["status"] if form.is_valid() else TODO
    reports = queue_reports(request.user)
    if status == TODO:
        reports = waiting_for(request.user, reports)
    elif status:
        reports = reports.filter(status=status)
    reports = (
        reports.select_related("plan__organisation", "verification_body", "current_version")
        .annotate(issued=F("credit_issuance__quantity"))
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/monitoring/verification/queue.html",
        {"form": form, "page": page, "status": status},
    )


# -- the review page ------------------------------------------------------------------


def _review_context(request, report: MonitoringReport, **forms_) -> dict:
    user = request.user
    verifying, deciding = can_verify(user, report), can_decide(user, report)
    threads = report.comments.filter(parent=None).select_related("author", "resolved_by")
    context = {
        "report": report,
        "plan": report.plan,
        "transitions": verification.available_transitions(report, user),
        "problems": request.session.get(_problems_key(report), []),
        "can_verify": verifying,
        "can_decide": deciding,
        "claimed": verification.claimed_reduction(report),
        "statement": verification.current_statement(report),
        "statements": report.attachments.filter(kind="verification_statement").order_by(
            "uploaded_at", "pk"
        ),
        "issuance": CreditIssuance.objects.filter(report=report).first(),
        "versions": report.versions.select_related("created_by").order_by("-number"),
        "comments": threads.prefetch_related("replies__author"),
        "open_comments": workflow.open_comment_count(report),
        "can_comment": can_reply_report(user, report),
        "is_reviewer": can_comment_report(user, report),
        "comment_form": ReportCommentForm(),
        "comment_add_url": reverse("projects:monitoring_comment_add", args=[report.pk]),
        "revision_form": RevisionForm(initial={"revision": report.revision}),
        **_figures_context(report),
    }
    if verifying:
        context["reduction_form"] = forms_.get("reduction_form") or VerifiedReductionForm(
            report=report
        )
        context["statement_form"] = forms_.get("statement_form") or StatementForm(
            initial={"revision": report.revision}
        )
    return context


def report_review(request, pk):
    """The report read-only with its verification and review: whoever sees the
    report reads it; the verifier and the authority act on it."""
    report = visible_report(request.user, pk)
    return render(
        request, "projects/monitoring/verification/review.html", _review_context(request, report)
    )


def _refused(request, report, status: int, **forms_):
    report = visible_report(request.user, report.pk)  # as it is now
    if status == 409:
        # The page now shows the report as it is: what was typed stays, and sending
        # it again (deliberately, having seen the change) goes through.
        for form in forms_.values():
            form.data = form.data.copy()
            form.data["revision"] = str(report.revision)
    return render(
        request,
        "projects/monitoring/verification/review.html",
        _review_context(request, report, **forms_),
        status=status,
    )


@require_POST
def verified_reduction(request, pk):
    """The verifier records the verified reduction (refused at the field above the claim)."""
    report = visible_report(request.user, pk, may=is_report_verifier)
    form = VerifiedReductionForm(request.POST, report=report)
    if not form.is_valid():
        return _refused(request, report, 400, reduction_form=form)
    try:
        verification.record_verified_reduction(
            report,
            by=request.user,
            value=form.cleaned_data["verified_reduction_tco2e"],
            revision=form.cleaned_data["revision"],
        )
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return _refused(request, report, 400, reduction_form=form)
    except verification.StaleReport as refusal:
        form.add_error(None, str(refusal))
        return _refused(request, report, 409, reduction_form=form)
    except MonitoringError as refusal:
        messages.error(request, str(refusal))
        return redirect(review_url(report))
    messages.success(request, _("已記錄查證減量。"))
    return redirect(review_url(report))


@require_POST
def statement_upload(request, pk):
    """The verifier attaches the verification statement (a PDF)."""
    report = visible_report(request.user, pk, may=is_report_verifier)
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, report, 400, statement_form=form)
    try:
        verification.attach_statement(
            report,
            by=request.user,
            file=form.cleaned_data["file"],
            description=form.cleaned_data.get("description") or "",
            revision=form.cleaned_data["revision"],
        )
    except verification.StaleReport as refusal:
        form.add_error(None, str(refusal))
        return _refused(request, report, 409, statement_form=form)
    except MonitoringError as refusal:
        messages.error(request, str(refusal))
        return redirect(review_url(report))
    messages.success(request, _("已上傳查證總結報告。"))
    return redirect(review_url(report))


def _revision(request):
    form = RevisionForm(request.POST)
    return form.cleaned_data["revision"] if form.is_valid() else None


@require_POST
def report_transition(request, pk, name):
    """Start or complete verification, return to the applicant, approve or send back."""
    report = visible_report(request.user, pk)
    key = _problems_key(report)
    try:
        report = verification.report_transition(
            report=report,
            user=request.user,
            name=name,
            comment=request.POST.get("comment", ""),
            revision=_revision(request),
            on_mail_failure=lambda: messages.warning(
                request, _("狀態已更新，但通知信未能寄出，請另行通知對方。")
            ),
        )
    except verification.VerificationIncomplete as refusal:
        request.session[key] = [str(problem) for problem in refusal.problems]
        messages.error(request, str(refusal))
    except MonitoringError as refusal:
        messages.error(request, str(refusal))
    else:
        request.session.pop(key, None)
        messages.success(
            request,
            _("監測報告書狀態已更新為「%(status)s」。") % {"status": report.get_status_display()},
        )
    return redirect(review_url(report))


# -- comments -------------------------------------------------------------------------


@require_POST
def comment_add(request, pk):
    """Verifiers and the authority comment on a section; the applicant replies."""
    report = visible_report(request.user, pk)
    form = ReportCommentForm(request.POST)
    if form.is_valid():
        try:
            verification.comment_add(report=report, user=request.user, **form.cleaned_data)
        except MonitoringError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("已送出意見。"))
    else:
        messages.error(request, _("意見內容不可空白。"))
    return redirect(review_url(report) + "#comments")


@require_POST
def comment_resolve(request, pk, comment_pk):
    report = visible_report(request.user, pk)
    comment = get_object_or_404(MonitoringComment, report=report, pk=comment_pk, parent=None)
    try:
        verification.comment_resolve(comment=comment, user=request.user)
    except MonitoringError as refusal:
        messages.error(request, str(refusal))
    return redirect(review_url(report) + "#comments")


# -- history, versions, comparison ------------------------------------------------------


def report_history(request, pk):
    report = visible_report(request.user, pk)
    return render(
        request,
        "projects/monitoring/verification/history.html",
        {"report": report, "plan": report.plan, "events": report.events.select_related("user")},
    )


def version_document(request, pk, number):
    """A frozen version as the `offset-monitoring/1` document that was submitted."""
    report = visible_report(request.user, pk)
    version = get_object_or_404(report.versions, number=number)
    response = HttpResponse(dumps(version.document), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="monitoring-{report.plan_id}-{report.number}-v{number}.json"'
    )
    return response


def report_compare(request, pk):
    """What changed between two submitted versions (or a version and the current content)."""
    report = visible_report(request.user, pk)
    versions = list(report.versions.order_by("number"))
    try:
        a, b = compare.pick_versions(request.GET, [v.number for v in versions])
    except ValueError as error:
        raise Http404 from error
    by_number = {v.number: v for v in versions}

    def document(choice):
        return report_document(report) if choice == compare.CURRENT else by_number[choice].document

    return render(
        request,
        "projects/monitoring/verification/compare.html",
        {
            "report": report,
            "plan": report.plan,
            "versions": versions,
            "a": a,
            "b": b,
            "sections": compare.compare_monitoring_documents(document(a), document(b)),
        },
    )
