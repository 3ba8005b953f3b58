"""Who may see and do what: every URL of the product, role by role.

The rules are in projects/permissions.py. MATRIX holds every URL of the
projects and reports apps (`test_every_url_is_in_the_matrix` walks the URL
resolver, so a new URL without a row fails) with the exact status each role
gets and, for a POST, which roles change something; a refused POST changes
nothing. The plan is in "changes requested" (submitted once, editable again),
so every rule is in play: the applicant's editors edit, its read-only members
only read, the plan's authority reviews, and everyone else gets 404 as if the
plan did not exist.
"""

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from projects.interchange import plan_document
from projects.models import (
    Attachment,
    Membership,
    Organisation,
    PaperTally,
    Plan,
    PlanFigure,
    PlanVersion,
    Programme,
    ReviewComment,
    StakeholderTier,
    SurveyLink,
)
from projects.monitoring.models import MonitoringReport
from projects.monitoring.services import create_report
from projects.registration.services import register_plan
from projects.sections import BasicEditor
from projects.services import figure_add, plan_import
from projects.survey_views import _tally_form
from projects.workflow import TRANSITIONS, plan_transition
from reports.models import ProgrammeExport
from tests.projects.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.projects.formdata import editor_data, form_items

pytestmark = pytest.mark.django_db
ROLES = [
    "anonymous",
    "editor",  # an editor of the applicant organisation
    "viewer",  # a read-only member of the applicant organisation
    "outsider",  # signed in, member of nothing
    "other_editor",  # an editor of another applicant organisation
    "reviewer",  # a reviewer of the plan's authority
    "other_reviewer",  # a reviewer of another authority
    "admin",  # a site administrator
]
PDF = b"%PDF-1.4 test"
PNG = (  # a 1×1 PNG
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc```\x00\x00\x00\x04\x00\x01\xf6\x178U\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def row(*statuses) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


#              anon editor viewer outsider other_ed reviewer other_rev admin
SEE = row(302, 200, 200, 404, 404, 200, 404, 200)
EDIT = row(302, 200, 404, 404, 404, 404, 404, 404)
EDIT_POST = row(302, 302, 404, 404, 404, 404, 404, 404)
# Refused actions on a plan one sees come back to the plan page with a message.
ACT_POST = row(302, 302, 302, 404, 404, 302, 404, 302)
SURVEY_POST = row(302, 302, 403, 404, 404, 403, 404, 403)
CREATE = row(302, 200, 403, 403, 200, 403, 403, 403)
SIGNED_IN = row(302, 200, 200, 200, 200, 200, 200, 200)
ADMIN = row(302, 404, 404, 404, 404, 404, 404, 200)
QUEUE = row(302, 404, 404, 404, 404, 200, 200, 200)
PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200)


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    """PDF rendering takes a second or two; the matrix asks who gets one, not what is in it."""
    for name, module in list(sys.modules.items()):
        if (name == "reports" or name.startswith("reports.")) and hasattr(
            module, "render_plan_pdf"
        ):
            monkeypatch.setattr(module, "render_plan_pdf", lambda **kwargs: PDF)


@pytest.fixture
def world(demo_document, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = plan_import(document=demo_document("chiller-individual.json"))
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    plan.refresh_from_db()
    users = {"anonymous": None, "admin": UserFactory(is_superuser=True, is_staff=True)}
    users["outsider"] = UserFactory(username="outsider")
    for role, organisation, membership in [
        ("editor", plan.organisation, Membership.Role.EDITOR),
        ("viewer", plan.organisation, Membership.Role.VIEWER),
        ("other_editor", OrganisationFactory(), Membership.Role.EDITOR),
        ("reviewer", authority, Membership.Role.REVIEWER),
        ("other_reviewer", OrganisationFactory(authority=True), Membership.Role.REVIEWER),
    ]:
        users[role] = UserFactory(username=role)
        MembershipFactory(user=users[role], organisation=organisation, role=membership)
    plan_transition(plan=plan, user=users["editor"], name="submit")
    plan_transition(plan=plan, user=users["reviewer"], name="start_review")
    plan = plan_transition(
        plan=plan, user=users["reviewer"], name="request_changes", comment="請修正"
    )
    attachment = Attachment.objects.create(
        plan=plan,
        label="附件一",
        description="x",
        file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    )
    figure = figure_add(plan=plan, slot="before_after", caption="示意圖", content=PNG)
    programme = Programme.objects.create(authority=authority, title="設備汰換方案", version="1")
    export = ProgrammeExport.objects.create(
        programme=programme,
        requested_by=users["admin"],
        status=ProgrammeExport.Status.DONE,
        file=ContentFile(b"PK\x05\x06" + bytes(18), name="programme.zip"),
    )
    tier = plan.stakeholder_tiers.first()
    StakeholderTier.objects.filter(pk=tier.pk).update(copies_sent=10)  # room for online answers
    link = SurveyLink.objects.create(tier=tier)
    return {
        "plan": plan,
        "users": users,
        "attachment": attachment,
        "figure": figure,
        "thread": ReviewComment.objects.get(parent=None),
        "programme": programme,
        "export": export,
        "link": link,
    }


def client_for(world, role) -> Client:
    client = Client()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    return client


def plan_url(name, *args):
    return lambda w: reverse(name, args=[w["plan"].pk, *args])


def fresh_plan(w) -> Plan:
    return Plan.objects.get(pk=w["plan"].pk)


# -- what each POST could change ---------------------------------------------------


def title(w):
    return fresh_plan(w).title


def plan_count(w):
    return Plan.objects.count()


def attachment_labels(w):
    return sorted(Attachment.objects.values_list("label", flat=True))


def status(w):
    return (fresh_plan(w).status, PlanVersion.objects.count())


def comments(w):
    return sorted(ReviewComment.objects.values_list("text", "resolved_at"), key=str)


def tallies(w):
    return sorted(
        PaperTally.objects.values_list("tier", "question", "option", "yes", "no", "count")
    )


def survey_state(w):
    plan = fresh_plan(w)
    return (
        plan.survey_open,
        StakeholderTier.objects.filter(plan=plan).count(),
        plan.questions.count(),
        sorted(SurveyLink.objects.values_list("tier", "token")),
    )


def exports(w):
    return ProgrammeExport.objects.count()


# -- what each POST sends ----------------------------------------------------------


def basic_data(w):
    data = editor_data(BasicEditor(fresh_plan(w)))
    data["plan-title"] = "changed"
    return data


def create_data(w):
    # The applicant organisation's: only its own editors may create a plan in it.
    return {
        "organisation": w["plan"].organisation_id,
        "type": Plan.Type.INDIVIDUAL,
        "authority": w["plan"].authority_id,
        "title": "新計畫",
        "technology": Plan.Technology.CHILLER,
    }


def document_file(title_text):
    def data(w):
        document = plan_document(fresh_plan(w))
        document["plan"]["title"] = title_text
        return {
            "organisation": w["plan"].organisation_id,
            "document": SimpleUploadedFile("p.json", json.dumps(document).encode()),
        }

    return data


def upload_data(w):
    return {
        "label": "附件二",
        "description": "y",
        "file": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
    }


def figure_data(w):
    return {
        "slot": "equipment",
        "caption": "設備照片",
        "image": SimpleUploadedFile("c.png", PNG, content_type="image/png"),
    }


def figure_captions(w):
    return sorted(PlanFigure.objects.values_list("caption", flat=True))


def tally_data(w):
    data = dict(form_items(_tally_form(fresh_plan(w))))
    first_yes = next(name for name in data if name.endswith("-yes"))
    data[first_yes] = str(int(data[first_yes] or 0) - 1)
    return data


def never_submitted_draft(w):
    """A second plan of the organisation, never submitted: the only kind one may delete."""
    w["draft"] = plan_import(
        document=plan_document(fresh_plan(w)), organisation=w["plan"].organisation
    )


def draft_url(w):
    return reverse("projects:plan_delete", args=[w["draft"].pk])


def project_number(w):
    return fresh_plan(w).project_number


def registered(w):
    """The plan (approved by the case's state) registered today by its authority."""
    register_plan(fresh_plan(w), by=w["users"]["reviewer"], registered_on=timezone.localdate())


def registration_data(w):
    return {"registered_on": timezone.localdate().isoformat()}


def registry_detail_url(w):
    return reverse("projects:registry_detail", args=[w["plan"].pk])


# -- monitoring reports (projects.monitoring) -----------------------------------------
# A draft report is its applicant's: editors write it, read-only members read it, the
# authority and verification bodies see it only once submitted; administrators see all.
SEE_REPORT = row(302, 200, 200, 404, 404, 404, 404, 200)
EDIT_REPORT = row(302, 302, 404, 404, 404, 404, 404, 404)


def with_report(w):
    """The plan registered today, with a draft report 1 for today and one piece of evidence."""
    from projects.monitoring import entry

    registered(w)
    plan = fresh_plan(w)
    today = plan.registered_crediting_start
    w["report"] = entry.report_start(
        plan, by=w["users"]["editor"], period_start=today, period_end=today
    )
    w["evidence"] = entry.attachment_add(
        report=w["report"],
        user=w["users"]["editor"],
        label="佐證一",
        description="電錶讀數",
        file=SimpleUploadedFile("m.pdf", PDF, content_type="application/pdf"),
    )


def report_url(name, *args):
    return lambda w: reverse(name, args=[w["report"].pk, *args])


def evidence_url(name):
    return lambda w: reverse(name, args=[w["report"].pk, w["evidence"].pk])


def reports(w):
    return sorted(MonitoringReport.objects.values_list("number", "status", "revision"))


def evidence(w):
    return sorted(w["report"].attachments.values_list("label", flat=True))


def report_period_data(w):
    end = fresh_plan(w).registered_crediting_end
    return {"period_start": end.isoformat(), "period_end": end.isoformat()}


def report_new_period_data(w):
    """The last day of the crediting period: another year than today's report, free."""
    end = fresh_plan(w).registered_crediting_end
    revision = MonitoringReport.objects.get(pk=w["report"].pk).revision
    return {"period_start": end.isoformat(), "period_end": end.isoformat(), "revision": revision}


def report_editor_data(w):
    from projects.monitoring.editor import ReportEditor

    data = editor_data(ReportEditor(MonitoringReport.objects.get(pk=w["report"].pk)))
    data["baseline-groups-0-hours"] = "1"
    return data


def report_document_file(w):
    from projects.monitoring.services import report_document

    report = MonitoringReport.objects.get(pk=w["report"].pk)
    document = report_document(report)
    month = report.period_start.strftime("%Y-%m")
    document["monitoring"]["baseline"]["groups"][0]["hours"] = "1"
    for group in document["monitoring"]["project"]["groups"]:
        group["periods"] = [{"period": month, "energy_kwh": "1"}]
    return {"document": SimpleUploadedFile("r.json", json.dumps(document).encode())}


def report_submit_data(w):
    body = Organisation.objects.create(name="查驗機構", kind=Organisation.Kind.VERIFIER)
    return {"verification_body": body.pk}


def with_submitted_report(w):
    """with_report, its figures entered (this year's factor given in the document, as
    it is not published yet) and frozen as version 1, submitted for verification."""
    from methodologies.engine import calculate_monitoring, parse_monitoring_document
    from methodologies.reference import reference_from_snapshot
    from projects.monitoring.entry import monitoring_reference_snapshot
    from projects.monitoring.models import MonitoringReportVersion
    from projects.monitoring.services import report_document

    with_report(w)
    report = MonitoringReport.objects.get(pk=w["report"].pk)
    document = report_document(report)
    month = report.period_start.strftime("%Y-%m")
    document["monitoring"]["emission_factor"]["value"] = "0.474"
    document["monitoring"]["baseline"]["groups"][0]["hours"] = "1"
    for group in document["monitoring"]["project"]["groups"]:
        group["periods"] = [{"period": month, "energy_kwh": "1"}]
    reference = monitoring_reference_snapshot(document)
    results = calculate_monitoring(
        parse_monitoring_document(document, reference_from_snapshot(reference))
    ).to_json()
    version = MonitoringReportVersion.objects.create(
        report=report,
        number=1,
        document=document,
        results=results,
        reduction_tco2e=int(results["reduction_tco2e"]),
        reference=reference,
        created_by=w["users"]["editor"],
    )
    MonitoringReport.objects.filter(pk=report.pk).update(
        status=MonitoringReport.Status.SUBMITTED, current_version=version
    )


def without_questions(w):
    """The template adds questions only where the plan has none."""
    fresh_plan(w).questions.all().delete()


@dataclass
class Case:
    name: str  # the URL name
    url: Callable
    expected: dict[str, int]
    method: str = "get"
    data: Callable | None = None
    probe: Callable | None = None  # what a POST could change
    changes: set[str] = field(default_factory=set)  # who changes it
    state: str | None = None  # the plan's status for this case
    survey_open: bool = False
    label: str = ""
    setup: Callable | None = None  # anything else this case needs first

    @property
    def id(self):
        return "-".join(filter(None, [self.name, self.method, self.label, self.state]))


def transition_case(name, state, allowed):
    return Case(
        "projects:transition",
        plan_url("projects:transition", name),
        ACT_POST,
        "post",
        # The plan has an open comment: approving it needs this confirmation.
        lambda w: {"comment": "理由", "confirm_open_comments": "1"},
        status,
        allowed,
        state=state,
        label=name,
    )


def report_case(name, url, expected, method="get", data=None, probe=None, changes=None, label=""):
    return Case(
        name,
        url,
        expected,
        method,
        data,
        probe,
        changes or set(),
        state="approved",
        setup=with_report,
        label=label,
    )


MONITORING = [
    report_case(
        "projects:monitoring_create",
        plan_url("projects:monitoring_create"),
        row(302, 200, 404, 404, 404, 404, 404, 404),
    ),
    report_case(
        "projects:monitoring_create",
        plan_url("projects:monitoring_create"),
        EDIT_REPORT,
        "post",
        report_period_data,
        reports,
        {"editor"},
    ),
    report_case("projects:monitoring_report", report_url("projects:monitoring_report"), SEE_REPORT),
    report_case(
        "projects:monitoring_period",
        report_url("projects:monitoring_period"),
        EDIT_REPORT,
        "post",
        report_new_period_data,
        reports,
        {"editor"},
    ),
    report_case("projects:monitoring_edit", report_url("projects:monitoring_edit"), SEE_REPORT),
    report_case(
        "projects:monitoring_edit",
        report_url("projects:monitoring_edit"),
        EDIT_REPORT,
        "post",
        report_editor_data,
        reports,
        {"editor"},
    ),
    report_case(
        "projects:monitoring_preview",
        report_url("projects:monitoring_preview"),
        row(302, 200, 404, 404, 404, 404, 404, 404),
        "post",
        report_editor_data,
        reports,
    ),
    report_case(
        "projects:monitoring_attachments", report_url("projects:monitoring_attachments"), SEE_REPORT
    ),
    report_case(
        "projects:monitoring_attachments",
        report_url("projects:monitoring_attachments"),
        EDIT_REPORT,
        "post",
        upload_data,
        evidence,
        {"editor"},
    ),
    report_case(
        "projects:monitoring_attachment_download",
        evidence_url("projects:monitoring_attachment_download"),
        SEE_REPORT,
    ),
    report_case(
        "projects:monitoring_attachment_delete",
        evidence_url("projects:monitoring_attachment_delete"),
        EDIT_REPORT,
        "post",
        lambda w: {},
        evidence,
        {"editor"},
    ),
    report_case("projects:monitoring_export", report_url("projects:monitoring_export"), SEE_REPORT),
    report_case(
        "projects:monitoring_replace",
        report_url("projects:monitoring_replace"),
        row(302, 200, 404, 404, 404, 404, 404, 404),
    ),
    report_case(
        "projects:monitoring_replace",
        report_url("projects:monitoring_replace"),
        EDIT_REPORT,
        "post",
        report_document_file,
        reports,
        {"editor"},
    ),
    # The 監測報告書 PDF (reports): a draft whose year's factor is not published yet
    # sends its members back to the report page; a submitted one is its frozen version.
    report_case(
        "reports:monitoring_pdf",
        report_url("reports:monitoring_pdf"),
        row(302, 302, 302, 404, 404, 404, 404, 302),
        label="draft",
    ),
    Case(
        "reports:monitoring_pdf",
        report_url("reports:monitoring_pdf"),
        SEE,
        state="approved",
        setup=with_submitted_report,
        label="submitted",
    ),
    Case(
        "reports:monitoring_version_pdf",
        report_url("reports:monitoring_version_pdf", 1),
        SEE,
        state="approved",
        setup=with_submitted_report,
    ),
    # Refused for the editor too (the factor of this year is not published yet): back
    # to the report page with the reason, nothing changed.
    report_case(
        "projects:monitoring_submit",
        report_url("projects:monitoring_submit"),
        EDIT_REPORT,
        "post",
        report_submit_data,
        reports,
    ),
]


MATRIX = [
    Case("projects:plan_list", lambda w: reverse("projects:plan_list"), SIGNED_IN),
    Case("projects:plan_create", lambda w: reverse("projects:plan_create"), CREATE),
    Case(
        "projects:plan_create",
        lambda w: reverse("projects:plan_create"),
        row(302, 302, 403, 403, 200, 403, 403, 403),
        "post",
        create_data,
        plan_count,
        {"editor"},
    ),
    Case("projects:plan_import", lambda w: reverse("projects:plan_import"), CREATE),
    Case(
        "projects:plan_import",
        lambda w: reverse("projects:plan_import"),
        row(302, 302, 403, 403, 200, 403, 403, 403),
        "post",
        document_file("imported"),
        plan_count,
        {"editor"},
    ),
    Case("projects:plan_detail", plan_url("projects:plan_detail"), SEE),
    Case("projects:plan_export", plan_url("projects:plan_export"), SEE),
    Case("projects:plan_replace", plan_url("projects:plan_replace"), EDIT),
    Case(
        "projects:plan_replace",
        plan_url("projects:plan_replace"),
        EDIT_POST,
        "post",
        document_file("replaced"),
        title,
        {"editor"},
    ),
    Case(
        "projects:plan_replace",
        plan_url("projects:plan_replace"),
        row(302, 404, 404, 404, 404, 404, 404, 404),
        "post",
        document_file("replaced"),
        title,
        state="submitted",
    ),
    Case("projects:plan_delete", draft_url, EDIT, setup=never_submitted_draft, label="draft"),
    Case(
        "projects:plan_delete",
        draft_url,
        EDIT_POST,
        "post",
        lambda w: {},
        plan_count,
        {"editor"},
        setup=never_submitted_draft,
        label="draft",
    ),
    # A plan submitted once (here: changes requested) is a record: nobody deletes it.
    Case(
        "projects:plan_delete",
        plan_url("projects:plan_delete"),
        row(302, 404, 404, 404, 404, 404, 404, 404),
        "post",
        lambda w: {},
        plan_count,
    ),
    Case("projects:section", plan_url("projects:section", "basic"), SEE, label="basic"),
    Case(
        "projects:section",
        plan_url("projects:section", "calculation"),
        SEE,
        label="calculation",
    ),
    Case(
        "projects:section",
        plan_url("projects:section", "basic"),
        EDIT_POST,
        "post",
        basic_data,
        title,
        {"editor"},
    ),
    Case(
        "projects:section",
        plan_url("projects:section", "basic"),
        row(302, 409, 404, 404, 404, 404, 404, 404),
        "post",
        basic_data,
        title,
        state="submitted",
    ),
    Case(
        "projects:preview",
        plan_url("projects:preview", "basic"),
        EDIT,
        "post",
        basic_data,
        title,
    ),
    Case("projects:attachments", plan_url("projects:attachments"), SEE),
    Case(
        "projects:attachments",
        plan_url("projects:attachments"),
        EDIT_POST,
        "post",
        upload_data,
        attachment_labels,
        {"editor"},
    ),
    Case(
        "projects:attachments",
        plan_url("projects:attachments"),
        row(302, 404, 404, 404, 404, 404, 404, 404),
        "post",
        upload_data,
        attachment_labels,
        state="submitted",
    ),
    Case(
        "projects:attachment_download",
        lambda w: reverse("projects:attachment_download", args=[w["plan"].pk, w["attachment"].pk]),
        SEE,
    ),
    Case(
        "projects:attachment_delete",
        lambda w: reverse("projects:attachment_delete", args=[w["plan"].pk, w["attachment"].pk]),
        EDIT_POST,
        "post",
        lambda w: {},
        attachment_labels,
        {"editor"},
    ),
    Case(
        "projects:figure_add",
        plan_url("projects:figure_add"),
        EDIT_POST,
        "post",
        figure_data,
        figure_captions,
        {"editor"},
    ),
    Case(
        "projects:figure_add",
        plan_url("projects:figure_add"),
        row(302, 404, 404, 404, 404, 404, 404, 404),
        "post",
        figure_data,
        figure_captions,
        state="submitted",
    ),
    Case(
        "projects:figure_image",
        lambda w: reverse("projects:figure_image", args=[w["plan"].pk, w["figure"].pk]),
        SEE,
    ),
    Case(
        "projects:figure_delete",
        lambda w: reverse("projects:figure_delete", args=[w["plan"].pk, w["figure"].pk]),
        EDIT_POST,
        "post",
        lambda w: {},
        figure_captions,
        {"editor"},
    ),
    Case(
        "projects:figure_delete",
        lambda w: reverse("projects:figure_delete", args=[w["plan"].pk, w["figure"].pk]),
        row(302, 404, 404, 404, 404, 404, 404, 404),
        "post",
        lambda w: {},
        figure_captions,
        state="submitted",
    ),
    Case("projects:survey", plan_url("projects:survey"), SEE),
    Case(
        "projects:survey",
        plan_url("projects:survey"),
        EDIT_POST,
        "post",
        tally_data,
        tallies,
        {"editor"},
    ),
    Case(
        "projects:survey",
        plan_url("projects:survey"),
        row(302, 404, 404, 404, 404, 404, 404, 404),
        "post",
        tally_data,
        tallies,
        state="submitted",
    ),
    *[
        Case(
            "projects:survey_action",
            plan_url("projects:survey_action", action),
            SURVEY_POST,
            "post",
            lambda w: {},
            survey_state,
            {"editor"},
            survey_open=action == "close",
            label=action,
            setup=without_questions if action == "template" else None,
        )
        for action in ("open", "close", "template")
    ],
    # Not while the reviewers hold the plan.
    *[
        Case(
            "projects:survey_action",
            plan_url("projects:survey_action", action),
            row(302, 403, 403, 404, 404, 403, 404, 403),
            "post",
            lambda w: {},
            survey_state,
            state="submitted",
            survey_open=action == "close",
            label=action,
            setup=without_questions if action == "template" else None,
        )
        for action in ("open", "close", "template")
    ],
    Case(
        "projects:public_survey",
        lambda w: reverse("projects:public_survey", args=[w["link"].token]),
        PUBLIC,
        survey_open=True,
    ),
    transition_case("submit", "changes_requested", {"editor"}),
    transition_case("withdraw", "submitted", {"editor"}),
    transition_case("start_review", "submitted", {"reviewer"}),
    transition_case("request_changes", "under_review", {"reviewer"}),
    transition_case("approve", "under_review", {"reviewer"}),
    transition_case("reject", "under_review", {"reviewer"}),
    Case(
        "projects:comment_add",
        plan_url("projects:comment_add"),
        ACT_POST,
        "post",
        lambda w: {"section": "basic", "text": "新意見"},
        comments,
        {"reviewer"},
        label="thread",
    ),
    Case(
        "projects:comment_add",
        plan_url("projects:comment_add"),
        ACT_POST,
        "post",
        lambda w: {"section": "basic", "text": "回覆", "parent": w["thread"].pk},
        comments,
        {"reviewer", "editor"},
        label="reply",
    ),
    Case(
        "projects:comment_resolve",
        lambda w: reverse("projects:comment_resolve", args=[w["plan"].pk, w["thread"].pk]),
        ACT_POST,
        "post",
        lambda w: {},
        comments,
        {"reviewer"},
    ),
    Case("projects:history", plan_url("projects:history"), SEE),
    Case("projects:compare", plan_url("projects:compare"), SEE),
    Case("projects:version_document", plan_url("projects:version_document", 1), SEE),
    Case("reports:draft_pdf", plan_url("reports:draft_pdf"), SEE),
    Case("reports:version_pdf", plan_url("reports:version_pdf", 1), SEE),
    # Registration: the plan's authority (its reviewers) and site administrators,
    # once the plan is approved; the registry is public.
    Case(
        "projects:plan_register",
        plan_url("projects:plan_register"),
        row(302, 404, 404, 404, 404, 200, 404, 200),
        state="approved",
    ),
    Case(
        "projects:plan_register",
        plan_url("projects:plan_register"),
        row(302, 404, 404, 404, 404, 302, 404, 302),
        "post",
        registration_data,
        project_number,
        {"reviewer", "admin"},
        state="approved",
    ),
    # Not approved: the authority is sent back to the plan page with the reason.
    Case(
        "projects:plan_register",
        plan_url("projects:plan_register"),
        row(302, 404, 404, 404, 404, 302, 404, 302),
        "post",
        registration_data,
        project_number,
    ),
    Case("projects:registry", lambda w: reverse("projects:registry"), PUBLIC),
    Case(
        "projects:registry_detail",
        registry_detail_url,
        PUBLIC,
        state="approved",
        setup=registered,
        label="registered",
    ),
    Case(
        "projects:registry_detail",
        registry_detail_url,
        row(404, 404, 404, 404, 404, 404, 404, 404),
        state="approved",
        label="unregistered",
    ),
    Case("projects:review_queue", lambda w: reverse("projects:review_queue"), QUEUE),
    Case("projects:programme_list", lambda w: reverse("projects:programme_list"), SIGNED_IN),
    Case(
        "projects:programme_detail",
        lambda w: reverse("projects:programme_detail", args=[w["programme"].pk]),
        SIGNED_IN,
    ),
    Case(
        "reports:programme_exports",
        lambda w: reverse("reports:programme_exports", args=[w["programme"].pk]),
        ADMIN,
    ),
    Case(
        "reports:programme_exports",
        lambda w: reverse("reports:programme_exports", args=[w["programme"].pk]),
        row(302, 404, 404, 404, 404, 404, 404, 302),
        "post",
        lambda w: {},
        exports,
        {"admin"},
    ),
    Case(
        "reports:export_download",
        lambda w: reverse("reports:export_download", args=[w["export"].pk]),
        ADMIN,
    ),
    *MONITORING,
]


def url_names(resolver=None, namespace=""):
    """Every named URL, with its namespaces, walking the resolver recursively."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif pattern.name:
            yield namespace + pattern.name


def test_every_url_is_in_the_matrix():
    """The credit registry's URLs are in its own matrix (tests/projects/test_credits.py)."""
    from tests.projects.test_credits import MATRIX as CREDIT_MATRIX

    names = {name for name in url_names() if name.startswith(("projects:", "reports:", "credits:"))}
    assert len(names) > 20
    covered = (
        {case.name for case in MATRIX}
        | {case.name for case in VERIFICATION_MATRIX}
        | {f"credits:{case[0]}" for case in CREDIT_MATRIX}
    )
    assert names - covered == set()


def test_every_transition_is_in_the_matrix():
    assert {c.label for c in MATRIX if c.name == "projects:transition"} == set(TRANSITIONS)


@pytest.mark.parametrize("case", MATRIX, ids=[case.id for case in MATRIX])
def test_each_role_gets_exactly_what_the_rules_allow(world, case):
    updates = {"survey_open": case.survey_open}
    if case.state:
        updates["status"] = case.state
    Plan.objects.filter(pk=world["plan"].pk).update(**updates)
    if case.setup:
        case.setup(world)
    got, changed = {}, set()
    for role in ROLES:
        # Each role starts from the same world: its changes are rolled back.
        savepoint = transaction.savepoint()
        try:
            client = client_for(world, role)
            before = case.probe(world) if case.probe else None
            if case.method == "get":
                response = client.get(case.url(world))
            else:
                response = client.post(case.url(world), case.data(world))
            if response.streaming:  # read it to the end, which closes the file
                b"".join(response.streaming_content)
            got[role] = response.status_code
            if case.probe and case.probe(world) != before:
                changed.add(role)
        finally:
            transaction.savepoint_rollback(savepoint)
    assert got == case.expected
    assert changed == case.changes


def test_a_withdrawn_plan_is_invisible_to_its_reviewers_again(world):
    plan, users = world["plan"], world["users"]
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CHANGES_REQUESTED)
    plan_transition(plan=fresh_plan(world), user=users["editor"], name="submit")
    reviewer = client_for(world, "reviewer")
    assert reviewer.get(reverse("projects:plan_detail", args=[plan.pk])).status_code == 200
    assert [p.pk for p in reviewer.get(reverse("projects:review_queue")).context["page"]] == [
        plan.pk
    ]

    plan_transition(plan=fresh_plan(world), user=users["editor"], name="withdraw")

    assert fresh_plan(world).status == Plan.Status.DRAFT
    for name, args in [
        ("projects:plan_detail", []),
        ("projects:history", []),
        ("projects:version_document", [2]),
        ("reports:version_pdf", [2]),
        ("reports:draft_pdf", []),
    ]:
        response = reviewer.get(reverse(name, args=[plan.pk, *args]))
        assert response.status_code == 404, name
    response = reviewer.post(
        reverse("projects:comment_add", args=[plan.pk]), {"section": "basic", "text": "仍可見"}
    )
    assert response.status_code == 404
    assert not ReviewComment.objects.filter(text="仍可見").exists()
    assert list(reviewer.get(reverse("projects:review_queue")).context["page"]) == []
    assert list(Plan.objects.reviewable_by(users["reviewer"])) == []
    # The applicant still has it, and submitting it again brings it back.
    editor = client_for(world, "editor")
    assert editor.get(reverse("projects:plan_detail", args=[plan.pk])).status_code == 200
    plan_transition(plan=fresh_plan(world), user=users["editor"], name="submit")
    assert reviewer.get(reverse("projects:plan_detail", args=[plan.pk])).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_never_submitted_draft_is_hidden_from_reviewers(world, demo_document, role):
    draft = plan_import(
        document=demo_document("chiller-individual.json"), organisation=world["plan"].organisation
    )
    Plan.objects.filter(pk=draft.pk).update(authority=world["plan"].authority)
    response = client_for(world, role).get(reverse("projects:plan_detail", args=[draft.pk]))
    expected = {"anonymous": 302, "editor": 200, "viewer": 200, "admin": 200}.get(role, 404)
    assert response.status_code == expected


def test_a_sub_project_is_reviewed_by_its_programmes_authority_alone(world, demo_document):
    """Another authority named on a sub-project does not make its reviewers see it."""
    plan = fresh_plan(world)
    other = Organisation.objects.get(membership__user=world["users"]["other_reviewer"])
    Plan.objects.filter(pk=plan.pk).update(
        type=Plan.Type.SUB_PROJECT, programme=world["programme"], authority=other
    )
    assert client_for(world, "reviewer").get(plan.get_absolute_url()).status_code == 200
    assert client_for(world, "other_reviewer").get(plan.get_absolute_url()).status_code == 404


def listed(response, key):
    return [plan.pk for plan in response.context[key]]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_lists_show_each_role_only_the_plans_it_sees(world, role):
    plan = fresh_plan(world)
    Plan.objects.filter(pk=plan.pk).update(type=Plan.Type.SUB_PROJECT, programme=world["programme"])
    client = client_for(world, role)
    sees = SEE[role] == 200
    assert listed(client.get(reverse("projects:plan_list")), "plans") == ([plan.pk] * sees)
    detail = client.get(reverse("projects:programme_detail", args=[world["programme"].pk]))
    assert listed(detail, "page") == ([plan.pk] * sees)
    if QUEUE[role] == 200:
        queue = client.get(reverse("projects:review_queue"))
        assert listed(queue, "page") == ([plan.pk] * (role in ("reviewer", "admin")))


def test_the_admin_cannot_change_a_submitted_version(world):
    version = PlanVersion.objects.get()
    client = client_for(world, "admin")
    url = f"/admin/projects/planversion/{version.pk}/change/"
    response = client.post(url, {"number": 9, "document": "{}", "results": "{}"})
    assert response.status_code in (403, 404)
    version.refresh_from_db()
    assert version.number == 1


@pytest.mark.parametrize("state", ["submitted", "under_review", "approved", "rejected"])
def test_nobody_edits_a_plan_while_it_is_with_the_reviewers_or_decided(world, state):
    Plan.objects.filter(pk=world["plan"].pk).update(status=state)
    for role in ROLES:
        response = client_for(world, role).post(
            reverse("projects:section", args=[world["plan"].pk, "basic"]), basic_data(world)
        )
        assert response.status_code in (302, 404, 409), role
        assert title(world) != "changed", role


# -- monitoring reports: MonitoringReportQuerySet.visible_to ---------------------------

REPORT_VIEWERS = {
    # role: (sees a draft, sees it once submitted)
    "anonymous": (False, False),
    "editor": (True, True),
    "viewer": (True, True),
    "outsider": (False, False),
    "other_editor": (False, False),
    "reviewer": (False, True),
    "other_reviewer": (False, False),
    "verifier": (False, True),  # of the verification body named on the report
    "other_verifier": (False, False),  # of another verification body
    "admin": (True, True),
}


@pytest.mark.parametrize("state", ["draft", "submitted", "approved"])
@pytest.mark.parametrize("role", list(REPORT_VIEWERS))
def test_monitoring_reports_are_visible_to_exactly_whom_the_rules_say(world, role, state):
    from django.contrib.auth.models import AnonymousUser

    users = world["users"]
    Plan.objects.filter(pk=world["plan"].pk).update(status=Plan.Status.APPROVED)
    register_plan(fresh_plan(world), by=users["reviewer"], registered_on=timezone.localdate())
    today = timezone.localdate()
    report = create_report(
        fresh_plan(world), by=users["editor"], period_start=today, period_end=today
    )
    bodies = {}
    for name in ("verifier", "other_verifier"):
        bodies[name] = OrganisationFactory(kind=Organisation.Kind.VERIFIER)
        users[name] = UserFactory(username=name)
        MembershipFactory(
            user=users[name], organisation=bodies[name], role=Membership.Role.VERIFIER
        )
    MonitoringReport.objects.filter(pk=report.pk).update(
        verification_body=bodies["verifier"], status=state
    )
    user = users[role] or AnonymousUser()

    sees = MonitoringReport.objects.visible_to(user).filter(pk=report.pk).exists()

    assert sees == REPORT_VIEWERS[role][state != "draft"]
    assert MonitoringReport.objects.assigned_to(user).filter(pk=report.pk).exists() == (
        role == "verifier" and state != "draft"
    )


# -- verification and review of monitoring reports (projects.monitoring.verification) --
# A report submitted to a verification body: the applicant's members read it, the
# named body's verifiers verify it, the plan's authority decides once it is verified;
# verifiers of another body and reviewers of another authority get 404.

V_ROLES = [
    "anonymous",
    "editor",
    "viewer",
    "other_editor",
    "reviewer",  # of the plan's authority
    "other_reviewer",  # of another authority
    "verifier",  # of the verification body named on the report
    "other_verifier",  # of another verification body
    "admin",
]


def vrow(*statuses) -> dict[str, int]:
    return dict(zip(V_ROLES, statuses, strict=True))


#                      anon ed  view oth_ed rev oth_rev ver oth_ver admin
SEE_SUBMITTED = vrow(302, 200, 200, 404, 200, 404, 200, 404, 200)
# Actions on a report one sees: refused ones come back to the review page (302).
ACT_ON_REPORT = vrow(302, 302, 302, 404, 302, 404, 302, 404, 302)
# The verifier's writes: 404 for anyone but a verifier of the named body.
VERIFIER_POST = vrow(302, 404, 404, 404, 404, 404, 302, 404, 404)
MONITORING_QUEUE = vrow(302, 404, 404, 404, 200, 200, 200, 200, 200)


@pytest.fixture
def verification_world(demo_document, settings, tmp_path):
    from tests.projects.monitoring_helpers import registered_chiller
    from tests.projects.verification_helpers import (
        other_reviewer,
        other_verifier,
        submitted_report,
    )

    settings.MEDIA_ROOT = tmp_path
    people = registered_chiller(demo_document("chiller-individual.json"))
    report = submitted_report(people)
    users = {
        "anonymous": None,
        "editor": people.editor,
        "viewer": people.viewer,
        "other_editor": people.outsider,
        "reviewer": people.reviewer,
        "other_reviewer": other_reviewer(),
        "verifier": people.verifier,
        "other_verifier": other_verifier(),
        "admin": people.admin,
    }
    return {"people": people, "report": report, "users": users}


def _fresh_report(w):
    return MonitoringReport.objects.get(pk=w["report"].pk)


def ready_to_complete(w):
    """The verified reduction recorded and the statement attached."""
    from projects.monitoring import verification
    from tests.projects.verification_helpers import statement_file

    report = _fresh_report(w)
    verifier = w["users"]["verifier"]
    verification.record_verified_reduction(
        report, by=verifier, value=report.current_version.reduction_tco2e
    )
    verification.attach_statement(_fresh_report(w), by=verifier, file=statement_file())


def verified(w):
    from projects.monitoring import verification

    ready_to_complete(w)
    verification.report_transition(
        report=_fresh_report(w), user=w["users"]["verifier"], name="complete_verification"
    )


def with_thread(w):
    from projects.monitoring import verification

    w["thread"] = verification.comment_add(
        report=_fresh_report(w),
        user=w["users"]["verifier"],
        section="monitoring",
        field="",
        text="請附電錶照片",
    )


def report_state(w):
    from projects.credits.models import CreditIssuance

    report = _fresh_report(w)
    return (report.status, report.verified_reduction_tco2e, CreditIssuance.objects.count())


def statements(w):
    return _fresh_report(w).attachments.filter(kind="verification_statement").count()


def report_comments(w):
    from projects.monitoring.models import MonitoringComment

    return sorted(MonitoringComment.objects.values_list("text", "resolved_at"), key=str)


def vurl(name, *args):
    return lambda w: reverse(name, args=[w["report"].pk, *args])


def statement_data(w):
    from tests.projects.verification_helpers import statement_file

    return {"file": statement_file(), "description": "查證總結報告"}


def v_transition(name, setup, changes, data=None):
    return Case(
        "projects:monitoring_transition",
        vurl("projects:monitoring_transition", name),
        ACT_ON_REPORT,
        "post",
        data or (lambda w: {}),
        report_state,
        changes,
        label=name,
        setup=setup,
    )


VERIFICATION_MATRIX = [
    Case(
        "projects:monitoring_queue",
        lambda w: reverse("projects:monitoring_queue"),
        MONITORING_QUEUE,
    ),
    Case("projects:monitoring_review", vurl("projects:monitoring_review"), SEE_SUBMITTED),
    Case("projects:monitoring_history", vurl("projects:monitoring_history"), SEE_SUBMITTED),
    Case("projects:monitoring_compare", vurl("projects:monitoring_compare"), SEE_SUBMITTED),
    Case(
        "projects:monitoring_version_document",
        vurl("projects:monitoring_version_document", 1),
        SEE_SUBMITTED,
    ),
    # The applicant's report pages once submitted: read by whoever sees the report.
    Case("projects:monitoring_report", vurl("projects:monitoring_report"), SEE_SUBMITTED),
    Case(
        "projects:monitoring_verified_reduction",
        vurl("projects:monitoring_verified_reduction"),
        VERIFIER_POST,
        "post",
        lambda w: {"verified_reduction_tco2e": "1"},
        report_state,
        {"verifier"},
    ),
    Case(
        "projects:monitoring_statement",
        vurl("projects:monitoring_statement"),
        VERIFIER_POST,
        "post",
        statement_data,
        statements,
        {"verifier"},
    ),
    v_transition("start_verification", None, {"verifier"}),
    v_transition("return_to_applicant", None, {"verifier"}, lambda w: {"comment": "請補件"}),
    v_transition("complete_verification", ready_to_complete, {"verifier"}),
    v_transition("request_changes", verified, {"reviewer"}, lambda w: {"comment": "請修正"}),
    v_transition("approve", verified, {"reviewer"}),
    Case(
        "projects:monitoring_comment_add",
        vurl("projects:monitoring_comment_add"),
        ACT_ON_REPORT,
        "post",
        lambda w: {"section": "monitoring", "text": "新意見"},
        report_comments,
        {"verifier"},
        label="thread",
    ),
    Case(
        "projects:monitoring_comment_add",
        vurl("projects:monitoring_comment_add"),
        ACT_ON_REPORT,
        "post",
        lambda w: {"section": "general", "text": "回覆", "parent": w["thread"].pk},
        report_comments,
        {"verifier", "editor"},
        label="reply",
        setup=with_thread,
    ),
    Case(
        "projects:monitoring_comment_resolve",
        lambda w: reverse(
            "projects:monitoring_comment_resolve", args=[w["report"].pk, w["thread"].pk]
        ),
        ACT_ON_REPORT,
        "post",
        lambda w: {},
        report_comments,
        {"verifier"},
        setup=with_thread,
    ),
    # Once verified, the authority comments and the verifier no longer does.
    Case(
        "projects:monitoring_comment_add",
        vurl("projects:monitoring_comment_add"),
        ACT_ON_REPORT,
        "post",
        lambda w: {"section": "calculation", "text": "主管機關意見"},
        report_comments,
        {"reviewer"},
        label="verified-thread",
        setup=verified,
    ),
]


def test_every_verification_transition_is_in_the_matrix():
    from projects.monitoring.verification import TRANSITIONS as REPORT_TRANSITIONS

    labels = {c.label for c in VERIFICATION_MATRIX if c.name == "projects:monitoring_transition"}
    assert labels == set(REPORT_TRANSITIONS)


@pytest.mark.parametrize("case", VERIFICATION_MATRIX, ids=[case.id for case in VERIFICATION_MATRIX])
def test_verification_pages_give_each_role_exactly_what_the_rules_allow(verification_world, case):
    world = verification_world
    if case.setup:
        case.setup(world)
    got, changed = {}, set()
    for role in V_ROLES:
        savepoint = transaction.savepoint()
        try:
            client = client_for(world, role)
            before = case.probe(world) if case.probe else None
            if case.method == "get":
                response = client.get(case.url(world))
            else:
                response = client.post(case.url(world), case.data(world))
            if response.streaming:
                b"".join(response.streaming_content)
            got[role] = response.status_code
            if case.probe and case.probe(world) != before:
                changed.add(role)
        finally:
            transaction.savepoint_rollback(savepoint)
    assert got == case.expected
    assert changed == case.changes
