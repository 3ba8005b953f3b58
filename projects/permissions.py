"""Who may do what: every rule of the product, one predicate each.

Which plans a user sees, edits and reviews is decided by PlanQuerySet
(`visible_to`, `editable_by`, `reviewable_by` in projects/models.py); the
predicates here build on those. Views ask these predicates and answer 404 for a
plan the user may not see (as if it did not exist) or may not act on; refused
workflow actions and comments come back as a message on the plan page.

The roles: site administrators (superusers); an applicant organisation's
editors and read-only members (viewers); the reviewers of an authority.
Anonymous users are sent to sign in by LoginRequiredMiddleware everywhere but
the public survey link.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from projects.models import Membership, Organisation, Plan, Programme

# -- who someone is --------------------------------------------------------------


def is_site_administrator(user) -> bool:
    """Superusers: see every plan and programme, keep the reference data, start
    and download programme exports. They neither edit nor review plans."""
    return user.is_authenticated and user.is_superuser


def is_applicant_editor(user, plan: Plan) -> bool:
    """An editor of the applicant organisation, whatever the plan's state: may
    submit and withdraw (the workflow checks the state), and reply to comments."""
    return (
        user.is_authenticated
        and Membership.objects.filter(
            user=user, organisation_id=plan.organisation_id, role=Membership.Role.EDITOR
        ).exists()
    )


def is_reviewer(user, plan: Plan) -> bool:
    """A reviewer of the plan's reviewing authority while the plan is with the
    reviewers (see `reviewable_by`): may start the review, request changes,
    approve, reject, comment and resolve comments."""
    return Plan.objects.reviewable_by(user).filter(pk=plan.pk).exists()


# -- seeing ----------------------------------------------------------------------


def visible_plans(user) -> QuerySet[Plan]:
    """The plans the user sees (see `PlanQuerySet.visible_to`): the applicant
    organisation's members, the reviewing authority's reviewers while the plan
    is with them, and site administrators."""
    return Plan.objects.visible_to(user)


def can_see(user, plan: Plan) -> bool:
    """Whether the plan is one of `visible_plans`. Seeing a plan is reading all
    its pages: sections, calculation, survey results, history, comparison."""
    return visible_plans(user).filter(pk=plan.pk).exists()


def visible_plan(user, pk, may=None) -> Plan:
    """The plan if the user may see it (and, given `may`, may do that with it);
    404 otherwise, as if it did not exist."""
    plan = get_object_or_404(
        visible_plans(user).select_related("organisation", "programme__authority", "methodology"),
        pk=pk,
    )
    if may is not None and not may(user, plan):
        raise Http404
    return plan


def can_export_document(user, plan: Plan) -> bool:
    """The plan's JSON document (the draft's and each version's): whoever sees it."""
    return can_see(user, plan)


def can_download_draft_pdf(user, plan: Plan) -> bool:
    """The current content as a PDF marked 草稿: whoever sees the plan (its
    reviewers see the live content on the plan page anyway)."""
    return can_see(user, plan)


def can_download_version_pdf(user, plan: Plan) -> bool:
    """A submitted version's PDF: whoever sees the plan."""
    return can_see(user, plan)


def can_download_attachment(user, plan: Plan) -> bool:
    """An attachment of the plan, always as a download: whoever sees the plan."""
    return can_see(user, plan)


def can_see_figure(user, plan: Plan) -> bool:
    """A figure of the plan, shown as an image (it is one Pillow re-encoded):
    whoever sees the plan."""
    return can_see(user, plan)


# -- changing --------------------------------------------------------------------


def can_edit(user, plan: Plan) -> bool:
    """Change the plan's content (sections, preview, attachments, replace from a
    document): the applicant's editors while it is a draft or changes were
    requested (see `PlanQuerySet.editable_by`)."""
    return Plan.objects.editable_by(user).filter(pk=plan.pk).exists()


def can_delete(user, plan: Plan) -> bool:
    """Delete the plan: the applicant's editors, only while it is a draft that was
    never submitted (no frozen version), so that nothing the reviewers have seen
    disappears."""
    return (
        plan.status == Plan.Status.DRAFT
        and plan.current_version_id is None
        and is_applicant_editor(user, plan)
    )


def editable_plan(user, pk) -> Plan:
    """The plan if the user may change it now; 404 otherwise. One query: the
    plans one may change (`can_edit`) are among those one sees."""
    return get_object_or_404(
        Plan.objects.editable_by(user).select_related(
            "organisation", "programme__authority", "methodology"
        ),
        pk=pk,
    )


def can_run_survey(user, plan: Plan) -> bool:
    """Enter paper tallies, open or close the online survey, apply the template
    questionnaire: like editing, the applicant's editors while the plan is
    editable, so that no answer changes a plan the reviewers hold."""
    return can_edit(user, plan)


def import_organisations(user) -> QuerySet[Organisation]:
    """The organisations a user may create or import plans for: those they edit for."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        membership__user=user, membership__role=Membership.Role.EDITOR
    )


def can_create_plans(user) -> bool:
    """Create a plan or import one from a document: editors of any organisation
    (the form offers their applicant organisations only)."""
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, role=Membership.Role.EDITOR).exists()
    )


# -- reviewing -------------------------------------------------------------------


def can_comment(user, plan: Plan) -> bool:
    """Open a comment thread on a section: the plan's reviewers."""
    return is_reviewer(user, plan)


def can_reply(user, plan: Plan) -> bool:
    """Reply to a comment thread: the plan's reviewers and the applicant's editors."""
    return is_reviewer(user, plan) or is_applicant_editor(user, plan)


def can_resolve(user, plan: Plan) -> bool:
    """Mark a comment thread resolved: the plan's reviewers."""
    return is_reviewer(user, plan)


def has_review_queue(user) -> bool:
    """Who has a review queue: reviewers of an authority, and site administrators
    (who see every plan submitted and not withdrawn)."""
    return is_site_administrator(user) or (
        user.is_authenticated
        and Membership.objects.filter(
            user=user,
            role=Membership.Role.REVIEWER,
            organisation__kind=Organisation.Kind.AUTHORITY,
        ).exists()
    )


# -- programmes ------------------------------------------------------------------


def can_see_programmes(user) -> bool:
    """The programme list and each programme's page: every signed-in user, so
    that applicants can find one to join. Their sub-project lists hold only the
    plans the user sees (`programme_plans`)."""
    return user.is_authenticated


def programme_plans(user, programme: Programme) -> QuerySet[Plan]:
    """The programme's sub-projects the user sees."""
    return visible_plans(user).filter(programme=programme)


def reviews_programme(user, programme: Programme) -> bool:
    """The programme's authority's reviewers, and site administrators."""
    return is_site_administrator(user) or (
        user.is_authenticated
        and Membership.objects.filter(
            user=user, organisation=programme.authority_id, role=Membership.Role.REVIEWER
        ).exists()
    )


def can_export_programmes(user) -> bool:
    """Start a programme's ZIP export, see its exports and download them: site
    administrators only."""
    return is_site_administrator(user)


# -- organisations ---------------------------------------------------------------


def is_member(user, organisation: Organisation) -> bool:
    """Members see their organisation's page: its members and their roles."""
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation=organisation).exists()
    )


def can_manage_members(user, organisation: Organisation) -> bool:
    """Invite, change roles, remove members, answer requests to join: the
    organisation's owners, and site administrators."""
    return is_site_administrator(user) or (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation=organisation, is_owner=True).exists()
    )


def can_see_organisation(user, organisation: Organisation) -> bool:
    return is_site_administrator(user) or is_member(user, organisation)


def can_create_organisation(user, kind: str) -> bool:
    """Any signed-in user creates an applicant organisation (and owns it); only
    site administrators create authorities and verification bodies."""
    if kind == Organisation.Kind.APPLICANT:
        return user.is_authenticated
    return is_site_administrator(user)
