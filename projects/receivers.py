"""Signal receivers: drafts follow corrections of the reference data.

Connected in ProjectsConfig.ready() to post_save and post_delete of every reference
row a calculation reads (emission factors, refrigerants and their GWPs), whoever
changes them: the admin, a management command or the shell. A fixture load
(`raw`) is left alone. The refresh runs once per transaction, after it commits.
"""

from django.db import transaction

from projects import services


def _refresh_drafts() -> None:
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
