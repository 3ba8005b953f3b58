from celery import shared_task


@shared_task
def programme_export_task(export_id: int) -> None:
    """Celery entry point for a programme ZIP export."""
    from reports import services  # services imports this module to dispatch

    services.programme_export_run(export_id)


@shared_task
def version_pdf_task(version_id: int) -> None:
    """Celery entry point: render and store an approved version's PDF."""
    from reports import services

    services.approved_pdf_store(version_id)


@shared_task
def monitoring_pdf_task(version_id: int) -> None:
    """Celery entry point: render and store an approved 監測報告書's PDF."""
    from reports import services

    services.approved_monitoring_pdf_store(version_id)
