"""Drafts' stored results follow corrections of the reference data; plans under review
and their versions do not."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F

from methodologies.models import EmissionFactor, Refrigerant, RefrigerantGwp
from projects import services
from projects.models import Plan
from projects.services import plan_import

pytestmark = pytest.mark.django_db


def tables_document(demo_document) -> dict:
    document = demo_document("chiller-individual.json")
    calc = document["calculation"]
    calc["emission_factor"] = {"year": 2019}
    for side in ("baseline", "project"):
        calc[side]["refrigerant"].pop("gwp", None)
    return document


def test_a_gwp_correction_refreshes_drafts_but_not_a_submitted_plan(
    demo_document, django_capture_on_commit_callbacks
):
    draft = plan_import(document=tables_document(demo_document))
    submitted = plan_import(document=tables_document(demo_document))
    Plan.objects.filter(pk=submitted.pk).update(status=Plan.Status.SUBMITTED)
    before = draft.results
    with django_capture_on_commit_callbacks(execute=True):
        row = RefrigerantGwp.objects.get(refrigerant__code="R-22", edition="AR5")
        row.value = Decimal("1810")
        row.save()
    draft.refresh_from_db()
    assert before["baseline"]["refrigerant_tco2e"] == "113.696"  # 0.0646 t × 1760
    assert draft.results["baseline"]["refrigerant_tco2e"] == "116.926"  # 0.0646 t × 1810
    assert Plan.objects.get(pk=submitted.pk).results == before


def test_one_refresh_per_transaction_however_many_rows_change(
    demo_document, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(
        services, "plans_refresh_results_for_reference_change", lambda: calls.append(1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            refrigerant = Refrigerant.objects.get(code="R-22")
            refrigerant.save()
            for row in refrigerant.gwps.all():
                row.save()
            EmissionFactor.objects.get(year=2019).save()
    assert calls == [1]


def test_a_deleted_emission_factor_leaves_the_draft_without_results(
    demo_document, django_capture_on_commit_callbacks
):
    draft = plan_import(document=tables_document(demo_document))
    assert draft.results is not None
    with django_capture_on_commit_callbacks(execute=True):
        EmissionFactor.objects.filter(year=2019).get().delete()
    draft.refresh_from_db()
    assert draft.results is None


def test_a_refresh_never_overwrites_the_results_of_a_save_made_meanwhile(
    demo_document, django_capture_on_commit_callbacks, monkeypatch
):
    """The refresh reads each draft without a lock; a section save that commits while the
    refresh computes keeps its own (newer) results."""
    draft = plan_import(document=tables_document(demo_document))
    original = services.calculate

    def calculate_while_a_save_commits(calculation_input):
        Plan.objects.filter(pk=draft.pk).update(
            revision=F("revision") + 1, results={"saved": "meanwhile"}
        )
        return original(calculation_input)

    monkeypatch.setattr(services, "calculate", calculate_while_a_save_commits)
    with django_capture_on_commit_callbacks(execute=True):
        row = RefrigerantGwp.objects.get(refrigerant__code="R-22", edition="AR5")
        row.value = Decimal("1810")
        row.save()
    assert Plan.objects.get(pk=draft.pk).results == {"saved": "meanwhile"}


def test_with_a_broker_the_refresh_goes_to_a_celery_worker(
    settings, django_capture_on_commit_callbacks, monkeypatch
):
    from types import SimpleNamespace

    from projects import receivers

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    queued, refreshed = [], []
    monkeypatch.setattr(
        receivers, "refresh_drafts_task", SimpleNamespace(delay=lambda: queued.append(1))
    )
    monkeypatch.setattr(
        services, "plans_refresh_results_for_reference_change", lambda: refreshed.append(1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        EmissionFactor.objects.get(year=2019).save()
    assert (queued, refreshed) == ([1], [])
