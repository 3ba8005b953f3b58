"""PDF downloads (計畫書 and 監測報告書) and programme exports."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from methodologies.engine import DocumentErrors
from projects import permissions
from projects.models import PlanVersion, Programme
from projects.monitoring.models import MonitoringReport
from projects.monitoring.permissions import visible_report
from reports import services
from reports.models import ProgrammeExport


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def draft_pdf(request, pk):
    """The current draft as the official layout, marked 草稿 on every page."""
    plan = permissions.visible_plan(request.user, pk, may=permissions.can_download_draft_pdf)
    try:
        pdf = services.draft_pdf(plan)
    except DocumentErrors:
        messages.error(request, _("計算方法尚未完整，無法產生 PDF。"))
        return redirect(plan)
    return _pdf_response(pdf, f"plan-{plan.pk}-draft.pdf")


def version_pdf(request, pk, number):
    plan = permissions.visible_plan(request.user, pk, may=permissions.can_download_version_pdf)
    version = get_object_or_404(PlanVersion, plan=plan, number=number)
    return _pdf_response(services.version_pdf(version), f"plan-{plan.pk}-v{number}.pdf")


def monitoring_pdf(request, pk):
    """The 監測報告書 as it stands: the current draft, marked 草稿, while the applicant
    may still change it; once submitted, its latest frozen version."""
    report = visible_report(request.user, pk)
    if report.status in MonitoringReport.EDITABLE_STATUSES or report.current_version_id is None:
        try:
            pdf = services.monitoring_pdf(report)
        except DocumentErrors:
            messages.error(
                request, _("監測數據尚未填齊或該年度電力排碳係數尚未公告，無法產生 PDF。")
            )
            return redirect("projects:monitoring_report", pk=report.pk)
        return _pdf_response(pdf, f"monitoring-{report.pk}-draft.pdf")
    version = report.current_version
    return _pdf_response(
        services.monitoring_version_pdf(version), f"monitoring-{report.pk}-v{version.number}.pdf"
    )


def monitoring_version_pdf(request, pk, number):
    """A frozen version of a 監測報告書 as it was submitted."""
    report = visible_report(request.user, pk)
    version = get_object_or_404(report.versions, number=number)
    return _pdf_response(
        services.monitoring_version_pdf(version), f"monitoring-{report.pk}-v{number}.pdf"
    )


def _administrator(request):
    """404 unless the user may export programmes (see permissions.can_export_programmes)."""
    if not permissions.can_export_programmes(request.user):
        raise Http404


def programme_exports(request, pk):
    """Administrators export every approved sub-project of a programme as one ZIP."""
    _administrator(request)
    programme = get_object_or_404(Programme, pk=pk)
    if request.method == "POST":
        services.programme_export_start(programme=programme, user=request.user)
        messages.success(request, _("已開始產製，可繼續使用其他頁面，完成後於此下載。"))
        return redirect("reports:programme_exports", pk=programme.pk)
    exports = programme.exports.select_related("requested_by")[:20]
    template = "reports/programme_exports.html"
    if request.htmx:
        template += "#export-list"
    return render(
        request,
        template,
        {
            "programme": programme,
            "exports": exports,
            "approved": services.approved_versions(programme).count(),
        },
    )


def export_download(request, pk):
    _administrator(request)
    export = get_object_or_404(ProgrammeExport, pk=pk, status=ProgrammeExport.Status.DONE)
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=export.file.name.split("/")[-1]
    )
