"""Monitoring report pages of the applicant: start a report from a registered plan,
the report's page (where its period is changed), its editor with the live preview,
evidence, import/export of `offset-monitoring/1`, and submission for verification.

Views look the report up through projects.monitoring.permissions (404 for what one
may not see or do), run the forms, call a service in projects.monitoring.entry and
render; they never compute figures."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import BaseFormSet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from methodologies.engine import DocumentErrors, dumps
from projects import permissions
from projects.dates import roc_long
from projects.interchange import load_upload
from projects.monitoring import entry, verification
from projects.monitoring.editor import ReportEditor
from projects.monitoring.forms import (
    MonitoringAttachmentForm,
    PeriodChangeForm,
    PeriodForm,
    ReplaceForm,
    SubmitForm,
)
from projects.monitoring.models import MonitoringAttachment, MonitoringReport
from projects.monitoring.permissions import (
    can_create_report,
    can_edit_report,
    can_see_report,
    visible_report,
)
from projects.monitoring.services import MonitoringError, report_document
from projects.permissions import is_applicant_editor
from projects.presentation import describe_import_error, display_results
from projects.views import refused_save


def _report(request, pk, may=None) -> MonitoringReport:
    return visible_report(request.user, pk, may=may)


def report_create(request, pk):
    """A new report of a registered plan: its period, checked at the fields."""
    plan = permissions.visible_plan(request.user, pk, may=can_create_report)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = entry.report_start(plan, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:  # keyed by field: period_start, period_end
            form.add_error(None, refusal)
        except MonitoringError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("已建立第 %(number)d 號監測報告書，請填寫監測數據。") % {"number": report.number},
            )
            return redirect("projects:monitoring_edit", pk=report.pk)
    return render(
        request,
        "projects/monitoring/report_create.html",
        {"plan": plan, "form": form, "reports": plan.monitoring_reports.order_by("number")},
        status=400 if form.errors else 200,
    )


def _figures_context(report: MonitoringReport, results=None, errors=None) -> dict:
    """The figures panel: the ex-post results beside the plan's ex-ante estimate."""
    results = report.results if results is None else results
    return {
        "results": display_results(results),
        "ex_ante": entry.ex_ante(report),
        "factor_published": entry.factor_published(report),
        "factor_pending": entry.factor_pending_message(report),
        "calculation_errors": entry.calculation_errors(report) if errors is None else errors,
    }


def report_detail(request, pk):
    """The report's page: period, state, figures beside the estimate, evidence,
    versions and history; the applicant's editors change its period and submit it
    from here."""
    return _detail_page(request, _report(request, pk))


def _detail_page(request, report: MonitoringReport, period_form=None, status=200):
    can_edit = can_edit_report(request.user, report)
    form = SubmitForm(initial={"verification_body": report.verification_body_id})
    return render(
        request,
        "projects/monitoring/report_detail.html",
        {
            "report": report,
            "plan": report.plan,
            "can_edit": can_edit,
            "submit_form": form,
            "period_form": period_form or PeriodChangeForm(report=report),
            "problems": request.session.get(f"monitoring-problems-{report.pk}", []),
            "attachments": report.attachments.current(),
            "versions": report.versions.select_related("created_by").order_by("-number"),
            "events": report.events.select_related("user"),
            **_figures_context(report),
        },
        status=status,
    )


@require_POST
def report_period(request, pk):
    """Change the period from the report's page; a refusal comes back there, at the
    dates, with what was typed."""
    report = _report(request, pk)
    # An editor whose report was submitted meanwhile gets the page back, not a 404.
    if not can_edit_report(request.user, report) and not is_applicant_editor(
        request.user, report.plan
    ):
        raise Http404
    form = PeriodChangeForm(request.POST, report=report)
    status = 400
    if form.is_valid():
        try:
            change = entry.report_set_period(
                report,
                by=request.user,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                revision=form.cleaned_data["revision"],
                drop_months=form.cleaned_data["drop_months"],
            )
        except entry.MonthsOutsidePeriod as refusal:
            form.add_error(None, refusal)
            form.offer_drop = True
        except ValidationError as refusal:  # keyed by field: period_start, period_end
            form.add_error(None, refusal)
        except verification.StaleReport as refusal:
            form.add_error(None, str(refusal))
            status = 409
        except entry.ReportNotEditable as refusal:
            messages.error(request, str(refusal))
            status = 409
        else:
            if not change.changed:
                messages.info(request, _("監測期間沒有變更。"))
            else:
                messages.success(
                    request,
                    _("已將監測期間改為 %(start)s 至 %(end)s，數據與計算已依新期間更新。")
                    % {
                        "start": roc_long(change.report.period_start),
                        "end": roc_long(change.report.period_end),
                    },
                )
            if change.hours_to_check:
                messages.warning(
                    request,
                    _("各設備群組已填的監測期間運轉時數沒有隨期間調整，請到「監測數據」確認。"),
                )
            if change.dropped:
                messages.warning(
                    request,
                    _("已刪除監測期間外的逐月資料：%(months)s。") % {"months": change.dropped},
                )
            return redirect(report_url(report))
    # The page as it is now (another tab may have changed it), the form as it was sent.
    return _detail_page(request, _report(request, pk), period_form=form, status=status)


def report_edit(request, pk):
    """The editor: what was measured, per side and group; saved as a whole."""
    report = _report(request, pk)
    can_edit = can_edit_report(request.user, report)
    status = 200
    if request.method == "POST":
        # An editor whose report was submitted meanwhile gets the page back, not a 404.
        if not can_edit and not is_applicant_editor(request.user, report.plan):
            raise Http404
        try:
            editor = entry.report_save(
                report=report,
                editor_class=ReportEditor,
                data=request.POST,
                files=request.FILES,
                user=request.user,
            )
        except entry.ReportNotEditable as refusal:
            messages.error(request, str(refusal))
            editor, status, can_edit = ReportEditor(report, request.POST), 409, False
        else:
            if editor.saved:
                messages.success(request, _("已儲存監測數據。"))
                return redirect("projects:monitoring_edit", pk=report.pk)
            status = refused_save(
                request,
                editor,
                _(
                    "您開啟此頁後，監測報告書已由他人（或另一個分頁）儲存過，因此這次沒有儲存。"
                    "下方列出目前已儲存的內容與您送出的內容；您輸入的內容都還在頁面上，"
                    "確認後再按「儲存草稿」即以頁面上的內容儲存。"
                ),
            )
        report = _report(request, pk)  # the side panel shows what is saved
    else:
        editor = ReportEditor(report)
    return render(
        request,
        editor.template,
        {
            "report": report,
            "plan": report.plan,
            "editor": editor,
            "can_edit": can_edit,
            **_figures_context(report),
        },
        status=status,
    )


def _invalid_fields(editor) -> dict[str, str]:
    found = {}
    for part in editor.all_forms():
        for form in part.forms if isinstance(part, BaseFormSet) else [part]:
            for name, errors in form.errors.items():
                if name != NON_FIELD_ERRORS and errors:
                    found[form.add_prefix(name)] = str(errors[0])
    return found


def _other_errors(editor) -> list[str]:
    found = []
    for part in editor.all_forms():
        if isinstance(part, BaseFormSet):
            found.extend(str(error) for error in part.non_form_errors())
        for form in part.forms if isinstance(part, BaseFormSet) else [part]:
            found.extend(str(error) for error in form.non_field_errors())
    return found


@require_POST
def report_preview(request, pk):
    """Figures and checks for what is on the editor now, unsaved (htmx)."""
    try:
        editor, preview = entry.report_preview(
            user=request.user, pk=pk, editor_class=ReportEditor, data=request.POST
        )
    except MonitoringReport.DoesNotExist:
        raise Http404 from None  # not one the user may change (now)
    report = editor.report
    context = {"report": report, "preview": True}
    if preview is not None:
        context.update(_figures_context(report, preview.results or {}, preview.errors))
        if preview.results is None:
            context["results"] = None
        context["field_errors"], context["other_errors"] = {}, []
    else:
        context.update(_figures_context(report))
        context["invalid"] = editor.error_count()
        context["field_errors"] = _invalid_fields(editor)
        context["other_errors"] = _other_errors(editor)
    return render(request, "projects/monitoring/includes/figures_panel.html", context)


def report_attachments(request, pk):
    """Evidence: the list, and (the applicant's editors) an upload form."""
    report = _report(request, pk)
    can_edit = can_edit_report(request.user, report)
    form = MonitoringAttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                entry.attachment_add(report=report, user=request.user, **form.cleaned_data)
            except MonitoringError as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, _("已上傳佐證。"))
            return redirect("projects:monitoring_attachments", pk=report.pk)
    else:
        form.initial["label"] = entry.next_attachment_label(report)
    return render(
        request,
        "projects/monitoring/report_attachments.html",
        {
            "report": report,
            "plan": report.plan,
            "form": form,
            "can_edit": can_edit,
            "attachments": report.attachments.current(),
            "withdrawn": report.attachments.filter(withdrawn_at__isnull=False),
        },
        status=400 if form.errors else 200,
    )


def attachment_download(request, pk, attachment_pk):
    report = _report(request, pk, may=can_see_report)
    attachment = get_object_or_404(MonitoringAttachment, report=report, pk=attachment_pk)
    if not attachment.file:
        raise Http404
    # Always a download, so that no uploaded file is ever shown as a page.
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=Path(attachment.file.name).name
    )


@require_POST
def attachment_delete(request, pk, attachment_pk):
    report = _report(request, pk, may=can_edit_report)
    attachment = get_object_or_404(MonitoringAttachment, report=report, pk=attachment_pk)
    try:
        entry.attachment_delete(report=report, user=request.user, attachment=attachment)
    except MonitoringError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已刪除佐證。"))
    return redirect("projects:monitoring_attachments", pk=report.pk)


def report_export(request, pk):
    """The report as its `offset-monitoring/1` document."""
    report = _report(request, pk)
    response = HttpResponse(dumps(report_document(report)), content_type="application/json")
    response["Content-Disposition"] = (
        f'attachment; filename="monitoring-{report.plan_id}-{report.number}.json"'
    )
    return response


def report_replace(request, pk):
    """Replace the report's data with an `offset-monitoring/1` document (errors by path)."""
    report = _report(request, pk, may=can_edit_report)
    form = ReplaceForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            document = load_upload(form.cleaned_data["document"])
            entry.report_replace(report=report, document=document, user=request.user)
        except UnicodeDecodeError:
            errors = ["$: " + _("檔案不是 UTF-8 文字。")]
        except DocumentErrors as error:
            errors = [describe_import_error(item) for item in error.errors]
        except MonitoringError as refusal:
            errors = [str(refusal)]
        else:
            messages.success(request, _("已依匯入的檔案更新監測報告書內容。"))
            return redirect("projects:monitoring_edit", pk=report.pk)
    return render(
        request,
        "projects/monitoring/report_replace.html",
        {"report": report, "plan": report.plan, "form": form, "errors": errors},
        status=400 if errors or form.errors else 200,
    )


@require_POST
def report_submit(request, pk):
    """Name the verification body and submit; refusals come back on the report page."""
    report = _report(request, pk, may=can_edit_report)
    form = SubmitForm(request.POST)
    key = f"monitoring-problems-{report.pk}"
    if not form.is_valid():
        messages.error(request, _("請選擇查驗機構。"))
        return redirect(report_url(report))
    try:
        report = entry.report_submit(
            report, by=request.user, verification_body=form.cleaned_data["verification_body"]
        )
    except entry.SubmissionRefused as refusal:
        request.session[key] = refusal.problems
        messages.error(request, str(refusal))
    except MonitoringError as refusal:
        messages.error(request, str(refusal))
    else:
        request.session.pop(key, None)
        messages.success(
            request,
            _("已送 %(body)s 查證。") % {"body": report.verification_body.name},
        )
    return redirect(report_url(report))


def report_url(report: MonitoringReport) -> str:
    return reverse("projects:monitoring_report", args=[report.pk])
