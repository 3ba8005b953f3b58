"""E-mail to the other side of a review on each transition.

Mail goes out after the transition has committed, so a mail failure can no
longer undo or hide it: the failure is logged and the caller is told."""

import logging

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from projects.models import Membership

logger = logging.getLogger(__name__)


def transition_made(*, plan, transition, user, comment: str) -> bool:
    """Applicants hear about reviewers' decisions; reviewers about submissions.

    Returns False when the mail could not be sent (the error is logged), True
    when it was sent or nobody needed it. Never raises."""
    try:
        messages = _messages(plan=plan, transition=transition, user=user, comment=comment)
        if messages:
            send_mass_mail(messages)
    except Exception:  # SMTPException, OSError, BadHeaderError, a template error...
        logger.exception(
            "Could not send the e-mail for transition %r of plan %s", transition.name, plan.pk
        )
        return False
    return True


def _messages(*, plan, transition, user, comment: str) -> list[tuple]:
    if transition.actor == "reviewer":
        members = Membership.objects.filter(organisation_id=plan.organisation_id)
    else:
        authority = plan.reviewing_authority
        if authority is None:
            return []
        members = Membership.objects.filter(organisation=authority, role=Membership.Role.REVIEWER)
    recipients = sorted(
        {m.user.email for m in members.select_related("user") if m.user.email and m.user != user}
    )
    if not recipients:
        return []
    context = {
        "plan": plan,
        "transition": transition,
        "actor": user,
        "comment": comment,
        "url": settings.SITE_URL + reverse("projects:plan_detail", args=[plan.pk]),
    }
    subject = one_line(render_to_string("emails/transition_subject.txt", context))
    body = render_to_string("emails/transition_body.txt", context)
    return [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]


def one_line(text: str) -> str:
    """A header value: every run of whitespace, line breaks included, as one space."""
    return " ".join(text.split())


# -- monitoring reports (projects/monitoring/verification.py) ---------------------

APPLICANT, VERIFIER, AUTHORITY = "applicant", "verifier", "authority"


def _report_recipients(report, audiences, user) -> list[str]:
    members = Membership.objects.none()
    if APPLICANT in audiences:
        members |= Membership.objects.filter(organisation_id=report.plan.organisation_id)
    if VERIFIER in audiences and report.verification_body_id:
        members |= Membership.objects.filter(
            organisation_id=report.verification_body_id, role=Membership.Role.VERIFIER
        )
    authority = report.plan.reviewing_authority
    if AUTHORITY in audiences and authority is not None:
        members |= Membership.objects.filter(organisation=authority, role=Membership.Role.REVIEWER)
    return sorted(
        {m.user.email for m in members.select_related("user") if m.user.email and m.user != user}
    )


def report_transition_made(*, report, label: str, audiences, user, comment: str = "") -> bool:
    """A monitoring report changed state: mail `audiences` (the applicant's members,
    the named verification body's verifiers, the plan's authority's reviewers),
    not the user who acted. As `transition_made`: False when the mail could not be
    sent (logged), never raises."""
    try:
        recipients = _report_recipients(report, audiences, user)
        if recipients:
            context = {
                "report": report,
                "plan": report.plan,
                "action": label,
                "actor": user,
                "comment": comment,
                "url": settings.SITE_URL + reverse("projects:monitoring_review", args=[report.pk]),
            }
            subject = one_line(render_to_string("emails/monitoring_subject.txt", context))
            body = render_to_string("emails/monitoring_body.txt", context)
            send_mass_mail(
                [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in recipients]
            )
    except Exception:  # SMTPException, OSError, BadHeaderError, a template error...
        logger.exception(
            "Could not send the e-mail for %r of monitoring report %s", label, report.pk
        )
        return False
    return True
