"""Who may see and operate a credit account, and who sees the registry.

An account belongs to one organisation. Its members (any role) and site
administrators see it: balance, blocks with their serials, history. Its
editors — and, for an authority (which holds the credits of programmes that
keep them), its reviewers — transfer and retire. Read-only members and site
administrators only see. Anyone else gets 404, as if it did not exist. The
list of retirements is public: no sign-in.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from projects.models import Membership, Organisation


def account_holders(user) -> QuerySet[Organisation]:
    """The organisations whose accounts the user sees."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=Membership.organisations_of(user))


def can_see_account(user, organisation: Organisation) -> bool:
    return account_holders(user).filter(pk=organisation.pk).exists()


def can_operate_account(user, organisation: Organisation) -> bool:
    """Transfer and retire: the organisation's editors, an authority's reviewers."""
    if not user.is_authenticated:
        return False
    roles = [Membership.Role.EDITOR]
    if organisation.kind == Organisation.Kind.AUTHORITY:
        roles.append(Membership.Role.REVIEWER)
    return Membership.objects.filter(user=user, organisation=organisation, role__in=roles).exists()


def visible_holder(user, pk) -> Organisation:
    """The account holder if the user may see its account; 404 otherwise."""
    return get_object_or_404(account_holders(user), pk=pk)


def operable_holder(user, pk) -> Organisation:
    """The holder if the user sees its account; PermissionDenied (403) for one who
    sees it but may not act, as for the survey's read-only members."""
    organisation = visible_holder(user, pk)
    if not can_operate_account(user, organisation):
        raise PermissionDenied
    return organisation
