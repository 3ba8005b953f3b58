"""Rendering and storing PDFs, and exporting whole programmes in the background."""

import io
import logging
import threading
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from projects.interchange import plan_document
from projects.models import Plan, PlanVersion, Programme
from projects.services import plan_calculate
from reports.models import ProgrammeExport, VersionPdf
from reports.rendering import render_plan_pdf
from reports.tasks import programme_export_task

logger = logging.getLogger(__name__)


def version_pdf(version: PlanVersion) -> bytes:
    """The PDF of a frozen version. An approved version's PDF is rendered once,
    stored, and served from storage afterwards."""
    stored = VersionPdf.objects.filter(version=version).first()
    if stored is not None:
        with stored.file.open("rb") as handle:
            return handle.read()
    pdf = render_plan_pdf(document=version.document, results=version.results, draft=False)
    plan = version.plan
    if plan.status == Plan.Status.APPROVED and plan.current_version_id == version.pk:
        VersionPdf.objects.get_or_create(
            version=version, defaults={"file": ContentFile(pdf, name="plan.pdf")}
        )
    return pdf


def draft_pdf(plan: Plan) -> bytes:
    """The current draft, marked 草稿 on every page (raises DocumentErrors if incomplete)."""
    results = plan_calculate(plan).to_json()
    return render_plan_pdf(document=plan_document(plan), results=results, draft=True)


def programme_export_start(*, programme: Programme, user) -> ProgrammeExport:
    """Queue a ZIP of the programme's approved sub-projects; it is produced by a
    Celery worker when CELERY_BROKER_URL is set, otherwise in a background thread."""
    export = ProgrammeExport.objects.create(
        programme=programme,
        requested_by=user,
        total=approved_versions(programme).count(),
    )
    transaction.on_commit(lambda: _dispatch(export.pk))
    return export


def _dispatch(export_id: int) -> None:
    if settings.CELERY_BROKER_URL:
        programme_export_task.delay(export_id)
    else:
        threading.Thread(target=_run_in_thread, args=(export_id,), daemon=True).start()


def _run_in_thread(export_id: int) -> None:
    try:
        programme_export_run(export_id)
    finally:
        connections.close_all()  # this thread's own database connections


def approved_versions(programme: Programme):
    return PlanVersion.objects.filter(
        plan__programme=programme,
        plan__status=Plan.Status.APPROVED,
        plan__current_version=F("pk"),
    ).select_related("plan")


def programme_export_run(export_id: int) -> None:
    """Render (or reuse) each approved sub-project's PDF into one ZIP, saving
    progress after each file so the page can show it."""
    export = ProgrammeExport.objects.get(pk=export_id)
    export.status = ProgrammeExport.Status.RUNNING
    export.save(update_fields=["status"])
    buffer = io.BytesIO()
    try:
        versions = list(approved_versions(export.programme).order_by("plan__number", "plan_id"))
        export.total = len(versions)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for index, version in enumerate(versions, start=1):
                name = version.plan.number or f"plan-{version.plan_id}"
                archive.writestr(f"{name}-v{version.number}.pdf", version_pdf(version))
                export.done = index
                export.save(update_fields=["done", "total"])
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        export.file.save(
            f"programme-{export.programme_id}-{stamp}.zip",
            ContentFile(buffer.getvalue()),
            save=False,
        )
        export.status = ProgrammeExport.Status.DONE
    except Exception as error:  # reported on the page; the log has the traceback
        logger.exception("programme export %s failed", export_id)
        export.status = ProgrammeExport.Status.FAILED
        export.error = str(error)
    export.finished_at = timezone.now()
    export.save()
