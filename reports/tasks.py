from celery import shared_task


@shared_task
def programme_export_task(export_id: int) -> None:
    """Celery entry point for a programme ZIP export."""
    from reports import services  # services imports this module to dispatch

    services.programme_export_run(export_id)
