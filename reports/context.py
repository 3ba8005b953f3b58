"""What the official 計畫書 layout shows, built from a frozen document, its results
and the reference figures it was computed with.

The PDF never reads the database: a version's `offset-plan/1` document, its
results and its reference snapshot (`PlanVersion.reference`) are the whole
input, so a stored PDF and a re-render of the same version agree whatever has
happened to the reference tables since. Figures are formatted as the reference
plans show them: thousands separators, ROC dates, kWh with 3 decimals, MWh
with 4, tCO2e as whole tonnes (rounded half up for BE_y and PE_y, as the plans'
tables do), each rounded once from the engine's exact value.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

from methodologies.engine import calculate, parse_calculation_document
from methodologies.engine.calculation import round_half_away_int
from methodologies.reference import (
    DEFAULT_METHODOLOGY,
    reference_from_snapshot,
    reference_snapshot,
)
from projects import charts, schema, survey
from projects.consistency import cost_figures, group_figures, saving_rate_figures
from projects.dates import roc_long, years_text
from projects.figures import decode_chunks
from projects.interchange import decimal_text
from projects.templatetags import plan_format

# AMS-II.C's names and sector, for a frozen version whose reference snapshot predates them.
METHODOLOGY_NAMES = (
    "需求端利用特定技術的能源效率活動",
    "Demand-side energy efficiency activities for specific technologies",
    "能源需求業",
)
TITLES = {
    "individual": "微型規模計畫型抵換專案計畫書",
    "sub_project": "微型規模方案型抵換專案-子專案計畫書",
}
PARTICIPANT_ROLES = {
    "manager": "整合管理專案及分配減量額度",
    "implementer": "實際減量單位",
    "investor": "專案規劃、投資者",
    "other": "其他參與單位",
}
LIFETIME_CHOICES = [
    ("energy_saving", "屬節能類型專案，得免除壽齡佐證限制"),
    ("transport", "引用運輸業類別減量方法，屬汰舊換新措施得免除壽齡佐證限制"),
    ("cdm_tool", "清潔發展機制設備壽齡評估工具預設年限"),
    ("third_party", "經第三方檢測單位進行評估，應檢附相關證明文件"),
    ("supplier", "設備預設使用年限，應檢附設備供應商提供之證明文件"),
    ("statistics", "國家統計資料"),
]
EQUIPMENT_ROWS = [
    ("brand", "廠牌"),
    ("model", "型號"),
    ("spec", "規格"),
    ("efficacy", "效率"),
    ("quantity", "數量"),
    ("location", "裝設地點"),
    ("note", "其他"),
]
# The lighting plan words its equipment table as lamps (舊燈具/新燈具, 發光效率(lm/W)).
EQUIPMENT_WORDING = {
    "lighting": {"headers": ("舊燈具", "新燈具"), "efficacy": "發光效率(lm/W)"},
}
SOURCE_DEFAULT, SOURCE_MONITORED = "default", "monitored"

# The symbols and formulas of section 四 as each technology's registered plan prints
# them (the lighting plan: EF_CO2,Elec,y, the sums' indices under Σ, l_i in the
# formulas, 公式(ER_y) on a line of its own and an empty (三) table; the chiller
# plan: EF_CO2,y on the project side, E_BL,y = Σi(ni × kWhi)/(1-ly), "/" and "-",
# the (三) line with PEref,y and no (三) table); "default" for any other technology.
# Both registered plans name the project's energy EP_PJ,y.
NOTATION = {
    "default": {
        "EF_BL": "EF<sub>CO2,ELEC,y</sub>",
        "EF_PJ": "EF<sub>CO2,ELEC,y</sub>",
        "EF_PJ_formula": "EF<sub>CO2,ELEC,y</sub>",
        "sum_i": "Σ<sub>i</sub>",
        "loss": "l<sub>y</sub>",
        "divide": " ÷ ",
        "minus": " − ",
        "under": False,  # the sums' indices under Σ
        "capacity_hours": True,  # formula (2) of a chiller by capacity multiplies by o_i
        "leakage_table": True,
        "leakage_formula": False,
    },
    "lighting": {
        "EF_BL": "EF<sub>CO2,Elec,y</sub>",
        "EF_PJ": "EF<sub>CO2,Elec,y</sub>",
        "EF_PJ_formula": "EF<sub>CO2,y</sub>",
        "loss": "l<sub>i</sub>",
        "under": True,
    },
    "chiller": {
        "EF_PJ": "EF<sub>CO2,y</sub>",
        "EF_PJ_formula": "EF<sub>CO2,y</sub>",
        "sum_i": "Σ<sub>i</sub>：",
        "divide": "/",
        "minus": "-",
        "capacity_hours": False,
        "leakage_table": False,
        "leakage_formula": True,
    },
}


def notation(technology: str) -> dict:
    return {**NOTATION["default"], **NOTATION.get(technology, {})}


def thousands(value: Decimal | int, places: int | None = None) -> str:
    """The pages' thousands filter; without `places`, computed values lose their
    trailing zeros (3.9400 % is shown as 3.94 %)."""
    if places is None:
        value = decimal_text(Decimal(value))
    return plan_format.thousands(value, places)


def tonnes(value: int) -> str:
    """A tCO2e figure as the plans' tables show it: whole tonnes (already rounded by the
    engine from the exact value)."""
    return thousands(value)


def roc(value: str | None) -> str:
    return roc_long(date.fromisoformat(value)) if value else ""


@dataclass
class ParameterRow:
    symbol: str  # HTML with <sub>
    definition: str
    value: str
    unit: str
    source: str = ""
    note: str = ""
    key: str = ""  # the parameter's name, e.g. "BE_y"


@dataclass
class Report:
    title: str
    draft: bool
    plan: dict
    results: dict
    sections: dict = field(default_factory=dict)
    # The plan's figures, by the relative URL the HTML names them with: the PDF's
    # URL fetcher serves these bytes and nothing else besides static files.
    images: dict = field(default_factory=dict)


def _notes(plan: dict) -> dict[tuple[str, str], dict]:
    parameters = plan.get("calculation_notes", {}).get("parameters", [])
    return {(row["table"], row["parameter"]): row for row in parameters}


def _row(notes, table, key, symbol, definition, value, unit) -> ParameterRow:
    """A row as the plan words it: its own 定義 and 單位 where it gives them."""
    note = notes.get((table, key), {})
    return ParameterRow(
        symbol,
        note.get("definition") or definition,
        value,
        note.get("unit") or unit,
        note.get("source", ""),
        note.get("note", ""),
        key,
    )


# The rows each technology's registered plan prints by default, in the tables'
# order (projects.schema.STANDARD_PARAMETERS); a plan's note prints a row or leaves
# it out (`display`). The chiller plan (家福竹北店) has the Σi and PEref,y rows, no
# o_i in (一) (its formula (2) has none), no l_y in (二) and only ERy and LEy in (四);
# the lighting plan (崑山科大) the others.
FULL_ROWS = {table: set(rows) - {"sum_i"} for table, rows in schema.STANDARD_PARAMETERS.items()}
PRINTED_ROWS = {
    "chiller": {
        "baseline": (FULL_ROWS["baseline"] | {"sum_i"}) - {"o_i"},
        "project": FULL_ROWS["project"] - {"l_y"},
        "reduction": {"ER_y", "LE_y"},
    },
}


# The wording (定義, and 單位 where it is not the calculation's) of the registered
# plan of a technology, where it differs from the standard rows': a row the plan
# leaves blank reads as that plan reads.
REFERENCE_WORDING = {
    "chiller": {
        ("baseline", "BE_y"): ("y 年之基線排放量", None),
        ("baseline", "E_BL_y"): ("y 年之基線用電量", None),
        ("baseline", "EF"): ("電力或電網排放係數", None),
        ("baseline", "rho_i"): ("第 i 類設備耗用能量(基線空調主機設備冷凍能力×空調單位耗能)", None),
        ("baseline", "l_y"): (
            "提供安裝之設備用電之電網 y 年年度的平均技術線路損失 運輸或分配，以分數表示。"
            "若最近的數據無法取得或 數據無法確認正確型或可信賴時，應使用預設值 0.1 。",
            None,
        ),
        ("baseline", "Q_ref_BL"): ("基線中用來替代洩漏之冷媒的平均年用量", None),
        ("baseline", "GWP_ref_BL"): ("基線冷媒洩漏量的全球暖化潛勢", None),
        ("project", "PE_y"): ("專案全年排放量", None),
        ("project", "E_PJ_y"): (
            "專案 y年之能源消耗量 此數值需根據實際監測取得。 EPPJ,y=Σi[EPPJi,y]",
            None,
        ),
        ("project", "EF"): ("電力或電網排放係數", None),
        ("project", "n_i"): ("專案 y年，第 i 類設備數量", None),
        ("project", "rho_i"): ("專案 y年，第 i 類設備能源需求量", None),
        ("project", "o_i"): ("專案 y年，第 i 類設備平均運轉時數", None),
        ("project", "Q_ref_PJ"): ("專案活動中用來替代冷媒的平均洩漏量", None),
        ("project", "GWP_ref_PJ"): ("專案活動所使用冷媒之全球暖化潛勢", None),
        ("reduction", "ER_y"): ("年減碳量", "tCO2"),
        ("reduction", "LE_y"): ("年洩漏量", "tCO2"),
    },
    "lighting": {
        ("baseline", "EF"): ("第 y 年電力或電網排放係數", None),
        ("baseline", "n_i"): ("基線情境之汰換燈具數", None),
        ("baseline", "rho_i"): ("基線情境之燈具功率值", None),
        ("baseline", "o_i"): ("基線情境之燈具年運轉時數", None),
        ("baseline", "l_y"): ("基線情境之每年線路損失率", None),
        ("project", "n_i"): ("專案活動之使用燈具數", None),
        ("project", "rho_i"): ("專案活動之燈具功率值", None),
        ("project", "o_i"): ("專案活動之燈具年運轉時數", None),
        ("project", "l_y"): ("專案活動之每年線路損失率", None),
    },
}


def _printed(rows: list[ParameterRow], notes, table: str, technology: str):
    """The rows the plan prints, each worded as the plan, else as its technology's
    registered plan, words it."""
    defaults = PRINTED_ROWS.get(technology, FULL_ROWS)[table]
    wording = REFERENCE_WORDING.get(technology, {})
    printed = []
    for row in rows:
        note = notes.get((table, row.key), {})
        display = note.get("display", "")
        if display == "show" or (display != "hide" and row.key in defaults):
            definition, unit = wording.get((table, row.key), (None, None))
            if row.key == "rho_i" and not row.symbol.startswith("kWh"):
                definition = None  # the chiller's wording is of kWh_i (by capacity)
            if definition and not note.get("definition"):
                row.definition = definition
            if unit and not note.get("unit"):
                row.unit = unit
            printed.append(row)
    return printed


def _per_group(groups, formatter) -> str:
    values = [formatter(group) for group in groups]
    if len(values) == 1:
        return values[0]
    return "<br>".join(f"n{i + 1}：{value}" for i, value in enumerate(values))


def _side_rows(
    side: str,
    calc: dict,
    calculation_input,
    figures,
    notes,
    use_mwh: bool,
    groups_figures,
    count_unit: str,
    refrigerant_tco2e,
    symbols: dict,
):
    """The parameter table of (一) 基線 or (二) 專案, as the reference plans lay it out,
    every row a plan may print (`_printed` chooses); `figures` is the engine's
    SideFigures of this side (rounded from exact values), `groups_figures` its groups'
    consistency.group_figures, `refrigerant_tco2e` the exact Q_ref × GWP_ref."""
    baseline = side == "baseline"
    table = side
    groups = calc[side]["groups"]
    ef = calculation_input.emission_factor
    energy_value = thousands(figures.energy_mwh, 4) if use_mwh else thousands(figures.energy_kwh, 3)
    energy_unit = "MWh" if use_mwh else "kWh"
    e_symbol = "E<sub>BL,y</sub>" if baseline else "EP<sub>PJ,y</sub>"
    rows = [
        _row(
            notes,
            table,
            "BE_y" if baseline else "PE_y",
            "BE<sub>y</sub>" if baseline else "PE<sub>y</sub>",
            "第 y 年之基線排放量" if baseline else "第 y 年之專案排放量",
            tonnes(figures.emissions_tco2e),
            "tCO2e",
        ),
        _row(
            notes,
            table,
            "E_BL_y" if baseline else "E_PJ_y",
            e_symbol,
            "第 y 年基線用電量" if baseline else "第 y 年專案用電量",
            energy_value,
            energy_unit,
        ),
        _row(
            notes,
            table,
            "EF",
            symbols["EF_BL" if baseline else "EF_PJ"],
            "第 y 年電力或電網排放係數",
            decimal_text(ef),
            "tCO2e/MWh" if use_mwh else "kgCO2e/kWh",
        ),
    ]
    refrigerant = getattr(calculation_input, side).refrigerant
    if baseline:
        rows.append(
            _row(
                notes,
                table,
                "sum_i",
                symbols["sum_i"],
                "加總替換之 i 類別設備(例如40W 白熾燈泡,5hpmotor)，視為專案活動的一部分",
                "",
                "－",
            )
        )
    elif refrigerant is not None:
        rows.append(
            _row(
                notes,
                table,
                "PE_ref_y",
                "PE<sub>ref,y</sub>",
                "因冷媒洩漏而產生之專案活動排放量",
                tonnes(round_half_away_int(refrigerant_tco2e)),
                "tCO2e",
            )
        )
    rows.append(
        _row(
            notes,
            table,
            "n_i",
            "n<sub>i</sub>",
            "第 i 類設備數量",
            _per_group(groups, lambda g: thousands(g["count"])),
            count_unit,
        )
    )
    if all("power_kw" in g for g in groups):
        if use_mwh:
            power = _per_group(groups, lambda g: decimal_text(Decimal(g["power_kw"]) / 1000))
        else:
            power = _per_group(groups, lambda g: decimal_text(Decimal(g["power_kw"])))
        rows.append(
            _row(
                notes,
                table,
                "rho_i",
                "ρ<sub>i</sub>",
                "第 i 類設備之功率值",
                power,
                "MW" if use_mwh else "kW",
            )
        )
    elif all("capacity_rt" in g for g in groups):
        rows.append(
            _row(
                notes,
                table,
                "rho_i",
                "kWh<sub>i</sub>",
                "第 i 類設備耗用能量（冷凍能力 × 單位耗能）",
                _per_group(groups_figures, lambda g: thousands(g.power_kw, 2)),
                "kWh",
            )
        )
    else:
        rows.append(
            _row(
                notes,
                table,
                "rho_i",
                "ρ<sub>i</sub>",
                "第 i 類設備能源需求量（逐月）",
                _per_group(groups, _monthly("power_kw", "energy_kwh")),
                "kW",
            )
        )
    if all("annual_hours" in g for g in groups):
        hours = _per_group(groups, lambda g: thousands(Decimal(g["annual_hours"])))
        hours_unit = "小時/年"
    else:
        hours = _per_group(groups, _monthly("hours", None))
        hours_unit = "hr"
    rows.append(
        _row(notes, table, "o_i", "o<sub>i</sub>", "第 i 類設備年運轉時數", hours, hours_unit)
    )
    line_loss = Decimal(calc["line_loss"])
    rows.append(
        _row(
            notes,
            table,
            "l_y",
            "l<sub>y</sub>",
            "每年線路損失率",
            thousands(line_loss * 100) if line_loss else "－",
            "%" if line_loss else "－",
        )
    )
    if refrigerant is not None:
        suffix = "BL" if baseline else "PJ"
        rows.append(
            _row(
                notes,
                table,
                f"Q_ref_{suffix}",
                "Q<sub>ref,BL</sub>" if baseline else "Q<sub>ref,PJ,y</sub>",
                f"冷媒（{refrigerant.code}）年補充／洩漏量",
                decimal_text(refrigerant.annual_quantity_t),
                "t",
            )
        )
        rows.append(
            _row(
                notes,
                table,
                f"GWP_ref_{suffix}",
                f"GWP<sub>ref,{suffix}</sub>",
                "冷媒之全球暖化潛勢",
                decimal_text(refrigerant.gwp),
                "tCO2e/t",
            )
        )
    return rows


def _formula_numbers(numbered: bool, project_refrigerant: bool) -> dict[str, str]:
    """The label of each formula of section 四: 公式(1)–(6) in the chiller plan's order
    (PEref,y has its own only with a project refrigerant), or none."""
    names = ["BE", "E_BL", "PE", "E_PJ", *(["PE_ref"] if project_refrigerant else []), "ER"]
    if not numbered:
        return dict.fromkeys(names, "")
    return {name: f"公式({number})：" for number, name in enumerate(names, start=1)}


def _formula_text(
    symbols: dict, capacity: bool, baseline_refrigerant: bool, project_refrigerant: bool
) -> dict[str, str]:
    """Section 四's formulas in the notation `symbols` (NOTATION), as HTML."""

    def total(*indices):
        if symbols["under"]:
            return "".join(
                f'<span class="sum">Σ<span class="under">{i}</span></span>' for i in indices
            )
        return "".join(f"Σ<sub>{i}</sub>" for i in indices)

    divide, minus, loss = symbols["divide"], symbols["minus"], symbols["loss"]
    n, o, rho = "n<sub>i</sub>", "o<sub>i</sub>", "ρ<sub>i</sub>"
    if capacity:
        terms = (
            f"{n} × kWh<sub>i</sub> × {o}"
            if symbols["capacity_hours"]
            else f"{n} × kWh<sub>i</sub>"
        )
    else:
        terms = f"{n} × {rho} × {o}"
    refrigerant_bl = " + Q<sub>ref,BL</sub> × GWP<sub>ref,BL</sub>" if baseline_refrigerant else ""
    refrigerant_pj = " + PE<sub>ref,y</sub>" if project_refrigerant else ""
    pe_ref = "PE<sub>ref,y</sub> = (Q<sub>ref,PJ,y</sub>) × GWP<sub>ref,PJ</sub>"
    texts = {
        "BE": f"BE<sub>y</sub> = E<sub>BL,y</sub> × {symbols['EF_BL']}{refrigerant_bl}",
        "E_BL": f"E<sub>BL,y</sub> = {total('i')} ({terms}){divide}(1{minus}{loss})",
        "PE": f"PE<sub>y</sub> = EP<sub>PJ,y</sub> × {symbols['EF_PJ_formula']}{refrigerant_pj}",
        "E_PJ": f"EP<sub>PJ,y</sub> = {total('t', 'i')} ({n} × {rho} × {o}){divide}(1{minus}{loss})",
        "PE_ref": pe_ref,
        "ER": f"ER<sub>y</sub> = (BE<sub>y</sub>{minus}PE<sub>y</sub>){minus}LE<sub>y</sub>",
        # The chiller plan's (三) line names its refrigerant formula with * for ×.
        "LE": "PE<sub>ref,y</sub> = (Q<sub>ref,PJ,y</sub>)*GWP<sub>ref,PJ</sub>"
        if symbols["leakage_formula"] and project_refrigerant
        else "",
    }
    return {
        key: mark_safe(value) for key, value in texts.items()
    }  # constants and our own markup only


def _group_energies(groups_figures, use_mwh: bool, capacity: bool = False) -> list[dict]:
    """Each group's n_i × ρ_i × o_i (the Σ terms of E_BL,y / E_PJ,y; kWh_i for a
    chiller given by capacity, as formula (2) names it), as the page shows them
    (consistency.group_figures), in the side table's unit."""
    power = "kWh" if capacity else "ρ"
    terms = "n<sub>{0}</sub> × " + power + "<sub>{0}</sub> × o<sub>{0}</sub>"
    return [
        {
            # By month (no one power per unit): summed over the months t.
            "symbol": terms.format(g.number)
            if g.power_kw is not None
            else f"Σ<sub>t</sub> ({terms.format(g.number)})",
            "name": g.name,
            "value": thousands(g.energy_mwh, 4) if use_mwh else thousands(g.energy_kwh, 3),
            "unit": "MWh" if use_mwh else "kWh",
        }
        for g in groups_figures
    ]


def _monthly(power_key: str, energy_key: str | None):
    def format_group(group):
        values = []
        for period in group["periods"]:
            if power_key in period:
                values.append(decimal_text(Decimal(period[power_key])))
            elif energy_key and energy_key in period:
                values.append(f"{decimal_text(Decimal(period[energy_key]))} kWh")
            else:
                values.append("—")
        return "、".join(values)

    return format_group


# The footnote mark a condition's own wording may hold (see docs/interchange.md).
FOOTNOTE_MARK = "[1]"


def condition_texts(texts: list[str], footnote: str) -> list[str]:
    """The conditions' wordings as HTML, their lines kept; with a footnote, the first
    mark [1] (else the end of the last condition) holds the footnote itself, which
    the PDF floats to the page's foot and calls with a superscript 1."""
    html = [escape(text) for text in texts]
    if footnote and html:
        note = f'<span class="footnote"><sup>1</sup>{escape(footnote)}</span>'
        marked = next((i for i, text in enumerate(html) if FOOTNOTE_MARK in text), None)
        if marked is None:
            html[-1] += note
        else:
            html[marked] = html[marked].replace(FOOTNOTE_MARK, note, 1)
    return [mark_safe(text.replace("\n", "<br>")) for text in html]  # escaped above


def methodology_lines(plan: dict, methodology: dict) -> dict:
    """Section 一's 減量編號/名稱, 減量方法版本 and 範疇別 as the plan words them,
    else from the reference data as the registered chiller plan prints them:
    AMS-II.C 需求端…活動「Demand-side …」, Version 15.0, 能源需求業."""
    wording = plan.get("wording", {})
    code = methodology.get("code") or DEFAULT_METHODOLOGY[0]
    title_zh = methodology.get("title_zh") or METHODOLOGY_NAMES[0]
    title_en = methodology.get("title_en") or METHODOLOGY_NAMES[1]
    version = methodology.get("version") or DEFAULT_METHODOLOGY[1]
    return {
        "name": wording.get("methodology") or f"{code} {title_zh}「{title_en}」",
        "version": wording.get("methodology_version") or f"Version {version}",
        "sector": wording.get("sector") or methodology.get("sector_name") or METHODOLOGY_NAMES[2],
    }


def build_report(
    document: dict, results: dict, *, reference: dict | None = None, draft: bool
) -> Report:
    """The report of `document` computed with the reference snapshot `reference`
    (methodologies.reference); with a snapshot it reads nothing from the database.
    Without one (drafts, `manage.py render_pdf`) a snapshot of today's tables is taken.
    `results` are the engine's results of the same document and reference."""
    if reference is None:
        reference = reference_snapshot(document)
    plan = document.get("plan", {})
    calc = document["calculation"]
    calculation_input = parse_calculation_document(document, reference_from_snapshot(reference))
    exact = calculate(calculation_input)
    figures = exact.display()
    technology = plan.get("technology", "")
    calculation_notes = plan.get("calculation_notes", {})
    # The plan's units; left blank, its technology's (lighting: MWh and 具, else kWh and 台).
    energy_unit = calculation_notes.get("energy_unit", "")
    use_mwh = energy_unit == "MWh" if energy_unit else technology == "lighting"
    count_unit = calculation_notes.get("count_unit") or ("具" if technology == "lighting" else "台")
    notes = _notes(plan)
    symbols = notation(technology)
    report = Report(title=TITLES[plan["type"]], draft=draft, plan=plan, results=results)
    s = report.sections

    # 一、二
    s["labels"] = schema.pdf_labels()
    s["methodology_lines"] = methodology_lines(plan, reference.get("methodology", {}))
    s["number"] = plan.get("number", "")
    s["prepared_on"] = roc(plan.get("prepared_on"))
    s["crediting"] = (
        roc(plan["crediting_period"]["start"]),
        roc(plan["crediting_period"]["end"]),
    )
    s["start_date"] = roc(plan.get("start_date"))
    s["total"] = thousands(figures.total_reduction_tco2e)
    s["annual"] = thousands(figures.annual_reduction_tco2e)
    s["savings"] = thousands(figures.annual_savings_kwh)
    s["crediting_years"] = years_text(figures.crediting_years)
    s["application"] = plan.get("application", {})
    s["participants"] = _participant_lines(plan)
    s["schedule"] = [(_roc_month(st["month"]), st["step"]) for st in plan.get("schedule", [])]
    costs = plan.get("costs", {})
    s["costs"] = {
        item["key"]: {"amount": thousands(item["amount"]), "share": item["percent"]}
        for item in cost_figures(costs)
    }
    s["cost_note"] = costs.get("note", "")
    s["cost_other_label"] = costs.get("other_label", "")
    s["site"] = plan.get("site", {})
    s["measures_parts"] = _measures_parts(plan.get("measures", ""))
    s["equipment_headers"] = EQUIPMENT_WORDING.get(technology, {}).get(
        "headers", ("舊設備", "新設備")
    )
    s["equipment_rows"] = equipment_rows(plan, technology)
    lifetime = plan.get("lifetime", {})
    s["lifetime"] = lifetime
    s["lifetime_since"] = roc(lifetime.get("old_equipment_since"))
    s["lifetime_choices"] = [
        (_lifetime_label(key, label, lifetime), lifetime.get("exemption") == key)
        for key, label in LIFETIME_CHOICES
    ]

    # 三
    answers = {a["condition"]: a for a in document.get("applicability", [])}
    conditions = reference.get("methodology", {}).get("conditions", [])
    footnote = plan.get("wording", {}).get("conditions_footnote", "")
    s["conditions_footnote"] = footnote
    texts = condition_texts(
        [answers.get(c["number"], {}).get("wording") or c["text"] for c in conditions], footnote
    )
    s["conditions"] = [
        {
            "number": c["number"],
            "text": text,
            "answer": answers.get(c["number"], {}).get("answer", ""),
            "explanation": answers.get(c["number"], {}).get("explanation", ""),
        }
        for c, text in zip(conditions, texts, strict=True)
    ]
    s["service_range"] = _service_range(document.get("calculation", {}).get("service_level"))
    s.update(additionality_section(document, reference))

    # 四
    s["baseline_scenario"] = calculation_notes.get("baseline_scenario", "")
    s["project_scenario"] = calculation_notes.get("project_scenario", "")
    s["baseline_method"] = calculation_notes.get("baseline_method", "")
    s["project_method"] = calculation_notes.get("project_method", "")
    s["leakage_not_applicable"] = calculation_notes.get("leakage_not_applicable", False)
    s["leakage_note"] = calculation_notes.get("leakage_note", "")
    groups = group_figures(calculation_input)
    for side, refrigerant_tco2e in (
        ("baseline", exact.baseline_refrigerant_tco2e),
        ("project", exact.project_refrigerant_tco2e),
    ):
        rows = _side_rows(
            side,
            calc,
            calculation_input,
            getattr(figures, side),
            notes,
            use_mwh,
            groups[side],
            count_unit,
            refrigerant_tco2e,
            symbols,
        )
        s[f"{side}_rows"] = _printed(rows, notes, side, technology)
    s["baseline_capacity"] = bool(calc["baseline"]["groups"]) and all(
        "capacity_rt" in g for g in calc["baseline"]["groups"]
    )
    s["baseline_groups"] = _group_energies(groups["baseline"], use_mwh, s["baseline_capacity"])
    s["project_groups"] = _group_energies(groups["project"], use_mwh)
    s["baseline_refrigerant"] = calculation_input.baseline.refrigerant is not None
    s["project_refrigerant"] = calculation_input.project.refrigerant is not None
    s["formulas"] = _formula_numbers(
        calculation_notes.get("formula_numbers", False), s["project_refrigerant"]
    )
    s["notation"] = symbols
    s["formula_text"] = _formula_text(
        symbols, s["baseline_capacity"], s["baseline_refrigerant"], s["project_refrigerant"]
    )
    reduction_rows = [
        _row(notes, "reduction", "ER_y", "ER<sub>y</sub>", "y 年之排放減量", s["annual"], "tCO2e"),
        _row(
            notes,
            "reduction",
            "BE_y",
            "BE<sub>y</sub>",
            "y 年之基線排放量",
            tonnes(figures.baseline.emissions_tco2e),
            "tCO2e",
        ),
        _row(
            notes,
            "reduction",
            "PE_y",
            "PE<sub>y</sub>",
            "y 年之專案排放量",
            tonnes(figures.project.emissions_tco2e),
            "tCO2e",
        ),
        _row(
            notes,
            "reduction",
            "LE_y",
            "LE<sub>y</sub>",
            "y 年之洩漏排放量",
            tonnes(figures.leakage_tco2e),
            "tCO2e",
        ),
    ]
    s["reduction_rows"] = _printed(reduction_rows, notes, "reduction", technology)
    # (三) has no standard rows: the lighting plan prints its table with one blank row.
    s["leakage_rows"] = []
    # 五 and attachments
    s["environment"] = document.get("environment", {})
    consultation = document.get("consultation", {})
    # A sub-project may leave section 五 out; an empty section prints nothing.
    s["has_section_five"] = any(s["environment"].values()) or any(consultation.values())
    s["consultation"] = consultation
    survey_results = survey.compute(consultation)
    s["survey"] = survey_results
    # The computed figures in the registered plan's words, between the plan's own prose.
    s["tally_paragraph"] = survey_results.tally_paragraph()
    s["question_paragraphs"] = survey_results.question_paragraphs()
    s["tier_rows"] = [
        (row, tier, _roc_month(row.month))
        for row, tier in zip(survey_results.tiers, consultation.get("tiers", []), strict=True)
    ]
    s["survey_charts"] = [
        charts.bar_chart(
            [(option.text, option.share) for option in result.options],
            title=f"{result.number}. {result.text}",
        )
        for result in survey_results.questions
        if result.options
    ]
    s["attachments"] = document.get("attachments", [])
    s["figures"] = _figures(plan, report.images)
    return report


def equipment_rows(plan: dict, technology: str = "") -> list[tuple[str, str, str]]:
    """(label, old equipment, new equipment) of the 舊設備/新設備 table of a plan's
    `plan` part, only the rows with a value: no table (not even its header) without
    equipment. One unit for every item (the lighting plan's 數量(具)) goes into the
    label, with bare numbers."""
    equipment = plan.get("equipment", [])
    old = [e for e in equipment if e["side"] == "baseline"]
    new = [e for e in equipment if e["side"] == "project"]
    wording = EQUIPMENT_WORDING.get(technology, {})
    units = {e.get("unit", "") for e in equipment if e.get("quantity")}
    one_unit = units.pop() if len(units) == 1 else ""
    labels = {"efficacy": wording.get("efficacy", "效率")}
    if one_unit:
        labels["quantity"] = f"數量({one_unit})"
    return [
        (labels.get(key, label), old_value, new_value)
        for key, label in EQUIPMENT_ROWS
        for old_value, new_value in [
            (
                "、".join(filter(None, (_equipment_value(e, key, one_unit) for e in old))),
                "、".join(filter(None, (_equipment_value(e, key, one_unit) for e in new))),
            )
        ]
        if old_value or new_value
    ]


def additionality_section(document: dict, reference: dict) -> dict:
    """The 外加性分析（法規） of a plan document with its reference snapshot's
    regulation checklist: what the plan's section 三 prints, and the 監測報告書's
    section 四 confirms again (templates/reports/additionality.html)."""
    section: dict = {}
    additionality = document.get("additionality", {})
    chosen = {r["code"]: r.get("explanation", "") for r in additionality.get("regulations", [])}
    notes_by_group = additionality.get("notes", {})
    section["additionality_none"] = additionality.get("none", False)
    regulations = reference.get("regulations", [])
    section["regulation_groups"] = [
        {
            "label": group["label"],
            "items": [(r["name"], r["code"] in chosen) for r in regulations if r["group"] == value],
            "explanations": [
                (r["name"], chosen[r["code"]])
                for r in regulations
                if r["group"] == value and chosen.get(r["code"])
            ],
            "note": notes_by_group.get(value, ""),
        }
        for group in reference.get("regulation_groups", [])
        if (value := group["value"])
    ]
    section["other_regulation"] = additionality.get("other", {})
    rate = saving_rate_figures(additionality)
    if rate:
        section["saving_rate"] = {
            "year": rate["year"],
            "rows": [(label, letter, thousands(kwh)) for label, letter, kwh in rate["measures"]],
            "formula": rate["formula"],
            "f": thousands(rate["f"]),
            "g": thousands(rate["g"]),
            "h": f"{rate['h']:.2f}",
        }
    return section


SERVICE_METRICS = {"illuminance_lux": "照度", "cooling_capacity_rt": "冷凍能力(RT)"}


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _service_range(level: dict | None) -> dict | None:
    """The service-level table under condition 1 as the lighting plan prints it
    (項目 照度: 舊設備 92~333, 新設備 137~432, 基線90%-150% 82.8~499.5): the range
    of each side's measured values and the band the project's must fall in. Only
    for a plan that compares ranges (mode "range")."""
    if not level or level.get("mode") != "range" or not level.get("pairs"):
        return None
    baseline = [Decimal(p["baseline"]) for p in level["pairs"]]
    project = [Decimal(p["project"]) for p in level["pairs"]]
    return {
        "label": SERVICE_METRICS.get(level.get("metric", ""), level.get("metric", "")),
        "rows": [
            ("舊設備", f"{_plain(min(baseline))}~{_plain(max(baseline))}"),
            ("新設備", f"{_plain(min(project))}~{_plain(max(project))}"),
            (
                "基線90%-150%",
                f"{_plain(min(baseline) * Decimal('0.9'))}~{_plain(max(baseline) * Decimal('1.5'))}",
            ),
        ],
    }


def _blank(value, width: int) -> str:
    return str(value) if value not in (None, "") else "_" * width


def _lifetime_label(key: str, label: str, lifetime: dict) -> str:
    """A 壽齡 check box's words with its blanks, filled where the plan fills them."""
    if key == "cdm_tool":
        return (
            f"{label}：{_blank(lifetime.get('tool_equipment'), 6)}（設備名稱）"
            f"預設值{_blank(lifetime.get('tool_years'), 2)}年"
        )
    if key == "supplier":
        head, tail = label.split("，", 1)
        return f"{head}{_blank(lifetime.get('supplier_years'), 5)}，{tail}"
    if key == "statistics":
        return (
            f"{label}{_blank(lifetime.get('statistics_years'), 5)}年，"
            f"資料來源{_blank(lifetime.get('statistics_source'), 12)}"
        )
    return label


def _participant_lines(plan: dict) -> dict:
    """參與機構 as the registered plans word it: a sub-project ticks each role
    (■子專案實際減量單位) and leaves □其他參與單位 blank when it has none; an
    individual plan names its units without boxes (實際執行者) under the label's
    (實際減量單位). A description that names the unit itself (…輔導，且本專案碳權全數
    歸屬臺南市政府環境保護局) is printed alone, so the name is not printed once more."""
    sub_project = plan.get("type") == "sub_project"
    participants = plan.get("participants", [])
    lines = []
    for p in participants:
        role = p.get("role", "")
        if role == "implementer":
            label = "子專案實際減量單位" if sub_project else "實際執行者"
        else:
            label = PARTICIPANT_ROLES.get(role, role)
        name, description = p.get("name", ""), p.get("description", "")
        if description and name and name in description:
            text = description
        elif description:
            text = f"{name}（{description}）"
        else:
            text = name
        lines.append(f"■{label}：{text}" if sub_project else f"{label}：{text}")
    if sub_project and participants and not any(p.get("role") == "other" for p in participants):
        lines.append("□其他參與單位：" + "_" * 29)
    return {"lines": lines, "label_note": "" if sub_project else "(實際減量單位)"}


def _figures(plan: dict, images: dict) -> dict[str, list[dict]]:
    """{slot: [{"src", "caption"}]} of `plan.figures`, each image's bytes put in
    `images` under its `src` (the document was checked when it was read)."""
    by_slot: dict[str, list[dict]] = {}
    for index, figure in enumerate(plan.get("figures", [])):
        image = figure["image"]
        extension = "png" if image["media_type"] == "image/png" else "jpg"
        src = f"figures/{index}.{extension}"
        images[src] = (decode_chunks(image["data"]), image["media_type"])
        by_slot.setdefault(figure["slot"], []).append({"src": src, "caption": figure["caption"]})
    return by_slot


def _equipment_value(item: dict, key: str, one_unit: str = "") -> str:
    value = item.get(key, "")
    if key == "quantity" and value:
        unit = "" if one_unit else item.get("unit", "")
        return f"{thousands(value)} {unit}".strip()
    return str(value)


def _measures_parts(text: str) -> list[dict]:
    """減量措施、設備說明 cut where the plan refers to its equipment table (…如下表)
    and to its equipment pictures (…如下圖), so that each is printed there, as the
    registered plans have them: [{"text", "table", "figures"}]; what no paragraph
    refers to is printed after the last."""
    parts: list[dict] = []
    table = figures = False
    for line in text.split("\n"):
        if not parts or parts[-1]["table"] or parts[-1]["figures"]:
            parts.append({"text": line, "table": False, "figures": False})
        else:
            parts[-1]["text"] += "\n" + line
        if not table and "如下表" in line:
            parts[-1]["table"] = table = True
        if not figures and "如下圖" in line:
            parts[-1]["figures"] = figures = True
    parts[-1]["table"] |= not table
    parts[-1]["figures"] |= not figures
    return parts


def _roc_month(value: str | None) -> str:
    if not value:
        return ""
    year, month = value.split("-")
    return f"{int(year) - 1911}.{month}"
