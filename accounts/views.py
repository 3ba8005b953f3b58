"""The site administrators' page: find users and organisations, see an
account's memberships, two-factor state, sessions and history, deactivate it;
create authorities and verification bodies."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import AccountError, account_set_active
from projects.models import Organisation
from projects.organisations.forms import AdministratorOrganisationForm
from projects.organisations.services import (
    OrganisationError,
    organisation_create_by_administrator,
)
from projects.permissions import is_site_administrator

RESULTS = 50
HISTORY = 200


def _administrators_only(request) -> None:
    if not is_site_administrator(request.user):
        raise Http404


def search(request):
    _administrators_only(request)
    query = request.GET.get("q", "").strip()[:100]
    users = get_user_model().objects.order_by("username")
    organisations = Organisation.objects.order_by("name")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(email__icontains=query)
            | Q(emailaddress__email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        ).distinct()
        organisations = organisations.filter(Q(name__icontains=query) | Q(tax_id=query))
    return render(
        request,
        "site_admin/search.html",
        {
            "query": query,
            "users": users.prefetch_related("emailaddress_set")[:RESULTS],
            "organisations": organisations[:RESULTS],
        },
    )


def user_detail(request, pk):
    _administrators_only(request)
    account = get_object_or_404(get_user_model(), pk=pk)
    return render(
        request,
        "site_admin/user_detail.html",
        {
            "account": account,
            "addresses": EmailAddress.objects.filter(user=account),
            "memberships": account.membership_set.select_related("organisation"),
            "two_factor": Authenticator.objects.filter(
                user=account, type=Authenticator.Type.TOTP
            ).exists(),
            "sessions": UserSession.objects.filter(user=account).order_by("-last_seen_at"),
            "events": account.account_events.select_related("actor")[:HISTORY],
        },
    )


@require_POST
def user_set_active(request, pk):
    _administrators_only(request)
    account = get_object_or_404(get_user_model(), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        account_set_active(user=account, by=request.user, active=active, request=request)
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            (_("已恢復 %(user)s 的帳號。") if active else _("已停用 %(user)s 的帳號。"))
            % {"user": account},
        )
    return redirect("site_admin:user_detail", pk=account.pk)


def organisation_create(request):
    """Authorities and verification bodies (and applicants) by a site administrator."""
    _administrators_only(request)
    form = AdministratorOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            organisation, invitation = organisation_create_by_administrator(
                administrator=request.user,
                kind=fields.pop("kind"),
                name=fields.pop("name"),
                city=fields.pop("city"),
                owner_email=fields.pop("owner_email"),
                **fields,
            )
        except OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已建立「%(organisation)s」並邀請 %(email)s 擔任管理者。")
                % {"organisation": organisation, "email": invitation.email},
            )
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "site_admin/organisation_create.html", {"form": form})
