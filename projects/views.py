"""Plan pages. Views look the plan up through `permissions` (404 for what one may not see), run
the forms, call a service and render; they never compute figures."""

from pathlib import Path
from urllib.parse import unquote

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.paginator import Paginator
from django.db.models.fields.json import KT
from django.forms import BaseFormSet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from methodologies.engine import DocumentErrors, dumps
from projects import (
    compare,
    consistency,
    dashboard,
    permissions,
    services,
    survey_template,
    workflow,
)
from projects.calculator.services import calculator_apply
from projects.credits import selectors as credit_selectors
from projects.forms import (
    AttachmentForm,
    CommentForm,
    FigureForm,
    ImportForm,
    PlanCreateForm,
    ReplaceForm,
)
from projects.interchange import load_upload, plan_document
from projects.models import (
    Attachment,
    Membership,
    Plan,
    PlanFigure,
    PlanVersion,
    ReviewComment,
)
from projects.monitoring.models import MonitoringReport
from projects.monitoring.permissions import can_create_report, visible_reports
from projects.presentation import (
    CHECK_LABELS,
    describe_error,
    describe_import_error,
    display_results,
)
from projects.registration.permissions import can_register
from projects.sections import EDITOR_BY_SLUG, EDITORS


def _visible_plan(request, pk) -> Plan:
    return permissions.visible_plan(request.user, pk)


def _editable_plan(request, pk) -> Plan:
    """404 for plans the user cannot see or cannot change now."""
    return permissions.editable_plan(request.user, pk)


# The applicant's open monitoring reports listed above the plans.
MONITORING_REPORTS_SHOWN = 20

# What a row of the plan list shows; the texts and the cached results stay in
# the database (the two figures are read out of the results by the query).
PLAN_LIST_FIELDS = (
    "title",
    "type",
    "status",
    "technology",
    "updated_at",
    "organisation__name",
    "programme__title",
)


def plan_list(request):
    """The plans the user sees, latest change first, a page at a time: a fixed
    number of queries however many plans there are."""
    plans = (
        permissions.visible_plans(request.user)
        .select_related("organisation", "programme")
        .only(*PLAN_LIST_FIELDS)
        .annotate(
            annual_reduction_tco2e=KT("results__annual_reduction_tco2e"),
            total_reduction_tco2e=KT("results__total_reduction_tco2e"),
        )
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(plans, dashboard.PAGE_SIZE).get_page(request.GET.get("page"))
    can_create = permissions.can_create_plans(request.user)
    # The applicant's monitoring reports still in their hands or out for verification.
    reports = (
        visible_reports(request.user)
        .filter(plan__organisation__in=Membership.organisations_of(request.user))
        .exclude(status=MonitoringReport.Status.APPROVED)
        .select_related("plan")
        .order_by("-updated_at")[:MONITORING_REPORTS_SHOWN]
    )
    return render(
        request,
        "projects/plan_list.html",
        {"page": page, "plans": page, "can_create": can_create, "monitoring_reports": reports},
    )


def plan_create(request):
    if not permissions.can_create_plans(request.user):
        raise PermissionDenied
    form = PlanCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan = services.plan_create(user=request.user, **form.cleaned_data)
        # Figures tried on the public calculator before signing in become section 四.
        if calculator_apply(session=request.session, plan=plan, user=request.user):
            messages.success(request, _("已建立計畫書草稿，並填入試算的計算方法數值。"))
            return redirect("projects:section", pk=plan.pk, slug="calculation")
        messages.success(request, _("已建立計畫書草稿，請依序填寫各章節。"))
        return redirect("projects:section", pk=plan.pk, slug="basic")
    return render(request, "projects/plan_create.html", {"form": form})


def _navigator(plan: Plan, current: str = "", errors: int = 0):
    """Each section with its state (complete, incomplete, has errors, or, on a plan
    that is no longer editable, optional content left out) and a reason saying
    what the mark means there."""
    results = plan.results
    failing = [c["id"] for c in results["checks"] if c["status"] == "fail"] if results else []
    frozen = plan.status not in Plan.EDITABLE_STATUSES
    items = []
    for editor in EDITORS:
        reason = ""
        if editor.slug == current and errors:
            state = "error"
            reason = ngettext(
                "此頁有 %(count)d 個欄位需要修正。", "此頁有 %(count)d 個欄位需要修正。", errors
            ) % {"count": errors}
        elif editor.slug == "calculation" and failing:
            state = "error"
            reason = _("檢核未通過：%(checks)s") % {
                "checks": "、".join(str(CHECK_LABELS.get(check, check)) for check in failing)
            }
        elif editor.slug == "calculation" and results is None:
            state = "incomplete"
            reason = _("計算所需的資料尚未填齊，還算不出減量。")
        elif editor.is_complete(plan):
            state = "complete"
        elif frozen:
            # A plan past submission passed every required check: what is missing is optional.
            state = "optional"
        else:
            state = "incomplete"
        items.append(
            {
                "slug": editor.slug,
                "number": editor.number,
                "title": editor.title,
                "state": state,
                "reason": reason,
            }
        )
    has_attachments = plan.attachments.exists()
    items.append(
        {
            "slug": "attachments",
            "number": "",
            "title": _("附件"),
            "state": "complete" if has_attachments else ("optional" if frozen else "incomplete"),
            "reason": "",
        }
    )
    return items


def _calculation_errors(plan: Plan) -> list[str]:
    if plan.results is not None:
        return []
    try:
        services.plan_calculate(plan)
    except DocumentErrors as errors:
        return [describe_error(error) for error in errors.errors]
    return []


def plan_detail(request, pk):
    plan = _visible_plan(request, pk)
    return render(
        request,
        "projects/plan_detail.html",
        {
            "plan": plan,
            "results": display_results(plan.results),
            "calculation_errors": _calculation_errors(plan),
            "warnings": consistency.warnings(plan),
            "navigator": _navigator(plan),
            "can_edit": permissions.can_edit(request.user, plan),
            "can_delete": permissions.can_delete(request.user, plan),
            "can_register": can_register(request.user, plan),
            "attachments": plan.attachments.all(),
            "credit_summary": credit_selectors.plan_credit_summary(plan),
            "monitoring_reports": credit_selectors.with_issued_credits(
                visible_reports(request.user).filter(plan=plan)
            ),
            "can_create_report": can_create_report(request.user, plan),
            **_review_context(request, plan),
        },
    )


def _review_context(request, plan: Plan) -> dict:
    """The review panel of the plan page: state, actions, comments, versions."""
    is_reviewer = permissions.is_reviewer(request.user, plan)
    problems = [
        {
            **problem,
            "url": reverse("projects:section", args=[plan.pk, problem["section"]])
            + (f"#id_{problem['field']}" if problem["field"] else ""),
        }
        for problem in request.session.get(f"problems-{plan.pk}", [])
    ]
    comments = plan.comments.filter(parent=None).select_related("author", "resolved_by")
    return {
        "transitions": workflow.available_transitions(plan, request.user),
        "problems": problems,
        "versions": plan.versions.select_related("created_by").order_by("-number"),
        "comments": comments.prefetch_related("replies__author"),
        "open_comments": workflow.open_comment_count(plan),
        "is_reviewer": is_reviewer,
        "can_comment": permissions.can_reply(request.user, plan),
        "comment_form": CommentForm(),
    }


def _section_comments(request, plan: Plan, slug: str) -> dict:
    """The open comment threads on this section, with their replies."""
    threads = plan.comments.filter(parent=None, section=slug, resolved_at=None)
    return {
        "section_comments": threads.select_related("author").prefetch_related("replies__author"),
        "is_reviewer": permissions.is_reviewer(request.user, plan),
        "can_comment": permissions.can_reply(request.user, plan),
    }


def refused_save(request, editor, conflict_message: str) -> int:
    """An editor page's save that did not go through: say why (the page was saved
    meanwhile, `conflict_message`, or how many fields need fixing) and return the
    status, 409 or 400. The plan's section pages and the monitoring editor share it."""
    if editor.conflicts:
        messages.error(request, conflict_message)
        return 409
    messages.error(
        request,
        _("有 %(count)d 個欄位需要修正，其他內容已保留。") % {"count": editor.error_count()},
    )
    return 400


def section(request, pk, slug):
    editor_class = EDITOR_BY_SLUG.get(slug)
    if editor_class is None:
        raise Http404
    plan = _visible_plan(request, pk)
    can_edit = permissions.can_edit(request.user, plan)
    status = 200
    if request.method == "POST":
        # An editor whose plan was submitted meanwhile gets the page back, not a 404.
        if not can_edit and not permissions.is_applicant_editor(request.user, plan):
            raise Http404
        try:
            editor = services.plan_section_save(
                plan=plan,
                editor_class=editor_class,
                data=request.POST,
                files=request.FILES,
                user=request.user,
            )
        except services.PlanNotEditable as refusal:
            # Submitted meanwhile: show the page as sent, read only.
            messages.error(request, str(refusal))
            editor, status = editor_class(plan, request.POST, request.FILES), 409
            can_edit = False
        else:
            if editor.saved:
                messages.success(request, _("已儲存「%(title)s」。") % {"title": editor.title})
                return redirect("projects:section", pk=plan.pk, slug=slug)
            status = refused_save(
                request,
                editor,
                _(
                    "您開啟此頁後，計畫書已由他人（或另一個分頁）儲存過，因此這次沒有儲存。"
                    "下方列出目前已儲存的內容與您送出的內容；您輸入的內容都還在頁面上，"
                    "確認後再按「儲存草稿」即以頁面上的內容儲存。"
                ),
            )
        # The side panels show what is saved.
        plan = _visible_plan(request, pk)
    else:
        editor = editor_class(plan)
    context = {
        "plan": plan,
        "editor": editor,
        "can_edit": can_edit,
        "navigator": _navigator(plan, current=slug, errors=editor.error_count()),
        "results": display_results(plan.results),
        "calculation_errors": _calculation_errors(plan),
        "warnings": consistency.warnings(plan),
        "saving_rate": consistency.saving_rate(plan),
        "cost_shares": consistency.cost_shares(plan),
        "group_figures": _group_figures(plan, editor) if slug == "calculation" else None,
        "environment_template": survey_template.environment_texts(plan)
        if slug == "environment"
        else None,
        "slug": slug,
        **_section_comments(request, plan, slug),
    }
    return render(request, editor.template, context, status=status)


def _group_figures(plan, editor):
    """The saved plan's group figures; an unbound page's groups are the saved ones,
    read already (a page of 400 monthly groups holds 4,800 months)."""
    if editor.bound:
        return consistency.plan_group_figures(plan)
    return consistency.plan_group_figures(plan, editor.groups, editor.months)


@require_POST
def preview(request, pk, slug):
    """Figures and checks for what is on the page now, unsaved (htmx)."""
    editor_class = EDITOR_BY_SLUG.get(slug)
    if editor_class is None:
        raise Http404
    try:
        editor, preview = services.plan_preview(
            user=request.user,
            pk=pk,
            editor_class=editor_class,
            data=request.POST,
            files=request.FILES,
        )
    except Plan.DoesNotExist:
        raise Http404 from None  # not one the user may change (now)
    context = {"plan": editor.plan, "preview": True, "slug": slug}
    if preview is not None:
        context.update(
            results=display_results(preview.results),
            calculation_errors=preview.errors,
            warnings=preview.warnings,
            saving_rate=preview.saving_rate,
            group_figures=preview.group_figures if slug == "calculation" else None,
        )
    else:
        context["invalid"] = editor.error_count()
    context["field_errors"] = _invalid_fields(editor) if preview is None else {}
    context["other_errors"] = _other_errors(editor) if preview is None else []
    return render(request, "projects/includes/results_panel.html", context)


def _invalid_fields(editor) -> dict[str, str]:
    """Each field in error on the page, by its HTML name, with its first message
    (the preview marks them on the page as it counts them)."""
    found = {}
    for part in editor.all_forms():
        for form in part.forms if isinstance(part, BaseFormSet) else [part]:
            for name, errors in form.errors.items():
                if name != NON_FIELD_ERRORS and errors:
                    found[form.add_prefix(name)] = str(errors[0])
    return found


def _other_errors(editor) -> list[str]:
    """Errors the page cannot mark on one field (a table with too many rows, a row's
    own rule): the preview lists them in its panel instead."""
    found = []
    for part in editor.all_forms():
        if isinstance(part, BaseFormSet):
            found.extend(str(error) for error in part.non_form_errors())
        for form in part.forms if isinstance(part, BaseFormSet) else [part]:
            found.extend(str(error) for error in form.non_field_errors())
    return found


def plan_export(request, pk):
    plan = permissions.visible_plan(request.user, pk, may=permissions.can_export_document)
    response = HttpResponse(dumps(plan_document(plan)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}.json"'
    return response


def plan_import(request):
    if not permissions.can_create_plans(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_import(
                document=load_upload(form.cleaned_data["document"]),
                organisation=form.cleaned_data["organisation"],
            )
        except UnicodeDecodeError:
            errors = ["$: " + _("檔案不是 UTF-8 文字。")]
        except DocumentErrors as error:
            errors = [describe_import_error(item) for item in error.errors]
        else:
            messages.success(request, _("已匯入計畫書「%(title)s」。") % {"title": plan.title})
            return redirect(plan)
    return render(request, "projects/plan_import.html", {"form": form, "errors": errors})


def plan_replace(request, pk):
    """Replace this draft's content with a document edited elsewhere."""
    plan = _editable_plan(request, pk)
    form = ReplaceForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            document = load_upload(form.cleaned_data["document"])
            services.plan_replace(plan=plan, document=document, user=request.user)
        except UnicodeDecodeError:
            errors = ["$: " + _("檔案不是 UTF-8 文字。")]
        except DocumentErrors as error:
            errors = [describe_import_error(item) for item in error.errors]
        except services.PlanError as refusal:
            errors = [str(refusal)]
        else:
            messages.success(request, _("已依匯入的檔案更新計畫書內容。"))
            return redirect(plan)
    return render(
        request, "projects/plan_replace.html", {"plan": plan, "form": form, "errors": errors}
    )


def attachments(request, pk):
    plan = _visible_plan(request, pk)
    can_edit = permissions.can_edit(request.user, plan)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                services.attachment_add(plan=plan, **form.cleaned_data)
            except services.PlanError as refusal:
                messages.error(request, str(refusal))
            else:
                messages.success(request, _("已上傳附件。"))
            return redirect("projects:attachments", pk=plan.pk)
    else:
        form.initial["label"] = services.next_attachment_label(plan)
    return render(
        request,
        "projects/sections/attachments.html",
        {
            "plan": plan,
            "form": form,
            "can_edit": can_edit,
            "attachments": plan.attachments.all(),
            "figures": plan.figures.all(),
            "figure_form": FigureForm(),
            "navigator": _navigator(plan, current="attachments", errors=len(form.errors)),
            "slug": "attachments",
            **_section_comments(request, plan, "attachments"),
        },
        status=400 if form.errors else 200,
    )


def attachment_download(request, pk, attachment_pk):
    plan = permissions.visible_plan(request.user, pk, may=permissions.can_download_attachment)
    attachment = get_object_or_404(Attachment, plan=plan, pk=attachment_pk)
    if not attachment.file:
        raise Http404
    # Always a download, so that no uploaded file is ever shown as a page.
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=Path(attachment.file.name).name,
    )


@require_POST
def attachment_delete(request, pk, attachment_pk):
    plan = _editable_plan(request, pk)
    attachment = get_object_or_404(Attachment, plan=plan, pk=attachment_pk)
    try:
        services.attachment_delete(plan=plan, attachment=attachment)
    except services.PlanError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已刪除附件。"))
    return redirect("projects:attachments", pk=plan.pk)


@require_POST
def figure_add(request, pk):
    """Place an image in a slot of the 計畫書 (from the attachments page)."""
    plan = _editable_plan(request, pk)
    form = FigureForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("projects:attachments", pk=plan.pk)
    upload = form.cleaned_data["image"]
    try:
        services.figure_add(
            plan=plan,
            slot=form.cleaned_data["slot"],
            caption=form.cleaned_data["caption"],
            content=upload.read(),
        )
    except services.PlanError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已加入圖片。"))
    return redirect("projects:attachments", pk=plan.pk)


def figure_image(request, pk, figure_pk):
    """A figure as an image; what is stored is always a re-encoded PNG or JPEG."""
    plan = permissions.visible_plan(request.user, pk, may=permissions.can_see_figure)
    figure = get_object_or_404(PlanFigure, plan=plan, pk=figure_pk)
    response = FileResponse(figure.image.open("rb"), content_type=figure.media_type)
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_POST
def figure_delete(request, pk, figure_pk):
    plan = _editable_plan(request, pk)
    figure = get_object_or_404(PlanFigure, plan=plan, pk=figure_pk)
    try:
        services.figure_delete(plan=plan, figure=figure)
    except services.PlanError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("已刪除圖片。"))
    return redirect("projects:attachments", pk=plan.pk)


def _count(value) -> int:
    """A count the page sent back (e.g. the open comments a reviewer confirmed); 0 if none."""
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


@require_POST
def plan_transition(request, pk, name):
    """Submit, withdraw, start review, request changes, approve or reject."""
    plan = _visible_plan(request, pk)
    try:
        workflow.plan_transition(
            plan=plan,
            user=request.user,
            name=name,
            comment=request.POST.get("comment", ""),
            confirm_open_comments=_count(request.POST.get("confirm_open_comments")),
            on_mail_failure=lambda: messages.warning(
                request, _("狀態已更新，但通知信未能寄出，請另行通知對方。")
            ),
        )
    except workflow.SubmissionIncomplete as refusal:
        request.session[f"problems-{plan.pk}"] = [
            {"section": p.section, "field": p.field, "message": str(p.message)}
            for p in refusal.problems
        ]
        messages.error(request, str(refusal))
    except services.PlanError as refusal:
        messages.error(request, str(refusal))
    else:
        request.session.pop(f"problems-{plan.pk}", None)
        messages.success(
            request,
            _("計畫書狀態已更新為「%(status)s」。")
            % {"status": Plan.objects.get(pk=plan.pk).get_status_display()},
        )
    return redirect(plan)


@require_POST
def comment_add(request, pk):
    """Reviewers comment on a section (and field); applicants and reviewers reply."""
    plan = _visible_plan(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(plan=plan, user=request.user, **form.cleaned_data)
        except services.PlanError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("已送出意見。"))
    else:
        messages.error(request, _("意見內容不可空白。"))
    return redirect(_back_to_plan(request, plan))


@require_POST
def comment_resolve(request, pk, comment_pk):
    plan = _visible_plan(request, pk)
    comment = get_object_or_404(ReviewComment, plan=plan, pk=comment_pk, parent=None)
    try:
        services.comment_resolve(comment=comment, user=request.user)
    except services.PlanError as refusal:
        messages.error(request, str(refusal))
    return redirect(_back_to_plan(request, plan))


def _back_to_plan(request, plan: Plan) -> str:
    """Where a comment action returns: the posted `next` if it is one of this plan's
    own pages (a section page), else the plan page's comments."""
    target = request.POST.get("next", "")
    base = plan.get_absolute_url()
    path = unquote(target)  # a browser reads %2e%2e as ..
    if (
        url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and target.startswith(base)
        and "/." not in path
        and "\\" not in path
    ):
        return target
    return f"{base}#comments"


def plan_delete(request, pk):
    """A draft that was never submitted: a confirmation page, then (POST) deleted."""
    plan = permissions.visible_plan(request.user, pk, may=permissions.can_delete)
    if request.method == "POST":
        try:
            services.plan_delete(plan=plan, user=request.user)
        except services.PlanError as refusal:
            messages.error(request, str(refusal))
            gone = not Plan.objects.filter(pk=plan.pk).exists()
            return redirect("projects:plan_list") if gone else redirect(plan)
        messages.success(request, _("已刪除計畫書草稿「%(title)s」。") % {"title": plan.title})
        return redirect("projects:plan_list")
    return render(
        request,
        "projects/plan_delete.html",
        {"plan": plan, "attachments": plan.attachments.all()},
    )


def plan_history(request, pk):
    plan = _visible_plan(request, pk)
    events = plan.events.select_related("user")
    return render(request, "projects/plan_history.html", {"plan": plan, "events": events})


def version_document(request, pk, number):
    """A frozen version as the JSON document that was submitted."""
    plan = permissions.visible_plan(request.user, pk, may=permissions.can_export_document)
    version = get_object_or_404(PlanVersion, plan=plan, number=number)
    response = HttpResponse(dumps(version.document), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="plan-{plan.pk}-v{number}.json"'
    return response


def plan_compare(request, pk):
    """What changed between two versions (or a version and the current draft)."""
    plan = _visible_plan(request, pk)
    versions = list(plan.versions.order_by("number"))
    if not versions:
        raise Http404
    try:
        a, b = compare.pick_versions(request.GET, [v.number for v in versions])
    except ValueError as error:
        raise Http404 from error
    by_number = {v.number: v for v in versions}

    def document(choice):
        return plan_document(plan) if choice == "draft" else by_number[choice].document

    return render(
        request,
        "projects/plan_compare.html",
        {
            "plan": plan,
            "versions": versions,
            "a": a,
            "b": b,
            "sections": compare.compare_documents(document(a), document(b)),
        },
    )
