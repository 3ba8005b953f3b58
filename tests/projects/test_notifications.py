"""Review e-mail: sent after the transition commits, a failure is a notice and a
log line (never a 500), subjects are plain text on one line."""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from projects import workflow
from projects.models import Membership, Organisation, Plan
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, UserFactory


class DisconnectedBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def review(demo_document):
    """The chiller plan, alice who edits it and rita who reviews it."""
    plan = plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)
    authority = Organisation.objects.create(
        name="新竹縣政府環境保護局", kind=Organisation.Kind.AUTHORITY
    )
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    plan.refresh_from_db()
    alice = UserFactory(username="alice", email="alice@example.tw")
    MembershipFactory(user=alice, organisation=plan.organisation, role=Membership.Role.EDITOR)
    rita = UserFactory(username="rita", email="rita@example.tw")
    MembershipFactory(user=rita, organisation=authority, role=Membership.Role.REVIEWER)
    return plan, alice, rita


NOTICE = "狀態已更新，但通知信未能寄出，請另行通知對方。"


@pytest.mark.django_db(transaction=True)
def test_a_transition_with_the_smtp_server_down_redirects_with_a_notice_and_logs_the_error(
    reference_data, review, client, settings, caplog
):
    plan, alice, rita = review
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectedBackend"
    client.force_login(alice)
    with caplog.at_level(logging.ERROR, logger="projects.notifications"):
        response = client.post(reverse("projects:transition", args=[plan.pk, "submit"]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED
    page = client.get(response.url).content.decode()
    assert NOTICE in page
    assert "計畫書狀態已更新為" in page
    [record] = [r for r in caplog.records if r.name == "projects.notifications"]
    assert record.levelno == logging.ERROR
    assert isinstance(record.exc_info[1], smtplib.SMTPServerDisconnected)
    assert f"plan {plan.pk}" in record.getMessage()


@pytest.mark.django_db(transaction=True)
def test_a_transition_whose_mail_succeeds_shows_no_notice(reference_data, review, client):
    plan, alice, rita = review
    client.force_login(alice)
    response = client.post(reverse("projects:transition", args=[plan.pk, "submit"]))
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["rita@example.tw"]]
    assert NOTICE not in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_a_mail_failure_is_reported_to_the_caller_after_commit(
    review, settings, caplog, django_capture_on_commit_callbacks
):
    plan, alice, rita = review
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    failures = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.plan_transition(
            plan=plan, user=alice, name="submit", on_mail_failure=lambda: failures.append(1)
        )
        assert failures == []  # nothing is mailed before the commit
    assert len(callbacks) == 1
    assert failures == [1]
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.SUBMITTED
    assert "Could not send the e-mail" in caplog.text
    assert "Connection refused" in caplog.text


@pytest.mark.django_db
def test_a_legacy_title_with_a_line_break_still_transitions_and_mails_a_one_line_subject(
    review, django_capture_on_commit_callbacks
):
    plan, alice, rita = review
    # Written before titles were validated: the model would refuse it now.
    Plan.objects.filter(pk=plan.pk).update(title="冰水主機汰換\r\n第二行\t計畫")
    for user, name in ((alice, "submit"), (rita, "start_review")):
        with django_capture_on_commit_callbacks(execute=True):
            plan = workflow.plan_transition(plan=plan, user=user, name=name)
    assert plan.status == Plan.Status.UNDER_REVIEW
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "「冰水主機汰換 第二行 計畫」" in message.subject
        message.message()  # the headers are valid (no BadHeaderError)


@pytest.mark.django_db
def test_the_subject_keeps_ampersands_and_angle_brackets_as_typed(
    review, django_capture_on_commit_callbacks
):
    plan, alice, rita = review
    Plan.objects.filter(pk=plan.pk).update(title='R&D 大樓 <冰水主機> "汰換" O\'Neil')
    with django_capture_on_commit_callbacks(execute=True):
        workflow.plan_transition(plan=plan, user=alice, name="submit")
    [message] = mail.outbox
    assert '「R&D 大樓 <冰水主機> "汰換" O\'Neil」' in message.subject
    assert "&amp;" not in message.subject and "&lt;" not in message.subject
    assert "R&D 大樓 <冰水主機>" in message.body
