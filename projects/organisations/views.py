"""Organisation pages: one's organisations, creating or asking to join one,
and, for owners, members, invitations and requests to join."""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions
from projects.models import Membership, Organisation
from projects.organisations import services
from projects.organisations.forms import (
    AccessForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
)
from projects.organisations.models import JoinRequest
from projects.organisations.services import OrganisationError

SEARCH_RESULTS = 20


def organisation_list(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    pending = JoinRequest.objects.filter(
        user=request.user, status=JoinRequest.Status.PENDING
    ).select_related("organisation")
    return render(
        request,
        "organisations/organisation_list.html",
        {"memberships": memberships, "pending": pending},
    )


def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(user=request.user, **form.cleaned_data)
        except OrganisationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已建立組織，您是它的管理者。"))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/organisation_create.html", {"form": form})


def organisation_join(request):
    """Find an applicant organisation by name or 統一編號, and ask to join it."""
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        results = Organisation.objects.filter(kind=Organisation.Kind.APPLICANT).filter(
            Q(name__icontains=query) | Q(tax_id=query)
        )[:SEARCH_RESULTS]
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join_request_create(
                user=request.user,
                organisation=form.cleaned_data["organisation"],
                message=form.cleaned_data["message"],
            )
        except OrganisationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已送出加入申請，組織的管理者核准後您就能使用。"))
            return redirect("organisations:list")
    return render(
        request,
        "organisations/organisation_join.html",
        {"query": query, "results": results, "form": form},
    )


def _organisation(request, pk) -> Organisation:
    organisation = get_object_or_404(Organisation, pk=pk)
    if not permissions.can_see_organisation(request.user, organisation):
        raise Http404
    return organisation


def _managed(request, pk) -> Organisation:
    organisation = _organisation(request, pk)
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    return organisation


def organisation_detail(request, pk, invite_form=None):
    organisation = _organisation(request, pk)
    manages = permissions.can_manage_members(request.user, organisation)
    choices = services.access_choices(organisation)
    members = [
        (member, AccessForm(initial={"access": services.access_of(member)}, access_choices=choices))
        for member in organisation.membership_set.select_related("user").order_by(
            "-is_owner", "user__username"
        )
    ]
    context = {
        "organisation": organisation,
        "manages": manages,
        "members": members,
        "labels": dict(choices),
    }
    if manages:
        context |= {
            "invite_form": invite_form or InvitationForm(access_choices=choices),
            "invitations": organisation.invitations.pending().select_related("invited_by"),
            "join_requests": organisation.join_requests.filter(
                status=JoinRequest.Status.PENDING
            ).select_related("user"),
            "join_form": AccessForm(access_choices=choices),
        }
    return render(request, "organisations/organisation_detail.html", context)


@require_POST
def invite(request, pk):
    organisation = _managed(request, pk)
    form = InvitationForm(request.POST, access_choices=services.access_choices(organisation))
    if form.is_valid():
        email = form.cleaned_data["email"]
        unsent = []
        try:
            services.invitation_create(
                organisation=organisation,
                by=request.user,
                email=email,
                access=form.cleaned_data["access"],
                on_mail_failure=lambda: unsent.append(email),
            )
        except OrganisationError as error:
            form.add_error("email", str(error))
        else:
            if unsent:
                messages.warning(
                    request,
                    _("邀請已建立，但邀請信未能寄給 %(email)s；請稍後再邀請一次。")
                    % {"email": email},
                )
            else:
                messages.success(request, _("已寄出邀請給 %(email)s。") % {"email": email})
            return redirect("organisations:detail", pk=organisation.pk)
    return organisation_detail(request, pk, invite_form=form)


def _acted(request, organisation, action, success: str):
    """Run an owner's action on the organisation; its refusal or `success` is the
    message on the organisation's page, where the owner goes back to."""
    try:
        action()
    except OrganisationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("organisations:detail", pk=organisation.pk)


@require_POST
def member_change(request, pk, member_pk):
    organisation = _managed(request, pk)
    membership = get_object_or_404(organisation.membership_set, pk=member_pk)
    form = AccessForm(request.POST, access_choices=services.access_choices(organisation))
    if not form.is_valid():
        messages.error(request, _("請選擇一個角色。"))
    else:
        return _acted(
            request,
            organisation,
            lambda: services.member_change(
                membership=membership, by=request.user, access=form.cleaned_data["access"]
            ),
            _("已變更 %(user)s 的角色。") % {"user": membership.user},
        )
    return redirect("organisations:detail", pk=organisation.pk)


@require_POST
def member_remove(request, pk, member_pk):
    organisation = _managed(request, pk)
    membership = get_object_or_404(organisation.membership_set, pk=member_pk)
    return _acted(
        request,
        organisation,
        lambda: services.member_remove(membership=membership, by=request.user),
        _("已將 %(user)s 移出組織。") % {"user": membership.user},
    )


@require_POST
def invitation_revoke(request, pk, invitation_pk):
    organisation = _managed(request, pk)
    invitation = get_object_or_404(organisation.invitations, pk=invitation_pk)
    return _acted(
        request,
        organisation,
        lambda: services.invitation_revoke(invitation=invitation, by=request.user),
        _("已取消寄給 %(email)s 的邀請。") % {"email": invitation.email},
    )


@require_POST
def join_request_decide(request, pk, request_pk):
    organisation = _managed(request, pk)
    join_request = get_object_or_404(organisation.join_requests, pk=request_pk)
    approve = request.POST.get("decision") == "approve"
    form = AccessForm(request.POST, access_choices=services.access_choices(organisation))
    access = form.cleaned_data["access"] if form.is_valid() else None
    if approve and access is None:
        messages.error(request, _("請選擇一個角色。"))
        return redirect("organisations:detail", pk=organisation.pk)
    done = _("已核准 %(user)s 加入。") if approve else _("已婉拒 %(user)s 的加入申請。")
    return _acted(
        request,
        organisation,
        lambda: services.join_request_decide(
            join_request=join_request,
            by=request.user,
            approve=approve,
            access=access or "",
            on_mail_failure=lambda: messages.warning(
                request,
                _("已處理加入申請，但通知信未能寄給 %(user)s，請另行通知對方。")
                % {"user": join_request.user},
            ),
        ),
        done % {"user": join_request.user},
    )


def _invalid_invitation(request, invitation):
    """The page saying why an invitation link no longer works (used, expired,
    revoked), or None while it does."""
    try:
        services.invitation_check(invitation)
    except OrganisationError as error:
        return render(
            request, "organisations/invitation_invalid.html", {"error": str(error)}, status=410
        )
    return None


@login_not_required
def invitation(request, token):
    """The link in an invitation: who invites to what; signed in, accept it;
    signed out, sign in (an account with that address exists) or sign up."""
    invitation = services.invitation_for_token(token)
    if refused := _invalid_invitation(request, invitation):
        return refused
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except OrganisationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("您已加入「%(organisation)s」。") % {"organisation": membership.organisation},
            )
            return redirect("organisations:detail", pk=membership.organisation_id)
    has_account = EmailAddress.objects.filter(email__iexact=invitation.email).exists()
    here = reverse("organisations:invitation", args=[token])
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": invitation,
            "access": dict(services.access_choices(invitation.organisation)).get(
                services.access_of(invitation), ""
            ),
            "has_account": has_account,
            "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
        },
    )


@login_not_required
@require_POST
def invitation_sign_up(request, token):
    """Sign up to accept: the address the invitation went to counts as confirmed
    (whoever opened the link reads its mail), so no confirmation mail is needed."""
    invitation = services.invitation_for_token(token)
    if refused := _invalid_invitation(request, invitation):
        return refused
    get_adapter(request).stash_verified_email(request, invitation.email)
    here = reverse("organisations:invitation", args=[token])
    return redirect(
        reverse("account_signup") + "?" + urlencode({"email": invitation.email, "next": here})
    )
