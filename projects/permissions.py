"""Who may do what with a plan, beyond seeing it (see PlanQuerySet.visible_to)."""

from django.shortcuts import get_object_or_404

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


def visible_plan(user, pk) -> Plan:
    """The plan if the user may see it; 404 otherwise, as if it did not exist."""
    return get_object_or_404(
        Plan.objects.visible_to(user).select_related(
            "organisation", "programme__authority", "methodology"
        ),
        pk=pk,
    )


def can_edit(user, plan: Plan) -> bool:
    """Whether the user may change the plan now (see PlanQuerySet.editable_by)."""
    return Plan.objects.editable_by(user).filter(pk=plan.pk).exists()
