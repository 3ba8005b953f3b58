from celery import shared_task


@shared_task
def refresh_drafts_task() -> None:
    """Celery entry point: drafts' results after a reference-data correction."""
    from projects import services

    services.plans_refresh_results_for_reference_change()
