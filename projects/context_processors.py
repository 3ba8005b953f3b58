from django.utils.functional import SimpleLazyObject

from projects.dashboard import is_dashboard_reviewer


def navigation(request):
    """Whether the header shows the review queue (asked only when a page renders it)."""
    return {"show_review_queue": SimpleLazyObject(lambda: is_dashboard_reviewer(request.user))}
