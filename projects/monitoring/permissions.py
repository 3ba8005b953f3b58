"""Who may see and do what with monitoring reports: one predicate each, built on
`MonitoringReportQuerySet.visible_to` / `assigned_to` (projects/monitoring/models.py).

The roles: the plan's applicant organisation (editors write the reports,
read-only members read them); the plan's reviewing authority (its reviewers
approve or send back); the verification body named on a report (its verifiers
verify it); site administrators see everything."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from projects.models import Membership, Organisation, Plan
from projects.monitoring.models import MonitoringReport
from projects.permissions import is_applicant_editor, is_site_administrator


def visible_reports(user) -> QuerySet[MonitoringReport]:
    """The reports the user sees (see `MonitoringReportQuerySet.visible_to`)."""
    return MonitoringReport.objects.visible_to(user)


def can_see_report(user, report: MonitoringReport) -> bool:
    """Seeing a report is reading all of it: figures, evidence, versions, history."""
    return visible_reports(user).filter(pk=report.pk).exists()


def visible_report(user, pk, may=None) -> MonitoringReport:
    """The report if the user may see it (and, given `may`, may do that with it);
    404 otherwise, as if it did not exist."""
    report = get_object_or_404(
        visible_reports(user).select_related(
            "plan__organisation", "plan__programme__authority", "verification_body"
        ),
        pk=pk,
    )
    if may is not None and not may(user, report):
        raise Http404
    return report


def can_create_report(user, plan: Plan) -> bool:
    """Start a monitoring report: editors of the applicant organisation, once the
    plan is registered."""
    return plan.is_registered and is_applicant_editor(user, plan)


def can_edit_report(user, report: MonitoringReport) -> bool:
    """Change a report's figures, period, explanation, evidence and verification
    body: the applicant's editors while it is a draft or changes were requested."""
    return report.status in MonitoringReport.EDITABLE_STATUSES and is_applicant_editor(
        user, report.plan
    )


def is_report_verifier(user, report: MonitoringReport) -> bool:
    """A verifier of the verification body named on the report, once it is out of
    draft: comments, records the verified reduction, attaches the statement."""
    return MonitoringReport.objects.assigned_to(user).filter(pk=report.pk).exists()


def is_report_authority(user, report: MonitoringReport) -> bool:
    """A reviewer of the plan's reviewing authority, once the report is out of
    draft: approves the verified report or sends it back."""
    if not user.is_authenticated or report.status == MonitoringReport.Status.DRAFT:
        return False
    authority = report.plan.reviewing_authority
    return (
        authority is not None
        and Membership.objects.filter(
            user=user, organisation=authority, role=Membership.Role.REVIEWER
        ).exists()
    )


def can_administer_reports(user) -> bool:
    """Site administrators see every report (they neither write nor verify them)."""
    return is_site_administrator(user)


# -- verification and the authority's decision (projects/monitoring/verification.py) --

VERIFYING = (MonitoringReport.Status.SUBMITTED, MonitoringReport.Status.UNDER_VERIFICATION)


def can_verify(user, report: MonitoringReport) -> bool:
    """Record the verified reduction, attach the statement, complete verification
    or return the report to the applicant: a verifier of the named body while the
    report is with it (submitted or under verification)."""
    return report.status in VERIFYING and is_report_verifier(user, report)


def can_decide(user, report: MonitoringReport) -> bool:
    """Approve (issuing the credits) or send back: a reviewer of the plan's
    reviewing authority once the report is verified."""
    return report.status == MonitoringReport.Status.VERIFIED and is_report_authority(user, report)


def can_comment_report(user, report: MonitoringReport) -> bool:
    """Start a comment thread and mark threads resolved: whoever holds the report
    now (its verifier while verifying, the authority once verified)."""
    return can_verify(user, report) or can_decide(user, report)


def can_reply_report(user, report: MonitoringReport) -> bool:
    """Reply to a thread: those who may comment, and the applicant's editors until
    the report is approved."""
    if can_comment_report(user, report):
        return True
    return report.status not in (
        MonitoringReport.Status.DRAFT,
        MonitoringReport.Status.APPROVED,
    ) and is_applicant_editor(user, report.plan)


def has_monitoring_queue(user) -> bool:
    """Who has a queue of monitoring reports: verifiers of a verification body,
    reviewers of an authority, and site administrators."""
    if is_site_administrator(user):
        return True
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user)
        .filter(
            Q(role=Membership.Role.VERIFIER, organisation__kind=Organisation.Kind.VERIFIER)
            | Q(role=Membership.Role.REVIEWER, organisation__kind=Organisation.Kind.AUTHORITY)
        )
        .exists()
    )


def queue_reports(user) -> QuerySet[MonitoringReport]:
    """The reports in the user's queue: those assigned to the user's verification
    bodies, and those of plans the user's authorities review, out of draft (site
    administrators: every report out of draft)."""
    reports = MonitoringReport.objects.exclude(status=MonitoringReport.Status.DRAFT)
    if is_site_administrator(user):
        return reports
    if not user.is_authenticated:
        return reports.none()
    reviewer_of = Membership.organisations_of(user, Membership.Role.REVIEWER)
    verifier_of = Membership.organisations_of(user, Membership.Role.VERIFIER)
    return reports.filter(
        Q(verification_body__in=verifier_of)
        | Q(plan__programme__isnull=False, plan__programme__authority__in=reviewer_of)
        | Q(plan__programme__isnull=True, plan__authority__in=reviewer_of)
    )


def waiting_for(user, reports: QuerySet[MonitoringReport]) -> QuerySet[MonitoringReport]:
    """Of `reports`, those waiting for the user to act: submitted or under
    verification at one of the user's verification bodies, verified under one of
    the user's authorities (site administrators: all of these)."""
    verifying = Q(status__in=VERIFYING)
    verified = Q(status=MonitoringReport.Status.VERIFIED)
    if is_site_administrator(user):
        return reports.filter(verifying | verified)
    verifier_of = Membership.organisations_of(user, Membership.Role.VERIFIER)
    reviewer_of = Membership.organisations_of(user, Membership.Role.REVIEWER)
    authority = Q(plan__programme__isnull=False, plan__programme__authority__in=reviewer_of) | Q(
        plan__programme__isnull=True, plan__authority__in=reviewer_of
    )
    return reports.filter(
        (verifying & Q(verification_body__in=verifier_of)) | (verified & authority)
    )
