"""Organisations and their people: creating one, inviting, joining, changing
roles and removing members. Each action checks who may do it, locks the
organisation's row so that two owners acting at once cannot leave it without
an owner, and raises OrganisationError with a message for the user."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import mail
from accounts.events import record
from accounts.models import AccountEvent
from projects.models import Membership, Organisation
from projects.organisations.models import Invitation, JoinRequest, new_token, token_digest
from projects.permissions import can_manage_members, is_site_administrator

Role = Membership.Role
Kind = Organisation.Kind

# The member roles of each kind of organisation, as the forms offer them:
# access -> (role, is_owner). Owners have the organisation's full role.
ACCESS = {
    Kind.APPLICANT: {
        "editor": (Role.EDITOR, False),
        "viewer": (Role.VIEWER, False),
        "owner": (Role.EDITOR, True),
    },
    Kind.AUTHORITY: {"reviewer": (Role.REVIEWER, False), "owner": (Role.REVIEWER, True)},
    Kind.VERIFIER: {"verifier": (Role.VERIFIER, False), "owner": (Role.VERIFIER, True)},
}


class OrganisationError(Exception):
    """A refused action; the message is for the user."""


def access_of(membership_or_invitation) -> str:
    if membership_or_invitation.is_owner:
        return "owner"
    return membership_or_invitation.role


def role_for(organisation: Organisation, access: str) -> tuple[str, bool]:
    try:
        return ACCESS[organisation.kind][access]
    except KeyError:
        raise OrganisationError(_("這個組織沒有這種角色。")) from None


def _locked(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _require_manager(user, organisation: Organisation) -> None:
    if not can_manage_members(user, organisation):
        raise OrganisationError(_("只有組織的管理者可以管理成員。"))


# -- creating ---------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, user, name: str, tax_id: str, address: str, representative: str, city: str = ""
) -> Organisation:
    """An applicant organisation, with its creator as its first owner. (Authorities
    and verification bodies are created by site administrators:
    `organisation_create_by_administrator`.)"""
    organisation = Organisation(
        name=name,
        kind=Kind.APPLICANT,
        tax_id=tax_id,
        address=address,
        representative=representative,
        city=city,
    )
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(user=user, organisation=organisation, role=Role.EDITOR, is_owner=True)
    record(user, AccountEvent.Kind.JOINED, actor=user, detail=f"{organisation.name}（管理者）")
    return organisation


@transaction.atomic
def organisation_create_by_administrator(
    *, administrator, kind: str, name: str, city: str, owner_email: str, **fields
) -> tuple[Organisation, Invitation]:
    """Any kind of organisation, authorities and verification bodies included:
    site administrators only. Its first owner is invited by e-mail."""
    if not is_site_administrator(administrator):
        raise OrganisationError(_("只有系統管理者可以建立主管機關或查驗機構。"))
    organisation = Organisation(kind=kind, name=name, city=city, **fields)
    organisation.full_clean()
    organisation.save()
    invitation = _invite(
        organisation=organisation, by=administrator, email=owner_email, access="owner"
    )
    return organisation, invitation


# -- invitations ------------------------------------------------------------------


def invitation_create(
    *, organisation: Organisation, by, email: str, access: str, on_mail_failure=None
) -> Invitation:
    """Invite someone by e-mail, as a member with that access; an owner does it. If
    the mail cannot be sent the invitation stays and `on_mail_failure()` is called."""
    with transaction.atomic():
        organisation = _locked(organisation)
        _require_manager(by, organisation)
        return _invite(
            organisation=organisation,
            by=by,
            email=email,
            access=access,
            on_mail_failure=on_mail_failure,
        )


def _invite(
    *, organisation: Organisation, by, email: str, access: str, on_mail_failure=None
) -> Invitation:
    role, is_owner = role_for(organisation, access)
    email = email.strip()
    if Membership.objects.filter(
        organisation=organisation, user__emailaddress__email__iexact=email
    ).exists():
        raise OrganisationError(_("%(email)s 已經是這個組織的成員。") % {"email": email})
    # A new invitation replaces one still pending for the same address.
    Invitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    ).delete()
    token = new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        is_owner=is_owner,
        token_hash=token_digest(token),
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    has_account = EmailAddress.objects.filter(email__iexact=email).exists()
    mail.send_after_commit(
        "emails/invitation",
        [email],
        {
            "invitation": invitation,
            "organisation": organisation,
            "inviter": by,
            "access": dict(access_choices(organisation))[access],
            "has_account": has_account,
            "url": mail.site_link(reverse("organisations:invitation", args=[token])),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
        on_failure=on_mail_failure,
    )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=token_digest(token))
        .first()
    )


def invitation_check(invitation: Invitation | None) -> None:
    """Refuse an unknown, used or expired invitation, saying which."""
    if invitation is None:
        raise OrganisationError(_("這個邀請連結無效，請向邀請您的人索取新的邀請。"))
    if invitation.accepted_at is not None:
        raise OrganisationError(_("這個邀請已經使用過了，不能再使用。"))
    if invitation.is_expired:
        raise OrganisationError(_("這個邀請已經過期，請向邀請您的人索取新的邀請。"))


def invitation_accept(*, token: str, user) -> Membership:
    """The signed-in user accepts: the invitation must be unused and unexpired,
    and sent to one of the user's e-mail addresses (opening the link proves that
    address is theirs, so it counts as confirmed)."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().filter(token_hash=token_digest(token)).first()
        )
        invitation_check(invitation)
        address = EmailAddress.objects.filter(user=user, email__iexact=invitation.email).first()
        if address is None:
            raise OrganisationError(
                _("這個邀請是寄給 %(email)s 的，請以該電子郵件的帳號登入後再接受。")
                % {"email": invitation.email}
            )
        if not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
        organisation = _locked(invitation.organisation)
        if Membership.objects.filter(user=user, organisation=organisation).exists():
            raise OrganisationError(_("您已經是這個組織的成員。"))
        membership = Membership.objects.create(
            user=user, organisation=organisation, role=invitation.role, is_owner=invitation.is_owner
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(
            user,
            AccountEvent.Kind.JOINED,
            actor=user,
            detail=f"{organisation.name}（{membership.get_role_display()}）",
        )
        return membership


def invitation_revoke(*, invitation: Invitation, by) -> None:
    with transaction.atomic():
        _require_manager(by, _locked(invitation.organisation))
        Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


# -- join requests ----------------------------------------------------------------


def join_request_create(*, user, organisation: Organisation, message: str = "") -> JoinRequest:
    """Ask to join an applicant organisation; its owners are told by e-mail."""
    if organisation.kind != Kind.APPLICANT:
        raise OrganisationError(_("主管機關與查驗機構不受理加入申請，請由其管理者邀請您加入。"))
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise OrganisationError(_("您已經是這個組織的成員。"))
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                user=user, organisation=organisation, message=message
            )
    except IntegrityError:
        raise OrganisationError(_("您已經申請加入這個組織，請等候管理者審核。")) from None
    owners = sorted(
        {
            address
            for address in EmailAddress.objects.filter(
                user__membership__organisation=organisation,
                user__membership__is_owner=True,
                primary=True,
            ).values_list("email", flat=True)
        }
    )
    if owners:
        mail.send_after_commit(
            "emails/join_request",
            owners,
            {
                "join_request": join_request,
                "organisation": organisation,
                "applicant": user,
                "url": mail.site_link(reverse("organisations:detail", args=[organisation.pk])),
            },
        )
    return join_request


def join_request_decide(
    *,
    join_request: JoinRequest,
    by,
    approve: bool,
    access: str = "viewer",
    on_mail_failure=None,
) -> Membership | None:
    """An owner approves (with the access chosen) or declines a request to join. The
    person who asked is mailed the decision once it has committed; if that fails the
    decision stands, the error is logged and `on_mail_failure()` is called."""
    with transaction.atomic():
        organisation = _locked(join_request.organisation)
        _require_manager(by, organisation)
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.status != JoinRequest.Status.PENDING:
            raise OrganisationError(_("這個加入申請已經處理過了。"))
        join_request.status = (
            JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
        )
        join_request.decided_at = timezone.now()
        join_request.decided_by = by
        join_request.save(update_fields=["status", "decided_at", "decided_by"])
        membership = None
        if approve:
            role, is_owner = role_for(organisation, access)
            membership, _created = Membership.objects.get_or_create(
                user=join_request.user,
                organisation=organisation,
                defaults={"role": role, "is_owner": is_owner},
            )
            record(
                join_request.user,
                AccountEvent.Kind.JOINED,
                actor=by,
                detail=f"{organisation.name}（{membership.get_role_display()}）",
            )
        _mail_decision(join_request, organisation, by, membership, on_mail_failure)
        return membership


def _mail_decision(join_request, organisation, by, membership, on_mail_failure) -> None:
    """Tell the person who asked to join, once the decision has committed: approved
    (with the access given and a link to the organisation) or declined."""
    address = join_request.user.email
    if not address:
        return

    def context() -> dict:
        data = {
            "join_request": join_request,
            "organisation": organisation,
            "decider": by,
            "applicant": join_request.user,
            "url": mail.site_link(reverse("organisations:list")),
        }
        if membership is not None:
            data["access_key"] = access_of(membership)
            data["access"] = dict(access_choices(organisation))[data["access_key"]]
            data["url"] = mail.site_link(reverse("organisations:detail", args=[organisation.pk]))
        return data

    template = (
        "emails/join_request_approved" if membership is not None else "emails/join_request_declined"
    )
    mail.send_after_commit(template, [address], context, on_failure=on_mail_failure)


# -- members ----------------------------------------------------------------------


def _owners_left(organisation: Organisation, without: Membership) -> int:
    return (
        Membership.objects.filter(organisation=organisation, is_owner=True)
        .exclude(pk=without.pk)
        .count()
    )


def member_change(*, membership: Membership, by, access: str) -> Membership:
    """Change a member's access; the last owner stays an owner."""
    with transaction.atomic():
        organisation = _locked(membership.organisation)
        _require_manager(by, organisation)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        role, is_owner = role_for(organisation, access)
        if membership.is_owner and not is_owner and not _owners_left(organisation, membership):
            raise OrganisationError(_("組織至少要有一位管理者：請先讓另一位成員成為管理者。"))
        membership.role, membership.is_owner = role, is_owner
        membership.save(update_fields=["role", "is_owner"])
        record(
            membership.user,
            AccountEvent.Kind.ROLE_CHANGED,
            actor=by,
            detail=f"{organisation.name}：{dict(access_choices(organisation))[access]}",
        )
        return membership


def member_remove(*, membership: Membership, by) -> None:
    """Remove a member; never the last owner. Rights are read from memberships on
    every request, so the member loses access with their next request."""
    with transaction.atomic():
        organisation = _locked(membership.organisation)
        _require_manager(by, organisation)
        membership = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if membership is None:
            return
        if membership.is_owner and not _owners_left(organisation, membership):
            raise OrganisationError(_("不能移除組織唯一的管理者。"))
        membership.delete()
        record(membership.user, AccountEvent.Kind.REMOVED, actor=by, detail=organisation.name)


def access_choices(organisation: Organisation) -> list[tuple[str, str]]:
    labels = {
        "editor": _("可編輯"),
        "viewer": _("唯讀"),
        "reviewer": _("審查者"),
        "verifier": _("查證者"),
        "owner": _("管理者（可管理成員）"),
    }
    return [(access, labels[access]) for access in ACCESS[organisation.kind]]


def user_by_email(email: str):
    return get_user_model().objects.filter(emailaddress__email__iexact=email).first()
