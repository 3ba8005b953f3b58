"""Rendering and storing PDFs, and exporting whole programmes in the background."""

import logging
import posixpath
import shutil
import tempfile
import threading
import zipfile

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone

from methodologies.engine import calculate_monitoring, parse_monitoring_document
from methodologies.models import EmissionFactor
from methodologies.reference import (
    reference_from_snapshot,
    reference_snapshot,
    snapshot_results,
)
from projects.interchange import plan_document
from projects.models import Plan, PlanVersion, Programme
from projects.monitoring.entry import monitoring_reference_snapshot
from projects.monitoring.models import (
    MonitoringAttachment,
    MonitoringReport,
    MonitoringReportVersion,
)
from projects.monitoring.services import report_document
from reports.models import MonitoringVersionPdf, ProgrammeExport, VersionPdf
from reports.monitoring import Evidence, MonitoringSource, Verification
from reports.rendering import render_monitoring_pdf, render_plan_pdf
from reports.tasks import monitoring_pdf_task, programme_export_task, version_pdf_task

logger = logging.getLogger(__name__)
COPY_CHUNK = 1024 * 1024


def render_version(version: PlanVersion) -> bytes:
    """A frozen version's PDF from the version alone: its document, results and
    reference snapshot (no reference table is read)."""
    return render_plan_pdf(
        document=version.document,
        results=version.results,
        reference=version.reference,
        draft=False,
    )


def _keeps_pdf(version: PlanVersion) -> bool:
    plan = version.plan
    return plan.status == Plan.Status.APPROVED and plan.current_version_id == version.pk


def _stored_pdf(model, version, *, keeps, render, filename: str):
    """The stored PDF (a `model` row) of `version`, rendering and storing it if it is
    missing and `keeps()` says the version keeps its PDF; None otherwise."""
    stored = model.objects.filter(version=version).first()
    if stored is not None or not keeps():
        return stored
    pdf = render()
    try:
        with transaction.atomic():
            return model.objects.create(version=version, file=ContentFile(pdf, name=filename))
    except IntegrityError:  # stored meanwhile by the approval's own job
        return model.objects.get(version=version)


def _stored_or_rendered(stored, render) -> bytes:
    if stored is None:
        return render()
    with stored.file.open("rb") as handle:
        return handle.read()


def _store_logged(what: str, version_id: int, store) -> None:
    """Run `store()` after an approval; a failure is logged, and the download renders
    the PDF later."""
    try:
        store()
    except Exception:
        logger.exception("could not store the PDF of %s %s", what, version_id)


def stored_version_pdf(version: PlanVersion) -> VersionPdf | None:
    """The stored PDF of an approved version, rendering and storing it if it is
    missing; None for a version that is not the approved one (never stored)."""
    return _stored_pdf(
        VersionPdf,
        version,
        keeps=lambda: _keeps_pdf(version),
        render=lambda: render_version(version),
        filename="plan.pdf",
    )


def version_pdf(version: PlanVersion) -> bytes:
    """The PDF of a frozen version. An approved version's PDF is stored when the plan
    is approved and served from storage; if that failed, it is rendered and stored now."""
    return _stored_or_rendered(stored_version_pdf(version), lambda: render_version(version))


def approved_pdf_schedule(version_id: int, *, monitoring: bool = False) -> None:
    """Called once an approval has committed: store the approved version's PDF (a
    plan's, or with `monitoring` a 監測報告書's) on a Celery worker when
    CELERY_BROKER_URL is set, otherwise here and now."""
    task, store = (
        (monitoring_pdf_task, approved_monitoring_pdf_store)
        if monitoring
        else (version_pdf_task, approved_pdf_store)
    )
    if settings.CELERY_BROKER_URL:
        try:
            task.delay(version_id)
            return
        except Exception:  # the broker is down: render here rather than not at all
            logger.exception("could not queue the PDF of version %s", version_id)
    store(version_id)


def approved_pdf_store(version_id: int) -> None:
    """Render and store an approved version's PDF (see _store_logged)."""
    _store_logged(
        "version",
        version_id,
        lambda: stored_version_pdf(PlanVersion.objects.select_related("plan").get(pk=version_id)),
    )


def draft_pdf(plan: Plan) -> bytes:
    """The current draft, marked 草稿 on every page, with today's reference figures
    (raises DocumentErrors if incomplete)."""
    document = plan_document(plan)
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference).to_json()
    return render_plan_pdf(document=document, results=results, reference=reference, draft=True)


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


def entry_name(version: PlanVersion) -> str:
    """A ZIP entry's name: the plan's id and the version number, never typed text."""
    return f"plan-{int(version.plan_id)}-v{int(version.number)}.pdf"


def programme_export_run(export_id: int) -> None:
    """Put each approved sub-project's stored PDF (rendered and stored first where
    missing) into one ZIP, written to a temporary file and saved from there; progress
    is saved after each file so the page can show it."""
    export = ProgrammeExport.objects.get(pk=export_id)
    export.status = ProgrammeExport.Status.RUNNING
    export.save(update_fields=["status"])
    try:
        ids = list(
            approved_versions(export.programme)
            .order_by("plan__number", "plan_id")
            .values_list("pk", flat=True)
        )
        export.total = len(ids)
        with tempfile.NamedTemporaryFile(suffix=".zip") as handle:
            # Stored, not deflated: the PDFs are compressed already (deflate saves ~5 %
            # for ~30 ms a file).
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as archive:
                for index, version_id in enumerate(ids, start=1):
                    version = PlanVersion.objects.select_related("plan").get(pk=version_id)
                    stored = stored_version_pdf(version)
                    if stored is None:  # no longer the approved version: as it stands
                        archive.writestr(entry_name(version), render_version(version))
                    else:
                        with (
                            stored.file.open("rb") as pdf,
                            archive.open(entry_name(version), "w") as entry,
                        ):
                            shutil.copyfileobj(pdf, entry, COPY_CHUNK)
                    export.done = index
                    export.save(update_fields=["done", "total"])
            handle.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            export.file.save(
                f"programme-{export.programme_id}-{stamp}.zip", File(handle), save=False
            )
        export.status = ProgrammeExport.Status.DONE
    except Exception as error:  # reported on the page; the log has the traceback
        logger.exception("programme export %s failed", export_id)
        export.status = ProgrammeExport.Status.FAILED
        export.error = str(error)
    export.finished_at = timezone.now()
    export.save()


# -- 監測報告書 ---------------------------------------------------------------------


def _factor_source(reference: dict, year: int) -> str:
    """Where the period's emission factor was published: the snapshot's word when it
    keeps one, else the reference table's (the value itself is the snapshot's)."""
    for row in reference.get("emission_factors", []):
        if row.get("year") == year and row.get("source"):
            return row["source"]
    return EmissionFactor.objects.filter(year=year).values_list("source", flat=True).first() or ""


def _evidence(attachment: MonitoringAttachment | dict) -> Evidence:
    """A file as the PDF lists it: a stored attachment, or a version's manifest entry."""
    if isinstance(attachment, dict):
        return Evidence(
            label=attachment["label"],
            description=attachment["description"],
            filename=attachment["filename"],
            sha256=attachment.get("sha256") or "",
        )
    return Evidence(
        label=attachment.label,
        description=attachment.description,
        filename=posixpath.basename(attachment.file.name),
        sha256=attachment.sha256,
    )


def monitoring_source(
    report: MonitoringReport, version: MonitoringReportVersion | None = None
) -> MonitoringSource:
    """Everything the 監測報告書 PDF prints, read now so that rendering reads nothing:
    a frozen `version` as it was submitted (its document, results and reference
    snapshot), or without one the current draft computed with today's reference
    figures (raises DocumentErrors while it is incomplete or its year's emission
    factor is not published). The plan's part is the registered version's. The
    verifier's figure is printed with the report's current version only."""
    report = MonitoringReport.objects.select_related(
        "plan__organisation",
        "plan__authority",
        "plan__programme__authority",
        "plan__registered_version",
        "verification_body",
    ).get(pk=report.pk)
    plan = report.plan
    if version is None:
        document = report_document(report)
        reference = monitoring_reference_snapshot(document)
        results = calculate_monitoring(
            parse_monitoring_document(document, reference_from_snapshot(reference))
        ).to_json()
        dated = timezone.localdate()
    else:
        document, results, reference = version.document, version.results, version.reference
        dated = timezone.localdate(version.created_at)
    registered = plan.registered_version
    attachments = list(report.attachments.order_by("order", "pk"))
    verification = None
    if report.verification_body_id:
        # The verifier's figure and statement belong to the latest submission: the
        # statements uploaded since it (as projects.monitoring's verification pages
        # read them), printed with the current version only.
        current = version is not None and version.pk == report.current_version_id
        statements = [
            a
            for a in attachments
            if a.kind == MonitoringAttachment.Kind.VERIFICATION_STATEMENT
            and (report.submitted_at is None or a.uploaded_at >= report.submitted_at)
        ]
        verification = Verification(
            body=report.verification_body.name,
            current=current or version is None,
            reduction_tco2e=report.verified_reduction_tco2e if current else None,
            statements=tuple(_evidence(a) for a in statements) if current else (),
        )
    # A version lists the evidence it was submitted with; the draft what it holds now.
    if version is not None:
        evidence = version.evidence
    else:
        evidence = [
            a
            for a in attachments
            if a.kind == MonitoringAttachment.Kind.EVIDENCE and a.withdrawn_at is None
        ]
    authority = plan.reviewing_authority
    return MonitoringSource(
        document=document,
        results=results,
        reference=reference,
        plan_document=registered.document if registered else {},
        plan_results=registered.results if registered else {},
        plan_reference=registered.reference if registered else {},
        organisation=plan.organisation.name,
        authority=authority.name if authority else "",
        registered_on=plan.registered_on,
        dated=dated,
        draft=version is None,
        version=version.number if version else None,
        factor_source=_factor_source(reference, document["monitoring"]["emission_factor"]["year"]),
        evidence=tuple(_evidence(item) for item in evidence),
        verification=verification,
    )


def monitoring_pdf(
    report: MonitoringReport, version: MonitoringReportVersion | None = None
) -> bytes:
    """The 監測報告書 PDF of a frozen version, or of the current draft (marked 草稿;
    raises DocumentErrors while the draft cannot be computed)."""
    return render_monitoring_pdf(monitoring_source(report, version))


def _keeps_monitoring_pdf(version: MonitoringReportVersion) -> bool:
    report = version.report
    return (
        report.status == MonitoringReport.Status.APPROVED
        and report.current_version_id == version.pk
    )


def stored_monitoring_pdf(version: MonitoringReportVersion) -> MonitoringVersionPdf | None:
    """The stored PDF of an approved report's version, rendering and storing it if it
    is missing; None for any other version (rendered on each download)."""
    return _stored_pdf(
        MonitoringVersionPdf,
        version,
        keeps=lambda: _keeps_monitoring_pdf(version),
        render=lambda: monitoring_pdf(version.report, version),
        filename="monitoring.pdf",
    )


def monitoring_version_pdf(version: MonitoringReportVersion) -> bytes:
    """The PDF of a frozen 監測報告書 version: once approved, the one stored then."""
    return _stored_or_rendered(
        stored_monitoring_pdf(version), lambda: monitoring_pdf(version.report, version)
    )


def approved_monitoring_pdf_store(version_id: int) -> None:
    """Render and store an approved 監測報告書's PDF (see _store_logged)."""
    _store_logged(
        "monitoring version",
        version_id,
        lambda: stored_monitoring_pdf(
            MonitoringReportVersion.objects.select_related("report").get(pk=version_id)
        ),
    )
