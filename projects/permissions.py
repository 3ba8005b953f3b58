"""Who may do what with a plan, beyond seeing it (see PlanQuerySet.visible_to)."""

from projects.models import Membership, Plan


def is_applicant_editor(user, plan: Plan) -> bool:
    """An editor of the applicant organisation: may edit drafts, submit, withdraw, reply."""
    return Membership.objects.filter(
        user=user, organisation_id=plan.organisation_id, role=Membership.Role.EDITOR
    ).exists()


def is_reviewer(user, plan: Plan) -> bool:
    """A reviewer of the authority that reviews the plan: may review, comment, decide."""
    authority = plan.reviewing_authority
    return (
        authority is not None
        and Membership.objects.filter(
            user=user, organisation=authority, role=Membership.Role.REVIEWER
        ).exists()
    )
