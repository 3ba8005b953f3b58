"""Signal receivers: drafts follow corrections of the reference data.

Connected in ProjectsConfig.ready() to post_save and post_delete of every reference
row a calculation reads (emission factors, refrigerants and their GWPs), whoever
changes them: the admin, a management command or the shell. A fixture load
(`raw`) is left alone. The refresh runs once per transaction, after it commits.
"""

import logging

from django.conf import settings
from django.db import transaction

from projects import services
from projects.tasks import refresh_drafts_task

logger = logging.getLogger(__name__)


def _refresh_drafts() -> None:
    """On a Celery worker when a broker is set (many drafts may be recomputed),
    otherwise here, after the correction committed."""
    if settings.CELERY_BROKER_URL:
        try:
            refresh_drafts_task.delay()
            return
        except Exception:  # the broker is down: refresh here rather than not at all
            logger.exception("could not queue the refresh of drafts' results")
    services.plans_refresh_results_for_reference_change()


_refresh_drafts.refreshes_drafts = True


def reference_changed(sender, instance=None, raw=False, using=None, **kwargs) -> None:
    if raw:
        return
    connection = transaction.get_connection(using)
    # One refresh per transaction, however many rows it saves (a refrigerant and its GWPs).
    pending = any(
        getattr(entry[1], "refreshes_drafts", False) for entry in connection.run_on_commit
    )
    if not pending:
        transaction.on_commit(_refresh_drafts, using=using, robust=True)
