"""Section pages: saving keeps the plan, bad input is reported at its field and
nothing typed is lost."""

import pytest
from django.urls import reverse

from projects.interchange import plan_document
from projects.models import Membership, Plan
from projects.sections import EDITORS, CalculationEditor
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, UserFactory
from tests.projects.formdata import editor_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def chiller(demo_document):
    return plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)


@pytest.fixture
def editor_client(client, chiller):
    user = UserFactory()
    MembershipFactory(user=user, organisation=chiller.organisation, role=Membership.Role.EDITOR)
    client.force_login(user)
    return client


def section_url(plan, slug):
    return reverse("projects:section", args=[plan.pk, slug])


@pytest.mark.parametrize("editor_class", EDITORS, ids=[e.slug for e in EDITORS])
def test_saving_a_section_unchanged_keeps_the_document(editor_client, chiller, editor_class):
    before = plan_document(chiller)
    data = editor_data(editor_class(Plan.objects.get(pk=chiller.pk)))
    response = editor_client.post(section_url(chiller, editor_class.slug), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    chiller = Plan.objects.get(pk=chiller.pk)
    assert plan_document(chiller) == before
    assert chiller.results["total_reduction_tco2e"] == "4610"


def post_calculation(client, plan, **changes):
    data = editor_data(CalculationEditor(Plan.objects.get(pk=plan.pk)))
    data.update(changes)
    return client.post(section_url(plan, "calculation"), data), data


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("baseline-groups-0-count", "-2", "請確認此數值是否大於或等於 1。"),
        ("baseline-groups-0-capacity_rt", "17a.2", "請輸入數字，例如 3,650 或 12.5。"),
        ("plan-line_loss", "1", "線路損失率必須小於 1（100%）。"),
        ("project-groups-0-power_3", "4x", "請輸入數字，例如 3,650 或 12.5。"),
    ],
)
def test_a_wrong_value_is_reported_at_its_field_and_everything_typed_survives(
    editor_client, chiller, field, value, message
):
    response, data = post_calculation(
        editor_client,
        chiller,
        **{
            field: value,
            "plan-baseline_scenario": "剛剛輸入的新說明",
            "pairs-0-location": "新位置",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    editor = response.context["editor"]
    errors = {
        bound.html_name: bound.errors
        for part in editor.all_forms()
        for form in getattr(part, "forms", [part])
        for bound in form
        if bound.errors
    }
    assert list(errors) == [field]
    # Every value typed on the page comes back in the re-rendered form.
    for name in (field, "plan-baseline_scenario", "pairs-0-location"):
        assert f'name="{name}"' in html
    assert f'value="{value}"' in html
    assert "剛剛輸入的新說明" in html
    assert 'value="新位置"' in html
    # Nothing was saved.
    assert plan_document(Plan.objects.get(pk=chiller.pk)) == plan_document(chiller)


def test_the_preview_computes_unsaved_values_without_saving(editor_client, chiller):
    data = editor_data(CalculationEditor(Plan.objects.get(pk=chiller.pk)))
    data["baseline-groups-0-count"] = "3"
    response = editor_client.post(
        reverse("projects:preview", args=[chiller.pk, "calculation"]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.context["results"]["total_reduction_tco2e"] != "4610"
    assert Plan.objects.get(pk=chiller.pk).results["total_reduction_tco2e"] == "4610"
    assert Plan.objects.get(pk=chiller.pk).groups.get(side="baseline").count == 2


def test_the_chiller_plan_warns_that_its_stated_gwh_differs(editor_client, chiller):
    response = editor_client.get(section_url(chiller, "applicability"))
    warnings = response.context["warnings"]
    assert any("0.904" in w and "1.117" in w for w in warnings), warnings


def test_the_lighting_plan_has_no_consistency_warning(client, demo_document):
    plan = plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    user = UserFactory()
    MembershipFactory(user=user, organisation=plan.organisation)
    client.force_login(user)
    response = client.get(section_url(plan, "applicability"))
    assert response.context["warnings"] == []
    rate = response.context["saving_rate"]
    assert str(rate["h"]) == "1.17"
    assert rate["meets_rule"] is True


def test_a_read_only_member_sees_the_page_but_cannot_save(client, chiller):
    user = UserFactory()
    MembershipFactory(user=user, organisation=chiller.organisation, role=Membership.Role.VIEWER)
    client.force_login(user)
    assert client.get(section_url(chiller, "basic")).status_code == 200
    data = editor_data(EDITORS[0](Plan.objects.get(pk=chiller.pk)))
    data["plan-title"] = "changed"
    assert client.post(section_url(chiller, "basic"), data).status_code == 404
    assert Plan.objects.get(pk=chiller.pk).title == chiller.title


def test_an_outsider_gets_404_for_every_section(client, chiller):
    client.force_login(UserFactory())
    for editor in EDITORS:
        assert client.get(section_url(chiller, editor.slug)).status_code == 404
    assert client.get(reverse("projects:plan_detail", args=[chiller.pk])).status_code == 404


def test_the_applicant_words_a_section_four_row_and_chooses_its_units_on_the_page(
    editor_client, chiller
):
    editor = CalculationEditor(Plan.objects.get(pk=chiller.pk))
    index = next(
        i
        for i, form in enumerate(editor.formsets["notes"].forms)
        if (form.instance.table, form.instance.parameter) == ("baseline", "n_i")
    )
    page = editor_client.get(section_url(chiller, "calculation")).content.decode()
    for name in ("definition", "unit", "display"):
        assert f'name="notes-{index}-{name}"' in page
    for name in ("energy_unit", "count_unit", "formula_numbers"):
        assert f'name="plan-{name}"' in page
    data = editor_data(editor)
    data.pop("plan-formula_numbers")
    data.update(
        {
            f"notes-{index}-definition": "汰換之冰水主機數量",
            f"notes-{index}-unit": "部",
            f"notes-{index}-display": "hide",
            "plan-energy_unit": "MWh",
            "plan-count_unit": "部",
        }
    )
    response = editor_client.post(section_url(chiller, "calculation"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    notes = plan_document(Plan.objects.get(pk=chiller.pk))["plan"]["calculation_notes"]
    row = next(
        r for r in notes["parameters"] if (r["table"], r["parameter"]) == ("baseline", "n_i")
    )
    assert (row["definition"], row["unit"], row["display"]) == ("汰換之冰水主機數量", "部", "hide")
    assert (notes["energy_unit"], notes["count_unit"]) == ("MWh", "部")
    assert "formula_numbers" not in notes
