"""The tables and blanks of sections 二 and 三 as the registered plans print them:
the installation timetable, the service-level table, the 壽齡 blanks, the
participants, the crediting-period remark; read through pdftotext and compared
with the reference texts' lines (../shared/reference/plan-*.txt)."""

import copy
import json
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse

from methodologies.engine import DocumentErrors
from projects.interchange import plan_document
from projects.models import Membership, Plan
from projects.sections import ActivityEditor
from projects.services import plan_import
from tests.projects.factories import MembershipFactory, UserFactory
from tests.projects.formdata import editor_data
from tests.reports.test_pdf import DEMO, pdf_text, squeezed

pytestmark = pytest.mark.django_db

# The reference lines of these parts, as each registered plan prints them (white
# space aside: pdftotext spaces CJK text freely).
REFERENCE_LINES = {
    "lighting-subproject": [
        # 參與機構: the credit-ownership sentence names the authority as the plan does
        "■整合管理專案及分配減量額度：臺南市政府環境保護局輔導，且本專案碳權全數歸屬臺南市政府環境保護局",
        "■子專案實際減量單位：財團法人崑山科技大學",
        "□其他參與單位：_____________________________",
        # 設備壽齡 with its blanks
        "設備剩餘壽齡____年",
        "□清潔發展機制設備壽齡評估工具預設年限：______（設備名稱）預設值__年",
        "□設備預設使用年限_____，應檢附設備供應商提供之證明文件",
        "□國家統計資料_____年，資料來源____________",
        # condition 1's service-level table
        "均介於基線設備之90%與150%之間(詳見下表)，符合該適用條件。",
        "項目照度",
        "舊設備92~333",
        "新設備137~432",
        "基線90%-150%82.8~499.5",
        # the installation timetable
        "本專案燈具換裝時程如下表。",
        "時間作業內容",
        "108.03提送燈具換裝作業申請",
        "108.04臺南環保局同意燈具換裝作業申請",
        "108.06燈具換裝完工並提送完工報告書",
        "108.07驗收完成，取得補助款",
    ],
    "chiller-individual": [
        "專案計入期110年1月1日~119年12月31日(計入期將依註冊審查通過日期進行調整)",
        "參與機構(實際減量單位)",
        "專案規劃、投資者：家福股份有限公司",
        "實際執行者：家福股份有限公司竹北店",
        "設備剩餘壽齡15年，佐附「設備壽齡證明」如附件2。",
        "汰換設備證明文件：為證明汰換後設備無移至他處使用之疑慮，故佐附「資產處分單」如附件3。",
        "□清潔發展機制設備壽齡評估工具預設年限：______（設備名稱）預設值__年",
        "□設備預設使用年限_____，應檢附設備供應商提供之證明文件",
        "□國家統計資料_____年，資料來源____________",
    ],
}


@pytest.fixture(scope="module")
def demo_pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tables")
    with django_db_blocker.unblock():
        for name in REFERENCE_LINES:
            call_command(
                "render_pdf", str(DEMO / f"{name}.json"), "--output", str(folder / f"{name}.pdf")
            )
    return {name: squeezed(pdf_text(folder / f"{name}.pdf")) for name in REFERENCE_LINES}


@pytest.mark.parametrize("name", list(REFERENCE_LINES))
def test_each_demo_pdf_prints_the_reference_lines_of_its_tables_and_blanks(name, demo_pdfs):
    text = demo_pdfs[name]
    missing = [line for line in REFERENCE_LINES[name] if squeezed(line) not in text]
    assert missing == []


def test_the_lighting_plan_names_the_authority_in_its_credit_sentence_only(demo_pdfs):
    text = demo_pdfs["lighting-subproject"]
    assert "臺南市政府環境保護局（臺南市政府環境保護局輔導" not in text
    assert text.count("全數歸屬臺南市政府環境保護局") == 1


def test_the_chiller_plan_prints_its_remaining_lifetime_once(demo_pdfs):
    assert demo_pdfs["chiller-individual"].count("設備剩餘壽齡") == 1


def test_the_chiller_plan_has_no_box_for_other_participants(demo_pdfs):
    assert "其他參與單位" not in demo_pdfs["chiller-individual"]


def render(document: dict, tmp_path) -> str:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    call_command("render_pdf", str(path), "--output", str(tmp_path / "plan.pdf"))
    return squeezed(pdf_text(tmp_path / "plan.pdf"))


@pytest.fixture
def filled_chiller(demo_document):
    document = copy.deepcopy(demo_document("chiller-individual.json"))
    document["plan"]["lifetime"].update(
        {
            "tool_equipment": "冰水主機",
            "tool_years": "20",
            "supplier_years": "15年",
            "statistics_years": "12.5",
            "statistics_source": "行政院主計總處",
        }
    )
    document["plan"]["schedule"] = [
        {"month": "2018-07", "step": "冰水主機進場"},
        {"month": "2018-09", "step": "試運轉完成"},
    ]
    return document


def test_the_lifetime_blanks_and_the_timetable_print_as_filled_in(filled_chiller, tmp_path):
    text = render(filled_chiller, tmp_path)
    for line in [
        "□清潔發展機制設備壽齡評估工具預設年限：冰水主機（設備名稱）預設值20年",
        "□設備預設使用年限15年，應檢附設備供應商提供之證明文件",
        "□國家統計資料12.5年，資料來源行政院主計總處",
        "107.07冰水主機進場",
        "107.09試運轉完成",
    ]:
        assert line in text


def test_a_plan_without_equipment_prints_no_equipment_table_header(demo_document, tmp_path):
    document = copy.deepcopy(demo_document("lighting-subproject.json"))
    assert "項目舊燈具新燈具" in render(document, tmp_path / "with")
    del document["plan"]["equipment"]
    assert "項目舊燈具新燈具" not in render(document, tmp_path / "without")


def test_the_new_keys_round_trip_through_export_and_import(filled_chiller):
    plan = plan_import(document=filled_chiller, create_programmes=True)
    exported = plan_document(plan)
    assert exported == filled_chiller
    again = plan_import(document=exported, create_programmes=True)
    assert plan_document(again) == filled_chiller
    assert list(again.schedule.values_list("month", "step")) == [
        ("2018-07", "冰水主機進場"),
        ("2018-09", "試運轉完成"),
    ]
    assert again.crediting_note == "計入期將依註冊審查通過日期進行調整"


def test_a_timetable_month_in_the_roc_calendar_is_refused_at_its_path(filled_chiller):
    filled_chiller["plan"]["schedule"][1]["month"] = "108.09"
    with pytest.raises(DocumentErrors) as refused:
        plan_import(document=filled_chiller, create_programmes=True)
    assert [e.path for e in refused.value.errors] == ["plan.schedule[1].month"]


def test_the_activity_page_keeps_a_timetable_row_typed_in_the_roc_calendar(client, demo_document):
    plan = plan_import(document=demo_document("lighting-subproject.json"), create_programmes=True)
    user = UserFactory()
    MembershipFactory(user=user, organisation=plan.organisation, role=Membership.Role.EDITOR)
    client.force_login(user)
    data = editor_data(ActivityEditor(Plan.objects.get(pk=plan.pk)))
    total = int(data["schedule-TOTAL_FORMS"])
    data[f"schedule-{total}-month"] = "108.08"
    data[f"schedule-{total}-step"] = "計畫書送審"
    data["schedule-TOTAL_FORMS"] = str(total + 1)
    data["plan-crediting_note"] = "計入期將依註冊審查通過日期進行調整"
    data["plan-lifetime_statistics_source"] = "行政院主計總處"
    url = reverse("projects:section", args=[plan.pk, "activity"])
    response = client.post(
        url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert list(plan.schedule.values_list("month", flat=True))[-1] == "2019-08"
    assert plan.crediting_note == "計入期將依註冊審查通過日期進行調整"
    assert plan.lifetime_statistics_source == "行政院主計總處"
