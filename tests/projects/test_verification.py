"""Verification of monitoring reports by the named verification body and the
authority's decision: the verified reduction (refused at its field above the
claim), the statement, send-back and resubmission, approval issuing credits once
into the right account, history and comparison of versions."""

import threading

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from projects.credits import selectors as credit_selectors
from projects.credits.models import CreditAccount, CreditIssuance, LedgerEntry
from projects.models import Plan, Programme
from projects.monitoring import entry, verification
from projects.monitoring.models import MonitoringComment, MonitoringEvent, MonitoringReport
from projects.monitoring.services import MonitoringError
from projects.registration import selectors as registry_selectors
from tests.projects.monitoring_helpers import registered_chiller
from tests.projects.verification_helpers import (
    fresh,
    measure,
    other_reviewer,
    other_verifier,
    statement_file,
    submitted_report,
    verified_report,
)

pytestmark = pytest.mark.django_db
Status = MonitoringReport.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(demo_document):
    people = registered_chiller(demo_document("chiller-individual.json"))
    for user in (people.editor, people.verifier, people.reviewer):
        user.email = f"{user.username}@example.org"
        user.save()
    return people


@pytest.fixture
def report(people):
    return submitted_report(people)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def review_url(report, name="projects:monitoring_review", *args):
    return reverse(name, args=[report.pk, *args])


# -- the verifier -----------------------------------------------------------------------


def test_the_verifiers_queue_lists_only_the_reports_assigned_to_its_body(people, report):
    other = other_verifier()
    mine = login(people.verifier).get(reverse("projects:monitoring_queue"))
    assert [r.pk for r in mine.context["page"]] == [report.pk]
    theirs = login(other).get(reverse("projects:monitoring_queue"))
    assert list(theirs.context["page"]) == []
    assert login(people.editor).get(reverse("projects:monitoring_queue")).status_code == 404


def test_a_verifier_of_another_body_gets_404_on_every_page_and_action(people, report):
    client = login(other_verifier())
    for name in ("projects:monitoring_review", "projects:monitoring_report"):
        assert client.get(review_url(report, name)).status_code == 404
    response = client.post(
        review_url(report, "projects:monitoring_verified_reduction"),
        {"verified_reduction_tco2e": "1"},
    )
    assert response.status_code == 404
    response = client.post(
        review_url(report, "projects:monitoring_transition", "start_verification")
    )
    assert response.status_code == 404
    assert fresh(report).status == Status.SUBMITTED
    assert fresh(report).verified_reduction_tco2e is None


def test_a_verified_reduction_above_the_claim_is_refused_at_its_field_and_kept(people, report):
    claimed = report.current_version.reduction_tco2e
    response = login(people.verifier).post(
        review_url(report, "projects:monitoring_verified_reduction"),
        {"verified_reduction_tco2e": str(claimed + 1), "revision": fresh(report).revision},
    )
    assert response.status_code == 400
    errors = response.context["reduction_form"].errors["verified_reduction_tco2e"]
    assert "不得高於報告書申報的" in errors[0]
    assert f'value="{claimed + 1}"' in response.text
    assert fresh(report).verified_reduction_tco2e is None
    with pytest.raises(Exception, match="不得高於"):
        verification.record_verified_reduction(report, by=people.verifier, value=claimed + 1)


def test_a_fractional_verified_reduction_is_refused_at_its_field(people, report):
    response = login(people.verifier).post(
        review_url(report, "projects:monitoring_verified_reduction"),
        {"verified_reduction_tco2e": "12.5", "revision": fresh(report).revision},
    )
    assert response.status_code == 400
    assert response.context["reduction_form"].errors["verified_reduction_tco2e"]


def test_the_verifier_records_the_figure_attaches_the_statement_and_completes(
    people, report, django_capture_on_commit_callbacks
):
    client = login(people.verifier)
    claimed = report.current_version.reduction_tco2e
    response = client.post(
        review_url(report, "projects:monitoring_verified_reduction"),
        {"verified_reduction_tco2e": str(claimed - 10), "revision": fresh(report).revision},
    )
    assert response.status_code == 302
    report = fresh(report)
    assert report.verified_reduction_tco2e == claimed - 10
    assert report.status == Status.UNDER_VERIFICATION  # the first write starts verification
    response = client.post(
        review_url(report, "projects:monitoring_statement"),
        {"file": statement_file(), "revision": report.revision},
    )
    assert response.status_code == 302
    assert verification.current_statement(fresh(report)) is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            review_url(report, "projects:monitoring_transition", "complete_verification"),
            {"revision": fresh(report).revision},
        )
    assert fresh(report).status == Status.VERIFIED
    # The applicant's members (its read-only member too, as for a plan) and the authority
    # hear of it.
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {people.editor.email, people.viewer.email, people.reviewer.email}


def test_a_statement_that_is_not_a_pdf_is_refused_at_its_field(people, report):
    response = login(people.verifier).post(
        review_url(report, "projects:monitoring_statement"),
        {"file": statement_file("s.png", b"\x89PNG\r\n\x1a\n" + bytes(32)), "description": "x"},
    )
    assert response.status_code == 400
    assert response.context["statement_form"].errors["file"]
    assert verification.current_statement(fresh(report)) is None


def test_verification_cannot_complete_without_figure_and_statement(people, report):
    client = login(people.verifier)
    client.post(review_url(report, "projects:monitoring_transition", "complete_verification"))
    assert fresh(report).status == Status.SUBMITTED
    page = client.get(review_url(report)).text
    assert "尚未填寫查證減量" in page and "查證總結報告" in page


def test_a_second_tab_with_a_stale_page_is_refused_and_keeps_the_value(people, report):
    client = login(people.verifier)
    stale = fresh(report).revision
    claimed = report.current_version.reduction_tco2e
    url = review_url(report, "projects:monitoring_verified_reduction")
    assert client.post(url, {"verified_reduction_tco2e": "5", "revision": stale}).status_code == 302
    response = client.post(url, {"verified_reduction_tco2e": str(claimed), "revision": stale})
    assert response.status_code == 409
    assert f'value="{claimed}"' in response.text
    assert fresh(report).verified_reduction_tco2e == 5
    # The refused page carries the current revision: sent again from it, it is taken.
    current = fresh(report).revision
    assert f'name="revision" value="{current}"' in response.text
    form = response.context["reduction_form"]
    assert form.data["revision"] == str(current) and form.errors
    # A transition from the stale page is refused too.
    client.post(
        review_url(report, "projects:monitoring_transition", "return_to_applicant"),
        {"comment": "請補件", "revision": stale},
    )
    assert fresh(report).status == Status.UNDER_VERIFICATION


def test_comments_per_section_and_the_applicant_replies(people, report):
    verifier = login(people.verifier)
    verifier.post(
        review_url(report, "projects:monitoring_comment_add"),
        {"section": "monitoring", "field": "運轉時數", "text": "請附電錶照片"},
    )
    thread = MonitoringComment.objects.get(parent=None)
    assert (thread.section, thread.field, thread.author) == (
        "monitoring",
        "運轉時數",
        people.verifier,
    )
    # The applicant may not start a thread, but replies.
    editor = login(people.editor)
    editor.post(
        review_url(report, "projects:monitoring_comment_add"), {"section": "general", "text": "x"}
    )
    assert MonitoringComment.objects.count() == 1
    editor.post(
        review_url(report, "projects:monitoring_comment_add"),
        {"section": "general", "text": "已補上", "parent": thread.pk},
    )
    assert thread.replies.get().text == "已補上"
    assert "請附電錶照片" in editor.get(review_url(report)).text
    verifier.post(review_url(report, "projects:monitoring_comment_resolve", thread.pk))
    assert MonitoringComment.objects.get(pk=thread.pk).resolved_at is not None


# -- send back and resubmit -------------------------------------------------------------


def test_the_verifier_sends_back_and_the_applicant_edits_and_resubmits(
    people, report, django_capture_on_commit_callbacks
):
    verifier = login(people.verifier)
    with django_capture_on_commit_callbacks(execute=True):
        verifier.post(
            review_url(report, "projects:monitoring_transition", "return_to_applicant"),
            {"comment": "基線運轉時數偏高，請確認"},
        )
    report = fresh(report)
    assert report.status == Status.CHANGES_REQUESTED
    # The message reaches the applicant as a comment and by e-mail.
    assert MonitoringComment.objects.get().text == "基線運轉時數偏高，請確認"
    assert people.editor.email in {a for m in mail.outbox for a in m.to}
    assert "基線運轉時數偏高" in login(people.editor).get(review_url(report)).text
    # The applicant edits and submits again: version 2.
    measure(report, people.editor, **{"baseline-groups-0-hours": "3900"})
    report = entry.report_submit(fresh(report), by=people.editor, verification_body=people.body)
    assert report.status == Status.SUBMITTED
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]


def test_a_send_back_without_a_message_is_refused(people, report):
    login(people.verifier).post(
        review_url(report, "projects:monitoring_transition", "return_to_applicant"), {"comment": ""}
    )
    assert fresh(report).status == Status.SUBMITTED


def test_the_authority_sends_back_and_the_verified_figure_is_cleared(people):
    report = verified_report(people)
    login(people.reviewer).post(
        review_url(report, "projects:monitoring_transition", "request_changes"),
        {"comment": "查證總結報告缺簽名"},
    )
    report = fresh(report)
    assert report.status == Status.CHANGES_REQUESTED
    assert report.verified_reduction_tco2e is None
    assert CreditIssuance.objects.count() == 0
    # Resubmitted, the old statement no longer counts.
    report = entry.report_submit(report, by=people.editor, verification_body=people.body)
    assert verification.current_statement(report) is None


# -- approval and issuance --------------------------------------------------------------


def test_the_authoritys_queue_shows_verified_reports(people):
    report = verified_report(people)
    response = login(people.reviewer).get(reverse("projects:monitoring_queue"))
    assert [r.pk for r in response.context["page"]] == [report.pk]
    response = login(other_reviewer()).get(reverse("projects:monitoring_queue"))
    assert list(response.context["page"]) == []


def test_approval_issues_the_verified_tonnes_once_into_the_organisations_account(people):
    report = verified_report(people, verified=400)
    client = login(people.reviewer)
    response = client.post(review_url(report, "projects:monitoring_transition", "approve"))
    assert response.status_code == 302
    report = fresh(report)
    assert report.status == Status.APPROVED
    issuance = CreditIssuance.objects.get()
    assert (issuance.report, issuance.quantity, issuance.monitoring_number) == (report, 400, 1)
    assert issuance.period_end == report.period_end
    account = CreditAccount.objects.get(organisation=people.plan.organisation)
    assert credit_selectors.account_balance(account)["balance"] == 400
    event = report.events.get(to_status=Status.APPROVED)
    assert "400 tCO2e" in event.message and people.plan.organisation.name in event.message
    # Approving again is refused; nothing more issued.
    client.post(review_url(report, "projects:monitoring_transition", "approve"))
    with pytest.raises(MonitoringError):
        verification.report_transition(report=fresh(report), user=people.reviewer, name="approve")
    assert CreditIssuance.objects.count() == 1 and LedgerEntry.objects.count() == 1


def test_a_programme_holding_the_credits_receives_them(people):
    plan = people.plan
    programme = Programme.objects.create(
        authority=plan.authority, title="冰水主機汰換方案", version="1", holds_credits=True
    )
    Plan.objects.filter(pk=plan.pk).update(type=Plan.Type.SUB_PROJECT, programme=programme)
    people.plan = Plan.objects.get(pk=plan.pk)
    report = verified_report(people, verified=300)
    verification.report_transition(report=report, user=people.reviewer, name="approve")
    account = CreditAccount.objects.get(organisation=plan.authority)
    assert credit_selectors.account_balance(account)["balance"] == 300
    assert not CreditAccount.objects.filter(organisation=plan.organisation).exists()


@pytest.mark.parametrize("missing", ["statement", "figure", "failing_check"])
def test_approval_is_refused_without_statement_or_figure_or_with_a_failing_check(people, missing):
    report = verified_report(people)
    if missing == "statement":
        report.attachments.filter(kind="verification_statement").update(
            uploaded_at=report.submitted_at.replace(year=2000)
        )
    elif missing == "figure":
        MonitoringReport.objects.filter(pk=report.pk).update(verified_reduction_tco2e=None)
    else:
        version = report.current_version
        results = dict(version.results)
        results["checks"] = [{**results["checks"][0], "status": "fail"}, *results["checks"][1:]]
        type(version).objects.filter(pk=version.pk).update(results=results)
    response = login(people.reviewer).post(
        review_url(report, "projects:monitoring_transition", "approve"), follow=True
    )
    assert fresh(report).status == Status.VERIFIED
    assert CreditIssuance.objects.count() == 0
    assert response.context["problems"]


def test_only_the_plans_authority_approves(people):
    report = verified_report(people)
    for user in (people.verifier, people.editor, other_reviewer(), people.admin):
        with pytest.raises(MonitoringError):
            verification.report_transition(report=fresh(report), user=user, name="approve")
    assert fresh(report).status == Status.VERIFIED


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_issue_exactly_once(reference_data, people):
    report = verified_report(people, verified=100)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve():
        try:
            barrier.wait()
            verification.report_transition(
                report=MonitoringReport.objects.get(pk=report.pk),
                user=people.reviewer,
                name="approve",
            )
            outcomes.append("approved")
        except MonitoringError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert CreditIssuance.objects.filter(report=report).count() == 1
    assert LedgerEntry.objects.count() == 1


# -- pages: history, comparison, the plan page and the registry --------------------------


def test_history_lists_every_transition_and_the_verification(people):
    report = verified_report(people)
    verification.report_transition(report=report, user=people.reviewer, name="approve")
    page = login(people.editor).get(review_url(report, "projects:monitoring_history"))
    kinds = [event.kind for event in page.context["events"]]
    assert kinds.count(MonitoringEvent.Kind.VERIFICATION) == 2
    statuses = [e.to_status for e in page.context["events"] if e.kind == "transition"]
    assert statuses == ["submitted", "under_verification", "verified", "approved"]
    assert "核發" in page.text


def test_the_comparison_shows_what_changed_between_submissions(people, report):
    verification.report_transition(
        report=report, user=people.verifier, name="return_to_applicant", comment="請修正"
    )
    measure(report, people.editor, **{"baseline-groups-0-hours": "3900"})
    entry.report_submit(fresh(report), by=people.editor, verification_body=people.body)
    page = login(people.verifier).get(
        review_url(report, "projects:monitoring_compare") + "?a=1&b=2"
    )
    assert page.status_code == 200
    sections = {s.slug: s.changes for s in page.context["sections"]}
    paths = [change["path"] for change in sections["monitoring"]]
    assert "monitoring.baseline.groups[0].hours" in paths
    assert (
        login(people.verifier)
        .get(review_url(report, "projects:monitoring_compare") + "?a=9")
        .status_code
        == 404
    )
    document = login(people.verifier).get(
        review_url(report, "projects:monitoring_version_document", 2)
    )
    assert document.status_code == 200 and b"offset-monitoring/1" in document.content


def test_the_plan_page_and_the_registry_show_claimed_verified_and_issued(people):
    report = verified_report(people, verified=400)
    verification.report_transition(report=report, user=people.reviewer, name="approve")
    claimed = f"{fresh(report).current_version.reduction_tco2e:,}"
    page = login(people.editor).get(people.plan.get_absolute_url())
    row = page.text[page.text.index('data-report-row="1"') :][:1500]
    assert claimed in row and "400" in row
    public = Client().get(reverse("projects:registry_detail", args=[people.plan.pk])).text
    row = public[public.index('data-report-row="1"') :][:1500]
    assert claimed in row and "400" in row
    totals = registry_selectors_totals(people.plan)
    assert (totals.issued, totals.retired, totals.remaining) == (400, 0, 400)
    listing = Client().get(reverse("projects:registry"))
    assert listing.context["rows"][0]["credits"].issued == 400


def registry_selectors_totals(plan):
    return credit_selectors.credit_totals_by_plan([plan])[plan.pk]


def test_the_registry_reads_issued_credits_from_the_credit_registry():
    assert not hasattr(registry_selectors, "credit_totals")
