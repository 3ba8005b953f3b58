"""E-mail to the other side of a review on each transition."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from projects.models import Membership


def transition_made(*, plan, transition, user, comment: str) -> None:
    """Applicants hear about reviewers' decisions; reviewers about submissions."""
    if transition.actor == "reviewer":
        members = Membership.objects.filter(organisation_id=plan.organisation_id)
    else:
        authority = plan.reviewing_authority
        if authority is None:
            return
        members = Membership.objects.filter(organisation=authority, role=Membership.Role.REVIEWER)
    recipients = sorted(
        {m.user.email for m in members.select_related("user") if m.user.email and m.user != user}
    )
    if not recipients:
        return
    context = {
        "plan": plan,
        "transition": transition,
        "actor": user,
        "comment": comment,
        "url": settings.SITE_URL + reverse("projects:plan_detail", args=[plan.pk]),
    }
    subject = render_to_string("emails/transition_subject.txt", context).strip()
    body = render_to_string("emails/transition_body.txt", context)
    send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
    )
