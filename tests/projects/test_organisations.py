"""Organisations and their people: creating one, invitations, requests to
join, roles, removal, and who may do each."""

import logging
import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from projects.models import Membership, Organisation
from projects.organisations import services
from projects.organisations.models import Invitation, JoinRequest
from tests.projects.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
VALID_TAX_ID = "04595257"


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def organisation(owner):
    organisation = OrganisationFactory(name="財團法人崑山科技大學")
    MembershipFactory(user=owner, organisation=organisation, is_owner=True)
    return organisation


def invite(client, organisation, email, access="editor", capture=None):
    with capture(execute=True):
        return client.post(
            reverse("organisations:invite", args=[organisation.pk]),
            {"email": email, "access": access},
        )


def token_from(message) -> str:
    return re.search(r"/invitations/([^/\s]+)/", message.body).group(1)


# -- creating ---------------------------------------------------------------------


def test_a_new_user_creates_an_applicant_organisation_and_owns_it(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("organisations:create"),
        {
            "name": "某某國小",
            "tax_id": VALID_TAX_ID,
            "address": "臺南市永康區",
            "representative": "王校長",
            "city": "臺南市",
        },
    )
    organisation = Organisation.objects.get(name="某某國小")
    assert response.url == reverse("organisations:detail", args=[organisation.pk])
    assert organisation.kind == Organisation.Kind.APPLICANT
    membership = Membership.objects.get(user=user, organisation=organisation)
    assert membership.is_owner and membership.role == Membership.Role.EDITOR


def test_a_wrong_tax_id_is_refused_at_the_field_and_the_rest_is_kept(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("organisations:create"),
        {"name": "某某國小", "tax_id": "12345678", "address": "臺南市", "representative": "王"},
    )
    assert response.status_code == 200
    assert "檢查碼" in str(response.context["form"].errors["tax_id"])
    assert 'value="某某國小"' in response.content.decode()
    assert not Organisation.objects.filter(name="某某國小").exists()


def test_only_a_site_administrator_creates_an_authority(client):
    client.force_login(UserFactory())
    response = client.post(reverse("organisations:create"), {"name": "X", "kind": "authority"})
    assert not Organisation.objects.filter(kind=Organisation.Kind.AUTHORITY).exists()
    assert client.get(reverse("site_admin:organisation_create")).status_code == 404
    with pytest.raises(services.OrganisationError):
        services.organisation_create_by_administrator(
            administrator=UserFactory(),
            kind=Organisation.Kind.AUTHORITY,
            name="某縣環保局",
            city="",
            owner_email="boss@example.org",
        )
    assert response.status_code == 200


def test_a_site_administrator_creates_an_authority_and_invites_its_owner(
    client, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("site_admin:organisation_create"),
            {
                "kind": "authority",
                "name": "某縣環保局",
                "city": "某縣",
                "owner_email": "boss@example.org",
            },
        )
    authority = Organisation.objects.get(name="某縣環保局")
    assert response.status_code == 302
    assert authority.kind == Organisation.Kind.AUTHORITY
    invitation = Invitation.objects.get(organisation=authority)
    assert invitation.is_owner and invitation.role == Membership.Role.REVIEWER
    assert mail.outbox[0].to == ["boss@example.org"]


# -- invitations ------------------------------------------------------------------


def test_an_owner_invites_by_email_and_the_invitee_signs_up_and_accepts(
    client, organisation, owner, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://plans.example.gov.tw"
    client.force_login(owner)
    invite(
        client, organisation, "consultant@example.org", capture=django_capture_on_commit_callbacks
    )
    (message,) = mail.outbox
    assert message.to == ["consultant@example.org"]
    assert "財團法人崑山科技大學" in message.subject
    assert "https://plans.example.gov.tw/invitations/" in message.body
    assert message.alternatives[0][1] == "text/html"
    token = token_from(message)
    client.logout()

    page = client.get(reverse("organisations:invitation", args=[token]))
    assert "註冊帳號並接受邀請" in page.content.decode()
    response = client.post(reverse("organisations:invitation_sign_up", args=[token]))
    assert response.url.startswith(reverse("account_signup"))
    password = "Consulting-plans-2026"
    response = client.post(
        response.url,
        {"email": "consultant@example.org", "password1": password, "password2": password},
    )
    # The address the invitation went to needs no confirmation mail.
    assert response.url == reverse("organisations:invitation", args=[token])
    client.post(response.url)
    membership = Membership.objects.get(
        organisation=organisation, user__email="consultant@example.org"
    )
    assert membership.role == Membership.Role.EDITOR and not membership.is_owner
    assert Invitation.objects.get().accepted_by == membership.user


def test_an_invitation_to_an_address_with_an_account_is_accepted_after_signing_in(
    client, organisation, owner, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="colleague@example.org")
    client.force_login(owner)
    invite(
        client, organisation, "Colleague@Example.org", "viewer", django_capture_on_commit_callbacks
    )
    token = token_from(mail.outbox[0])
    assert "登入後接受邀請" in mail.outbox[0].body
    client.logout()
    page = client.get(reverse("organisations:invitation", args=[token]))
    assert "登入以接受邀請" in page.content.decode()
    client.force_login(existing)
    client.post(reverse("organisations:invitation", args=[token]))
    membership = Membership.objects.get(organisation=organisation, user=existing)
    assert membership.role == Membership.Role.VIEWER


def test_an_invitation_cannot_be_accepted_by_another_account(
    client, organisation, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    invite(client, organisation, "meant@example.org", capture=django_capture_on_commit_callbacks)
    token = token_from(mail.outbox[0])
    client.force_login(UserFactory(email="someone-else@example.org"))
    response = client.post(reverse("organisations:invitation", args=[token]), follow=True)
    assert "meant@example.org" in response.content.decode()
    assert Membership.objects.filter(organisation=organisation).count() == 1
    assert Invitation.objects.get().accepted_at is None


def test_a_used_invitation_cannot_be_used_again(
    client, organisation, owner, django_capture_on_commit_callbacks
):
    invited = UserFactory(email="invited@example.org")
    client.force_login(owner)
    invite(client, organisation, "invited@example.org", capture=django_capture_on_commit_callbacks)
    token = token_from(mail.outbox[0])
    services.invitation_accept(token=token, user=invited)
    Membership.objects.filter(user=invited).delete()
    client.force_login(invited)
    response = client.post(reverse("organisations:invitation", args=[token]))
    assert response.status_code == 410
    assert "已經使用過" in response.content.decode()
    assert not Membership.objects.filter(user=invited).exists()


def test_an_expired_invitation_is_refused(
    client, organisation, owner, django_capture_on_commit_callbacks
):
    invited = UserFactory(email="late@example.org")
    client.force_login(owner)
    invite(client, organisation, "late@example.org", capture=django_capture_on_commit_callbacks)
    token = token_from(mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(invited)
    response = client.post(reverse("organisations:invitation", args=[token]))
    assert response.status_code == 410
    assert "過期" in response.content.decode()
    with pytest.raises(services.OrganisationError):
        services.invitation_accept(token=token, user=invited)
    assert not Membership.objects.filter(user=invited).exists()


def test_an_unknown_token_is_refused(client):
    response = client.get(reverse("organisations:invitation", args=["not-a-token"]))
    assert response.status_code == 410


def test_only_owners_invite(client, organisation):
    editor = UserFactory()
    MembershipFactory(user=editor, organisation=organisation)
    client.force_login(editor)
    response = client.post(
        reverse("organisations:invite", args=[organisation.pk]),
        {"email": "x@example.org", "access": "owner"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_an_authority_offers_reviewer_and_owner_only(owner):
    authority = OrganisationFactory(authority=True)
    assert [access for access, _ in services.access_choices(authority)] == ["reviewer", "owner"]


# -- members ----------------------------------------------------------------------


def test_members_are_listed_with_their_roles(client, organisation, owner):
    viewer = UserFactory(username="reader")
    MembershipFactory(user=viewer, organisation=organisation, role=Membership.Role.VIEWER)
    client.force_login(viewer)
    page = client.get(reverse("organisations:detail", args=[organisation.pk])).content.decode()
    assert "owner@example.org" in page and "reader@example.org" in page
    assert "唯讀" in page and "管理者" in page
    assert reverse("organisations:invite", args=[organisation.pk]) not in page


def test_an_outsider_does_not_see_the_organisation(client, organisation):
    client.force_login(UserFactory())
    assert client.get(reverse("organisations:detail", args=[organisation.pk])).status_code == 404


def test_a_removed_member_loses_access_with_the_next_request(client, organisation, owner):
    plan = PlanFactory(organisation=organisation)
    member = UserFactory()
    membership = MembershipFactory(user=member, organisation=organisation)
    client.force_login(member)
    assert client.get(reverse("projects:plan_detail", args=[plan.pk])).status_code == 200

    from django.test import Client

    owner_client = Client()
    owner_client.force_login(owner)
    owner_client.post(reverse("organisations:member_remove", args=[organisation.pk, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # The same session, the very next request.
    assert client.get(reverse("projects:plan_detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("projects:section", args=[plan.pk, "basic"])).status_code == 404


def test_the_last_owner_cannot_be_removed_or_demoted(client, organisation, owner):
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(
        reverse("organisations:member_remove", args=[organisation.pk, membership.pk]),
        follow=True,
    )
    assert "唯一的管理者" in response.content.decode()
    response = client.post(
        reverse("organisations:member_change", args=[organisation.pk, membership.pk]),
        {"access": "viewer"},
        follow=True,
    )
    assert "至少要有一位管理者" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_owner and membership.role == Membership.Role.EDITOR


def test_with_a_second_owner_the_first_may_step_down(client, organisation, owner):
    second = MembershipFactory(organisation=organisation, is_owner=True)
    first = Membership.objects.get(user=owner)
    client.force_login(owner)
    client.post(
        reverse("organisations:member_change", args=[organisation.pk, first.pk]),
        {"access": "viewer"},
    )
    first.refresh_from_db()
    assert not first.is_owner and first.role == Membership.Role.VIEWER
    with pytest.raises(services.OrganisationError):
        services.member_remove(membership=second, by=second.user)


def test_an_owner_changes_a_members_role(client, organisation, owner):
    membership = MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER)
    client.force_login(owner)
    client.post(
        reverse("organisations:member_change", args=[organisation.pk, membership.pk]),
        {"access": "editor"},
    )
    membership.refresh_from_db()
    assert membership.role == Membership.Role.EDITOR


# -- requests to join -------------------------------------------------------------


def test_a_user_asks_to_join_and_an_owner_approves(
    client, organisation, owner, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="newcomer@example.org")
    client.force_login(applicant)
    page = client.get(reverse("organisations:join"), {"q": "崑山"})
    assert "財團法人崑山科技大學" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organisations:join"),
            {"organisation": organisation.pk, "message": "我是節能組的"},
        )
    join_request = JoinRequest.objects.get()
    assert mail.outbox[0].to == ["owner@example.org"]
    client.force_login(owner)
    client.post(
        reverse("organisations:join_request_decide", args=[organisation.pk, join_request.pk]),
        {"decision": "approve", "access": "editor"},
    )
    assert Membership.objects.get(user=applicant).role == Membership.Role.EDITOR
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED


def test_a_declined_request_adds_nobody(client, organisation, owner):
    applicant = UserFactory()
    join_request = services.join_request_create(user=applicant, organisation=organisation)
    client.force_login(owner)
    client.post(
        reverse("organisations:join_request_decide", args=[organisation.pk, join_request.pk]),
        {"decision": "decline"},
    )
    assert not Membership.objects.filter(user=applicant).exists()


def test_nobody_asks_to_join_an_authority(organisation):
    with pytest.raises(services.OrganisationError):
        services.join_request_create(
            user=UserFactory(), organisation=OrganisationFactory(authority=True)
        )


# -- the requester hears the decision -----------------------------------------------


class DisconnectedBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def asked(organisation):
    """A pending request to join, the owners' notice of it already sent."""
    applicant = UserFactory(username="newcomer", email="newcomer@example.org")
    join_request = services.join_request_create(
        user=applicant, organisation=organisation, message="我是節能組的"
    )
    mail.outbox.clear()
    return join_request


def decide(client, organisation, join_request, capture, **data):
    with capture(execute=True):
        return client.post(
            reverse("organisations:join_request_decide", args=[organisation.pk, join_request.pk]),
            data,
        )


def test_an_approved_requester_is_mailed_the_access_and_a_link_to_the_organisation(
    client, organisation, owner, asked, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://plans.example.org"
    client.force_login(owner)
    decide(
        client,
        organisation,
        asked,
        django_capture_on_commit_callbacks,
        decision="approve",
        access="editor",
    )
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert "您已加入「財團法人崑山科技大學」" in message.subject
    assert "\n" not in message.subject
    assert "已核准" in message.body and "「可編輯」" in message.body
    assert "您可以撰寫及修改這個組織的計畫書與監測報告書。" in message.body
    link = f"https://plans.example.org{reverse('organisations:detail', args=[organisation.pk])}"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    assert Membership.objects.get(user=asked.user, organisation=organisation).role == "editor"


def test_a_declined_requester_is_told_politely_and_given_nothing(
    client, organisation, owner, asked, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    decide(client, organisation, asked, django_capture_on_commit_callbacks, decision="decline")
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert "您加入「財團法人崑山科技大學」的申請未獲核准" in message.subject
    assert "謝謝您申請加入" in message.body and "很抱歉" in message.body
    assert reverse("organisations:list") in message.body
    assert reverse("organisations:detail", args=[organisation.pk]) not in message.body
    assert message.alternatives[0][1] == "text/html"
    assert not Membership.objects.filter(user=asked.user).exists()


def test_the_decision_is_mailed_only_after_it_commits(
    organisation, owner, asked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.join_request_decide(join_request=asked, by=owner, approve=False)
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("refusal", ["already-decided", "not-an-owner", "outsider"])
def test_nothing_is_mailed_when_the_decision_is_refused(
    organisation, owner, asked, refusal, django_capture_on_commit_callbacks
):
    by = owner
    if refusal == "already-decided":
        with django_capture_on_commit_callbacks(execute=True):
            services.join_request_decide(join_request=asked, by=owner, approve=False)
        mail.outbox.clear()
    elif refusal == "not-an-owner":
        by = MembershipFactory(organisation=organisation, role=Membership.Role.EDITOR).user
    else:
        by = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(services.OrganisationError):
            services.join_request_decide(join_request=asked, by=by, approve=True, access="editor")
    assert callbacks == []
    assert mail.outbox == []
    assert not Membership.objects.filter(user=asked.user).exists()


# Committed for real, so that the mail goes out while the owner's request is served.
@pytest.mark.django_db(transaction=True)
def test_a_decision_whose_mail_fails_stands_is_logged_and_the_owner_told(
    client, organisation, owner, asked, settings, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectedBackend"
    client.force_login(owner)
    with caplog.at_level(logging.ERROR, logger="accounts.mail"):
        response = client.post(
            reverse("organisations:join_request_decide", args=[organisation.pk, asked.pk]),
            {"decision": "approve", "access": "viewer"},
        )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == JoinRequest.Status.APPROVED
    assert Membership.objects.get(user=asked.user).role == Membership.Role.VIEWER
    [record] = [r for r in caplog.records if r.name == "accounts.mail"]
    assert isinstance(record.exc_info[1], smtplib.SMTPServerDisconnected)
    assert "emails/join_request_approved" in record.getMessage()
    page = client.get(response.url).text
    assert "通知信未能寄給 newcomer，請另行通知對方" in page
    assert "已核准 newcomer 加入" in page


@pytest.mark.django_db(transaction=True)  # the mail is tried as the service commits
def test_an_invitation_whose_mail_fails_stays_and_the_owner_is_told(
    client, organisation, owner, settings, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectedBackend"
    client.force_login(owner)
    with caplog.at_level(logging.ERROR, logger="accounts.mail"):
        response = client.post(
            reverse("organisations:invite", args=[organisation.pk]),
            {"email": "consultant@example.org", "access": "editor"},
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="consultant@example.org").exists()
    assert [r.name for r in caplog.records if r.name == "accounts.mail"] == ["accounts.mail"]
    page = client.get(response.url).text
    assert "邀請已建立，但邀請信未能寄給 consultant@example.org" in page
    assert "已寄出邀請給" not in page


def test_a_join_request_whose_mail_to_the_owners_fails_is_still_made(
    client, organisation, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectedBackend"
    newcomer = UserFactory(username="asker", email="asker@example.org")
    client.force_login(newcomer)
    with (
        caplog.at_level(logging.ERROR, logger="accounts.mail"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("organisations:join"), {"organisation": organisation.pk, "message": "您好"}
        )
    assert response.status_code == 302
    assert JoinRequest.objects.filter(user=newcomer, organisation=organisation).exists()
    assert any(r.name == "accounts.mail" for r in caplog.records)
