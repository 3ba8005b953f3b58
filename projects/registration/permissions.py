"""Who may register plans. The public registry (`/registry/`) needs no sign-in."""

from projects.models import Plan
from projects.permissions import is_reviewer, is_site_administrator


def is_registration_authority(user, plan: Plan) -> bool:
    """Who registers a plan, whatever its state: the reviewers of its reviewing
    authority (the programme's for a sub-project; see `is_reviewer`) and site
    administrators."""
    return is_site_administrator(user) or is_reviewer(user, plan)


def can_register(user, plan: Plan) -> bool:
    """Register the plan now: its authority (`is_registration_authority`), once it
    is approved and while it is not registered yet."""
    return (
        plan.status == Plan.Status.APPROVED
        and not plan.is_registered
        and is_registration_authority(user, plan)
    )
