"""A frozen version stands alone: its results and its PDF come from the version's own
document, results and reference snapshot, whatever happens to the reference tables."""

import importlib
import subprocess
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from methodologies.models import (
    ApplicabilityCondition,
    EmissionFactor,
    RefrigerantGwp,
    Regulation,
)
from methodologies.reference import reference_from_snapshot, reference_snapshot, snapshot_results
from projects.models import Membership, Organisation, Plan, PlanVersion
from projects.services import plan_calculate, plan_import
from projects.workflow import plan_transition
from reports import services
from reports.context import build_report
from reports.models import VersionPdf
from reports.rendering import render_plan_pdf
from tests.projects.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def from_tables(document: dict) -> dict:
    """The chiller plan taking its emission factor (2019), both GWPs (AR5) and the
    wording of its conditions from the reference tables instead of giving them (the
    demo words its conditions as the registered chiller plan does); the figures are
    the same as given."""
    for answer in document["applicability"]:
        answer.pop("wording", None)
    calc = document["calculation"]
    calc["emission_factor"] = {"year": 2019}
    for side in ("baseline", "project"):
        calc[side]["refrigerant"].pop("gwp", None)
        calc[side]["refrigerant"].pop("odp", None)
    return document


def pdf_text(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.fixture
def approved(demo_document, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = ""
    plan = plan_import(document=from_tables(demo_document("chiller-individual.json")))
    authority = Organisation.objects.create(name="審查機關", kind=Organisation.Kind.AUTHORITY)
    Plan.objects.filter(pk=plan.pk).update(authority=authority)
    editor, reviewer = UserFactory(), UserFactory()
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    MembershipFactory(user=reviewer, organisation=authority, role=Membership.Role.REVIEWER)
    for user, name in [(editor, "submit"), (reviewer, "start_review"), (reviewer, "approve")]:
        with django_capture_on_commit_callbacks(execute=True):
            plan = plan_transition(plan=plan, user=user, name=name)
    plan.editor, plan.reviewer = editor, reviewer
    return plan


def test_a_version_keeps_every_reference_figure_it_was_computed_with(approved):
    reference = approved.current_version.reference
    assert reference["emission_factors"] == [
        {"year": 2019, "value": "0.5090", "unconfirmed": False}
    ]
    r134a, r22 = reference["refrigerants"]  # by code
    assert (r22["code"], r22["odp"], r22["gwp"]["AR5"]) == ("R-22", "0.0550", "1760.000")
    assert (r134a["code"], r134a["odp"], r134a["gwp"]["AR5"]) == ("R-134a", "0.0000", "1300.000")
    assert set(r22["gwp"]) == {"AR4", "AR5", "AR6"}
    assert r22["unconfirmed_editions"] == ["AR6"]
    conditions = reference["methodology"]["conditions"]
    assert [c["number"] for c in conditions] == [1, 2, 3, 4, 5]
    assert conditions[0]["text"] == ApplicabilityCondition.objects.get(number=1).text
    assert {r["code"] for r in reference["regulations"]} == set(
        Regulation.objects.values_list("code", flat=True)
    )
    used = reference["used"]
    assert used["emission_factor"] == {
        "value": "0.5090",
        "year": 2019,
        "from_table": True,
        "unconfirmed": False,
    }
    assert used["line_loss"] == "0"
    assert used["gwp_edition"] == "AR5"
    assert used["refrigerants"]["baseline"]["gwp"] == "1760.000"
    assert used["refrigerants"]["project"]["odp"] == "0.0000"
    # The version's results are exactly those of its document with its own figures.
    version = approved.current_version
    assert snapshot_results(version.document, reference).to_json() == version.results


def test_the_report_of_a_version_reads_nothing_from_the_database(
    approved, django_assert_num_queries
):
    version = PlanVersion.objects.get(pk=approved.current_version_id)
    with django_assert_num_queries(0):
        report = build_report(
            version.document, version.results, reference=version.reference, draft=False
        )
        render_plan_pdf(
            document=version.document,
            results=version.results,
            reference=version.reference,
            draft=False,
        )
    assert [c["text"] for c in report.sections["conditions"]][0].startswith(
        ApplicabilityCondition.objects.get(number=1).text[:10]
    )


def test_editing_the_emission_factor_in_the_admin_never_changes_an_approved_version(
    client, approved, demo_document, tmp_path, django_capture_on_commit_callbacks
):
    version = PlanVersion.objects.get(pk=approved.current_version_id)
    stored = VersionPdf.objects.get(version=version)  # stored at approval, not on download
    with stored.file.open("rb") as handle:
        stored_bytes = handle.read()
    draft = plan_import(document=from_tables(demo_document("chiller-individual.json")))
    before = (version.document, version.results, version.reference)
    draft_before = draft.results

    factor = EmissionFactor.objects.get(year=2019)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("admin:methodologies_emissionfactor_change", args=[factor.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "year": "2019",
                "value": "0.6000",
                "source": factor.source,
                "published_on": "",
                "unconfirmed": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EmissionFactor.objects.get(year=2019).value == Decimal("0.6000")

    version = PlanVersion.objects.get(pk=version.pk)
    assert (version.document, version.results, version.reference) == before
    stored = VersionPdf.objects.get(version=version)
    with stored.file.open("rb") as handle:
        assert handle.read() == stored_bytes
    client.force_login(approved.editor)
    download = client.get(reverse("reports:version_pdf", args=[approved.pk, version.number]))
    assert download.content == stored_bytes
    # Rendered again from the version alone, it still prints the old figures.
    again = services.render_version(version)
    assert pdf_text(again, tmp_path, "again") == pdf_text(stored_bytes, tmp_path, "stored")
    assert "0.509" in pdf_text(again, tmp_path, "again")

    # The draft follows the new factor.
    draft.refresh_from_db()
    assert draft.results != draft_before
    assert draft.results == plan_calculate(draft).to_json()
    assert (
        draft.results["baseline"]["electricity_tco2e"]
        != draft_before["baseline"]["electricity_tco2e"]
    )
    # So does the approved plan's own row? No: it is not editable, its results stay.
    assert Plan.objects.get(pk=approved.pk).results == before[1]


def test_editing_gwps_conditions_and_regulations_never_changes_a_version_pdf(
    approved, tmp_path, django_capture_on_commit_callbacks
):
    version = PlanVersion.objects.get(pk=approved.current_version_id)
    with VersionPdf.objects.get(version=version).file.open("rb") as handle:
        stored_text = pdf_text(handle.read(), tmp_path, "stored")
    with django_capture_on_commit_callbacks(execute=True):
        RefrigerantGwp.objects.filter(refrigerant__code="R-22", edition="AR5").update(
            value=Decimal("9999")
        )
        condition = ApplicabilityCondition.objects.get(number=1)
        condition.text = "改寫後的適用條件一"
        condition.save()
        regulation = Regulation.objects.order_by("pk").first()
        regulation.name = "改名後的法規"
        regulation.save()

    again = services.render_version(version)
    assert pdf_text(again, tmp_path, "again") == stored_text
    # A draft PDF of the same plan takes today's tables.
    draft_text = pdf_text(services.draft_pdf(approved), tmp_path, "draft")
    assert "改寫後的適用條件一" in draft_text.replace(" ", "")
    assert "9,999" in draft_text or "9999" in draft_text


def test_the_approved_pdf_is_stored_when_the_plan_is_approved(approved):
    assert VersionPdf.objects.filter(version=approved.current_version).exists()


def test_the_approved_pdf_goes_to_a_celery_worker_when_a_broker_is_set(
    demo_document, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    queued = []
    monkeypatch.setattr(services, "version_pdf_task", SimpleNamespace(delay=queued.append))
    plan = plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    reviewer, editor = UserFactory(), UserFactory()
    MembershipFactory(
        user=reviewer, organisation=plan.programme.authority, role=Membership.Role.REVIEWER
    )
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    plan = plan_transition(plan=plan, user=editor, name="submit")
    plan_transition(plan=plan, user=reviewer, name="start_review")
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_transition(plan=plan, user=reviewer, name="approve")
    assert queued == [plan.current_version_id]
    assert not VersionPdf.objects.exists()  # the worker stores it


def test_a_failed_render_at_approval_is_logged_and_the_download_stores_it(
    demo_document,
    settings,
    tmp_path,
    monkeypatch,
    client,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = ""
    plan = plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    reviewer, editor = UserFactory(), UserFactory()
    MembershipFactory(
        user=reviewer, organisation=plan.programme.authority, role=Membership.Role.REVIEWER
    )
    MembershipFactory(user=editor, organisation=plan.organisation, role=Membership.Role.EDITOR)
    plan = plan_transition(plan=plan, user=editor, name="submit")
    plan_transition(plan=plan, user=reviewer, name="start_review")
    real = services.render_version

    def broken(version):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(services, "render_version", broken)
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_transition(plan=plan, user=reviewer, name="approve")
    assert plan.status == Plan.Status.APPROVED
    assert "could not store the PDF" in caplog.text
    assert not VersionPdf.objects.exists()
    monkeypatch.setattr(services, "render_version", real)
    client.force_login(editor)
    response = client.get(reverse("reports:version_pdf", args=[plan.pk, 1]))
    assert response.content.startswith(b"%PDF")
    assert VersionPdf.objects.filter(version=plan.current_version).exists()


def test_the_data_migration_gives_existing_versions_their_reference_snapshot(
    demo_document,
):
    document = from_tables(demo_document("chiller-individual.json"))
    plan = plan_import(document=document)
    version = PlanVersion.objects.create(
        plan=plan,
        number=1,
        document=document,
        results=plan.results,
        annual_reduction_tco2e=1,
        total_reduction_tco2e=1,
        created_by=UserFactory(),
    )
    assert version.reference == {}
    migration = importlib.import_module("projects.migrations.0006_version_reference_snapshots")
    migration.fill_reference(django_apps, None)
    version = PlanVersion.objects.get(pk=version.pk)
    assert version.reference == reference_snapshot(document)
    assert reference_from_snapshot(version.reference).emission_factors == {2019: Decimal("0.5090")}
