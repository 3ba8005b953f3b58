from django.utils.functional import SimpleLazyObject

from projects.monitoring.permissions import has_monitoring_queue
from projects.permissions import has_review_queue


def navigation(request):
    """Whether the header shows the review queue (asked only when a page renders it)."""
    return {
        "show_review_queue": SimpleLazyObject(lambda: has_review_queue(request.user)),
        "show_monitoring_queue": SimpleLazyObject(lambda: has_monitoring_queue(request.user)),
    }
