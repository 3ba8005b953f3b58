"""Section 四 of each demo plan's PDF as its registered plan prints it
(../shared/reference/plan-chiller-individual.txt and plan-lighting-subproject.txt,
section 四): the formulas with their numbers, every parameter row in the plan's
order, each row's own definition and unit."""

import re
import subprocess

import pytest
from django.core.management import call_command

from methodologies.reference import reference_snapshot, snapshot_results
from reports.context import build_report
from tests.reports.test_pdf import DEMO, pdf_text, squeezed

pytestmark = pytest.mark.django_db

# The reference lines checked, white space removed (pdftotext spaces CJK text
# freely); a wrapped cell is checked in the parts pdftotext keeps together.
CHILLER_SECTION_FOUR = [
    "公式(1)：BEy=EBL,y×EFCO2,ELEC,y+Qref,BL×GWPref,BL",
    "公式(2)：EBL,y=Σi(ni×kWhi",
    "公式(3)：PEy=EPPJ,y×EFCO2,y+PEref,y",
    "公式(4)：EPPJ,y=ΣtΣi(ni×ρi×oi)/(1-ly)",
    "公式(5)：PEref,y=(Qref,PJ,y)×GWPref,PJ",
    "公式(6)：ERy=(BEy-PEy)-LEy",
    # (一)
    "y年之基線排放量825tCO2e",
    "y年之基線用電量",
    "1,397,937.356kWh",
    "0.509kgCO2e/kWh",
    "Σi",
    "加總替換之i類別設備(例如40W白熾燈泡,5hpmotor)，視為專案活動的一部分",
    "依公式(2)進行計算與加總",
    "第i類設備數量2台",
    "第i類設備耗用能量(基線空調主機設備冷凍能力×空調單位耗能)",
    "147.31kWh",
    "提供安裝之設備用電之電網",
    "基線中用來替代洩漏之冷媒的平均年用量",
    "0.0646t",
    "基線冷媒洩漏量的全球暖化潛勢",
    "1760tCO2e/t",
    # (二)
    "專案全年排放量364tCO2e",
    "280,446.547kWh",
    "PEref,y",
    "因冷媒洩漏而產生之專案活動排放量",
    "221tCO2e",
    "依公式(5)進行計算",
    "專案y年，第i類設備數量",
    "專案y年，第i類設備能源需求量",
    "專案y年，第i類設備平均運轉時數",
    "專案活動中用來替代冷媒的平均洩漏量0.17t",
    "專案活動所使用冷媒之全球暖化潛勢1300tCO2e/t",
    # (四)
    "年減碳量461tCO2",
    "年洩漏量0tCO2",
]
LIGHTING_SECTION_FOUR = [
    "(一)基線排放量計算，公式(BEy)",
    "(二)專案排放量計算，公式(PEy)",
    "ERy=(BEy−PEy)−LEy",
    # (一)
    "第y年之基線排放量13tCO2e",
    "第y年基線用電量25.0968MWh",
    "第y年電力或電網排放係數0.533tCO2/MWh",
    "基線情境之汰換燈具數1,000具",
    "基線情境之燈具功率值0.000028MW",
    "基線情境之燈具年運轉時數861小時/年",
    "基線情境之每年線路損失率3.94%",
    # (二)
    "第y年之專案排放量9tCO2e",
    "第y年專案用電量16.1337MWh",
    "0.533tCO2e/MWh",
    "專案活動之使用燈具數1,000具",
    "專案活動之燈具功率值0.000018MW",
    "專案活動之燈具年運轉時數861小時/年",
    "專案活動之每年線路損失率3.94%",
    # (四)
    "y年之排放減量4tCO2e",
    "y年之基線排放量13tCO2e",
    "y年之專案排放量9tCO2e",
    "y年之洩漏排放量0tCO2e",
    "本專案洩漏排放量為0",
]
# Each table's rows in the registered plan's order (the chiller's (一) has no o_i: its
# formula (2) is Σi(ni × kWhi)/(1-ly)).
ROWS = {
    "chiller-individual": {
        "baseline_rows": [
            "BE_y",
            "E_BL_y",
            "EF",
            "sum_i",
            "n_i",
            "rho_i",
            "l_y",
            "Q_ref_BL",
            "GWP_ref_BL",
        ],
        "project_rows": [
            "PE_y",
            "E_PJ_y",
            "EF",
            "PE_ref_y",
            "n_i",
            "rho_i",
            "o_i",
            "Q_ref_PJ",
            "GWP_ref_PJ",
        ],
        "reduction_rows": ["ER_y", "LE_y"],
    },
    "lighting-subproject": {
        "baseline_rows": ["BE_y", "E_BL_y", "EF", "n_i", "rho_i", "o_i", "l_y"],
        "project_rows": ["PE_y", "E_PJ_y", "EF", "n_i", "rho_i", "o_i", "l_y"],
        "reduction_rows": ["ER_y", "BE_y", "PE_y", "LE_y"],
    },
}


@pytest.fixture(scope="module")
def section_four(django_db_setup, django_db_blocker, tmp_path_factory):
    """Each demo plan's section 四 as the PDF prints it, in layout and reading order."""
    folder = tmp_path_factory.mktemp("section-four")
    texts = {}
    with django_db_blocker.unblock():
        for name in ROWS:
            pdf = folder / f"{name}.pdf"
            call_command("render_pdf", str(DEMO / f"{name}.json"), "--output", str(pdf))
            # pdftotext's reading order scatters the cells of a row that follows a
            # table header repeated at a page break; its raw order keeps them.
            raw = subprocess.run(
                ["pdftotext", "-raw", str(pdf), "-"], capture_output=True, check=True, text=True
            ).stdout
            # A page footer (第 4 頁，共 8 頁) falls inside whatever a page break cuts.
            texts[name] = [
                squeezed(
                    re.sub(
                        r"第\s*\d+\s*頁，共\s*\d+\s*頁",
                        "",
                        re.search(r"四、計算方法.*?五、|四、計算方法.*", text, re.S).group(0),
                    )
                )
                for text in (pdf_text(pdf, layout=True), pdf_text(pdf), raw)
            ]
    return texts


@pytest.mark.parametrize(
    "name,lines",
    [
        ("chiller-individual", CHILLER_SECTION_FOUR),
        ("lighting-subproject", LIGHTING_SECTION_FOUR),
    ],
)
def test_section_four_prints_the_registered_plans_formulas_rows_and_units(
    section_four, name, lines
):
    missing = [
        line for line in lines if not any(squeezed(line) in text for text in section_four[name])
    ]
    assert missing == []


def test_the_kwh_of_a_chiller_given_by_capacity_is_printed_in_kwh_not_kw(section_four):
    layout = section_four["chiller-individual"][0]
    assert "147.31kWh□" in layout
    assert "147.31kW□" not in layout


@pytest.mark.parametrize("name", list(ROWS))
def test_each_table_has_the_registered_plans_rows_in_its_order(demo_document, name):
    document = demo_document(f"{name}.json")
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference)
    report = build_report(document, results.to_json(), reference=reference, draft=False)
    printed = {table: [row.key for row in report.sections[table]] for table in ROWS[name]}
    assert printed == ROWS[name]


def test_without_notes_the_rows_units_and_numbering_follow_the_technology(demo_document):
    """A chiller plan that words nothing itself still prints its reference plan's rows
    (Σi, PEref,y; (四) with ERy and LEy) in its words, in kWh and 台, without formula
    numbers."""
    document = demo_document("chiller-individual.json")
    notes = document["plan"]["calculation_notes"]
    for key in ("parameters", "energy_unit", "count_unit", "formula_numbers"):
        notes.pop(key)
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference)
    report = build_report(document, results.to_json(), reference=reference, draft=False)
    s = report.sections
    assert [row.key for row in s["reduction_rows"]] == ["ER_y", "LE_y"]
    assert "l_y" not in [row.key for row in s["project_rows"]]
    words = {row.key: (row.definition, row.unit) for row in s["reduction_rows"]}
    assert words == {"ER_y": ("年減碳量", "tCO2"), "LE_y": ("年洩漏量", "tCO2")}
    baseline = {row.key: row.definition for row in s["baseline_rows"]}
    assert baseline["sum_i"].startswith("加總替換之 i 類別設備")
    assert baseline["rho_i"] == "第 i 類設備耗用能量(基線空調主機設備冷凍能力×空調單位耗能)"
    units = {row.key: row.unit for row in s["baseline_rows"]}
    assert units["n_i"] == "台"
    assert units["E_BL_y"] == "kWh"
    assert units["rho_i"] == "kWh"
    pe_ref = next(row for row in s["project_rows"] if row.key == "PE_ref_y")
    assert (pe_ref.definition, pe_ref.value) == ("因冷媒洩漏而產生之專案活動排放量", "221")
    assert set(s["formulas"].values()) == {""}


def test_a_plan_chooses_its_units_rows_and_formula_numbers(demo_document):
    document = demo_document("lighting-subproject.json")
    notes = document["plan"]["calculation_notes"]
    notes.update(energy_unit="kWh", count_unit="盞", formula_numbers=True)
    notes["parameters"] = [
        {"table": "baseline", "parameter": "sum_i", "display": "show"},
        {"table": "reduction", "parameter": "BE_y", "display": "hide"},
        {"table": "baseline", "parameter": "n_i", "definition": "汰換燈具數", "unit": "支"},
    ]
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference)
    report = build_report(document, results.to_json(), reference=reference, draft=False)
    s = report.sections
    baseline = {row.key: row for row in s["baseline_rows"]}
    assert "sum_i" in baseline
    assert (baseline["n_i"].definition, baseline["n_i"].unit) == ("汰換燈具數", "支")
    assert baseline["E_BL_y"].unit == "kWh"
    assert {row.key: row.unit for row in s["project_rows"]}["n_i"] == "盞"
    assert [row.key for row in s["reduction_rows"]] == ["ER_y", "PE_y", "LE_y"]
    assert s["formulas"]["BE"] == "公式(1)："
    assert s["formulas"]["ER"] == "公式(5)："  # no project refrigerant: no PEref,y formula
