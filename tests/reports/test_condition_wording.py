"""Each plan's own wording of section 三's conditions (and of section 一's methodology
lines): printed instead of the reference data's, the reference data's when left empty,
the conditions' footnote at the page's foot, kept by export and import, edited on the
section pages."""

import copy
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from methodologies.engine import MAX_STRING
from methodologies.models import ApplicabilityCondition
from methodologies.reference import reference_snapshot, snapshot_results
from projects import wording
from projects.interchange import plan_document
from projects.models import Membership, Plan
from projects.sections import ApplicabilityEditor, BasicEditor
from projects.services import plan_import
from reports.context import build_report
from reports.rendering import render_plan_pdf
from tests.projects.factories import MembershipFactory, UserFactory
from tests.projects.formdata import editor_data
from tests.reports.test_pdf import pdf_text, squeezed

pytestmark = pytest.mark.django_db
URL = wording.CHILLER_CONDITIONS_FOOTNOTE


def report_html(document: dict) -> str:
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference).to_json()
    report = build_report(document, results, reference=reference, draft=False)
    return render_to_string("reports/plan.html", {"report": report})


def condition_cells(html: str) -> list[str]:
    """The text of each condition's cell of section 三's table, without markup."""
    table = html.split('<table class="conditions">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<tr><td class="small">(.*?)</td>', table, re.S)
    return [squeezed(re.sub(r"<[^>]+>", "", cell)) for cell in cells]


def reference_text(number: int) -> str:
    return ApplicabilityCondition.objects.get(methodology__code="AMS-II.C", number=number).text


@pytest.fixture
def chiller(demo_document):
    return plan_import(document=demo_document("chiller-individual.json"), create_programmes=True)


@pytest.fixture
def editor_client(client, chiller):
    user = UserFactory()
    MembershipFactory(user=user, organisation=chiller.organisation, role=Membership.Role.EDITOR)
    client.force_login(user)
    return client


def test_the_chiller_demo_carries_the_registered_chiller_wording(demo_document):
    document = demo_document("chiller-individual.json")
    assert {a["condition"]: a["wording"] for a in document["applicability"]} == (
        wording.CHILLER_CONDITIONS
    )
    assert document["plan"]["wording"]["conditions_footnote"] == URL


def test_a_conditions_own_wording_is_printed_instead_of_the_reference_wording(demo_document):
    cells = condition_cells(report_html(demo_document("chiller-individual.json")))
    assert cells[0].startswith(squeezed("1. 此方法僅適用於專案情境所安裝節能設備的服務水準"))
    assert squeezed("該冷媒應不含臭氧消耗數值(ODP)") in cells[2]
    for number, cell in enumerate(cells, start=1):
        assert squeezed(reference_text(number)) not in cell


def test_an_empty_wording_prints_the_reference_wording(demo_document):
    document = demo_document("chiller-individual.json")
    document["applicability"][1]["wording"] = ""
    del document["applicability"][3]["wording"]
    cells = condition_cells(report_html(document))
    assert cells[1] == squeezed(f"2. {reference_text(2)}")
    assert cells[3] == squeezed(f"4. {reference_text(4)}")
    assert squeezed(wording.CHILLER_CONDITIONS[5]) in cells[4]


def test_the_footnote_is_called_where_the_wording_marks_it_and_printed_at_the_page_foot(
    demo_document, tmp_path
):
    document = demo_document("chiller-individual.json")
    html = report_html(document)
    assert f'(ODP)<span class="footnote"><sup>1</sup>{URL}</span>。' in html
    assert "[1]" not in html
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference).to_json()
    pdf_path = tmp_path / "chiller.pdf"
    pdf_path.write_bytes(
        render_plan_pdf(document=document, results=results, reference=reference, draft=False)
    )
    pages = [squeezed(pdf_text(pdf_path, page)) for page in range(1, 6)]
    called = next(i for i, text in enumerate(pages) if "(ODP)1。" in text)
    page = pages[called]
    # On the page that calls it, just above the page's footer.
    assert re.search(re.escape(f"1{URL}") + r"第\d+頁，共\d+頁", page), page[-300:]
    assert not any(URL in text for i, text in enumerate(pages) if i != called)


def test_a_footnote_without_a_mark_is_called_after_the_last_condition(demo_document):
    document = demo_document("chiller-individual.json")
    for answer in document["applicability"]:
        answer["wording"] = ""
    html = report_html(document)
    assert html.count('class="footnote"') == 1
    assert condition_cells(html)[4].endswith(squeezed(f"1{URL}"))


def test_a_wording_is_printed_as_text_not_markup(demo_document):
    document = demo_document("chiller-individual.json")
    document["applicability"][0]["wording"] = "<b>粗體</b>\n第二行"
    html = report_html(document)
    assert "&lt;b&gt;粗體&lt;/b&gt;<br>第二行" in html


def test_the_methodology_lines_come_from_the_reference_data_unless_the_plan_words_them(
    demo_document,
):
    chiller = squeezed(report_html(demo_document("chiller-individual.json")))
    assert squeezed(
        "AMS-II.C 需求端利用特定技術的能源效率活動「Demand-side energy efficiency "
        "activities for specific technologies」"
    ) in squeezed(re.sub(r"<[^>]+>", "", chiller))
    assert "減量方法版本</td><td>Version15.0</td>" in chiller
    assert "範疇別</td><td>能源需求業</td>" in chiller
    lighting = squeezed(report_html(demo_document("lighting-subproject.json")))
    assert "AMS.II.C.需求端利用特定技術的能源效率活動<br>(Demand-side" in lighting
    assert "減量方法版本</td><td>15.0</td>" in lighting
    assert "範疇別</td><td>03能源需求業</td>" in lighting


def test_export_then_import_keeps_the_wording(chiller, demo_document):
    document = plan_document(chiller)
    assert [a["wording"] for a in document["applicability"]] == list(
        wording.CHILLER_CONDITIONS.values()
    )
    assert document["plan"]["wording"] == {"conditions_footnote": URL}
    lighting = plan_document(
        plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    )
    assert (
        lighting["plan"]["wording"] == demo_document("lighting-subproject.json")["plan"]["wording"]
    )
    copied = plan_import(document=copy.deepcopy(document), create_programmes=True)
    assert plan_document(copied)["applicability"] == document["applicability"]
    assert plan_document(copied)["plan"]["wording"] == document["plan"]["wording"]


def test_the_applicability_page_saves_a_wording_and_the_footnote(editor_client, chiller):
    data = editor_data(ApplicabilityEditor(Plan.objects.get(pk=chiller.pk)))
    data["condition-2-wording"] = "本計畫書的條件二用語"
    data["plan-conditions_footnote"] = "另一個註腳"
    response = editor_client.post(
        reverse("projects:section", args=[chiller.pk, "applicability"]), data
    )
    assert response.status_code == 302
    chiller.refresh_from_db()
    assert chiller.applicability.get(condition=2).wording == "本計畫書的條件二用語"
    assert chiller.conditions_footnote == "另一個註腳"


def test_the_applicability_page_offers_the_registered_chiller_wording(editor_client, chiller):
    page = editor_client.get(reverse("projects:section", args=[chiller.pk, "applicability"]))
    content = page.content.decode()
    assert 'data-fill-target="id_condition-3-wording"' in content
    assert (
        'data-fill-text="若能效設備包含冷媒，則在改善專案中，該冷媒應不含臭氧消耗數值(ODP)[1]。"'
        in content
    )
    assert f'data-fill-target="id_plan-conditions_footnote" data-fill-text="{URL}"' in content


def test_a_too_long_wording_is_refused_at_its_field_and_kept(editor_client, chiller):
    data = editor_data(ApplicabilityEditor(Plan.objects.get(pk=chiller.pk)))
    too_long = "條" * (MAX_STRING + 1)
    data["condition-3-wording"] = too_long
    data["plan-conditions_footnote"] = "新註腳"
    response = editor_client.post(
        reverse("projects:section", args=[chiller.pk, "applicability"]), data
    )
    assert response.status_code == 400
    forms = {number: form for number, _c, form in response.context["editor"].conditions}
    assert list(forms[3].errors) == ["wording"]
    assert forms[3]["wording"].value() == too_long
    assert response.context["editor"].form["conditions_footnote"].value() == "新註腳"
    chiller.refresh_from_db()
    assert chiller.applicability.get(condition=3).wording == wording.CHILLER_CONDITIONS[3]
    assert chiller.conditions_footnote == URL


def test_a_too_long_methodology_wording_is_refused_at_its_field(editor_client, chiller):
    data = editor_data(BasicEditor(Plan.objects.get(pk=chiller.pk)))
    data["plan-methodology_wording"] = "名" * (MAX_STRING + 1)
    data["plan-sector_wording"] = "03 能源需求業"
    response = editor_client.post(reverse("projects:section", args=[chiller.pk, "basic"]), data)
    assert response.status_code == 400
    form = response.context["editor"].form
    assert list(form.errors) == ["methodology_wording"]
    assert form["sector_wording"].value() == "03 能源需求業"
    chiller.refresh_from_db()
    assert chiller.methodology_wording == ""
