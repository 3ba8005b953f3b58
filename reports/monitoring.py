"""What the official 監測報告書 (monitoring report) PDF shows, in two steps.

`MonitoringSource` holds everything the PDF prints, read from the database
beforehand (reports.services.monitoring_source): the report's
`offset-monitoring/1` document, its results and reference snapshot (a frozen
MonitoringReportVersion's own, or the current draft's computed now), the
registered plan version's document, results and snapshot, and the few facts of
the report's rows (organisation, evidence, the verifier's figure).
`build_monitoring_report` turns it into the layout's sections without touching
the database, so a version renders the same whatever happens to the tables.

The figures are the engine's: the results JSON to the string (with thousands
separators), and, for what the JSON does not carry (each group's energy, each
month's, the exact ER_y), the engine's exact values of the same document and
snapshot, each rounded once. The layout follows the 計畫書 PDF
(reports.context): its fonts, headings, parameter tables with ■預設□監測 boxes,
formula numbers and ROC dates.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.utils import translation

from methodologies.engine import calculate_monitoring, parse_monitoring_document
from methodologies.engine.calculation import format_fixed, round_half_away
from methodologies.reference import reference_from_snapshot
from projects.consistency import group_figures
from projects.dates import roc_long, years_text
from projects.presentation import display_results
from reports.context import (
    TITLES,
    ParameterRow,
    _formula_numbers,
    _notes,
    _roc_month,
    additionality_section,
    equipment_rows,
    roc,
    thousands,
)

REPORT_TITLES = {kind: title.replace("計畫書", "監測報告書") for kind, title in TITLES.items()}
TECHNOLOGIES = {"lighting": "照明", "chiller": "冰水主機", "other": "其他"}
CREDITING_TYPES = {"fixed": "固定型（10年）", "renewable": "展延型（7年）"}
SIDES = {"baseline": "基線", "project": "專案"}
# Groups side by side in one month table before it is split (the page's width).
MONTH_TABLE_GROUPS = 3


@dataclass(frozen=True)
class Evidence:
    label: str
    description: str
    filename: str
    sha256: str = ""


@dataclass(frozen=True)
class Verification:
    """The verification body's figure, printed when the body recorded it."""

    body: str
    reduction_tco2e: int | None
    statements: tuple[Evidence, ...] = ()
    # False for a version a later submission replaced: its verification is the later one's.
    current: bool = True


@dataclass(frozen=True)
class MonitoringSource:
    """Everything the 監測報告書 prints; reading it needs no database."""

    document: dict  # offset-monitoring/1
    results: dict  # offset-monitoring-results/1 of `document` with `reference`
    reference: dict  # the report's snapshot: its year's emission factor, refrigerants
    plan_document: dict  # the registered PlanVersion's offset-plan/1
    plan_results: dict  # its offset-plan-results/1
    plan_reference: dict  # its snapshot (the regulation checklist)
    organisation: str
    authority: str
    registered_on: date | None
    dated: date  # the version's submission, or the day a draft is printed
    draft: bool
    version: int | None = None
    factor_source: str = ""
    evidence: tuple[Evidence, ...] = ()
    verification: Verification | None = None


@dataclass
class MonitoringPdf:
    title: str
    draft: bool
    sections: dict = field(default_factory=dict)


def _tonnes3(value: str) -> str:
    """A tCO2e figure of the results JSON (3 decimals) as printed: 1,234.567."""
    return thousands(Decimal(value), 3)


def _kwh(value: str | Decimal) -> str:
    return thousands(Decimal(value), 3)


def _source_row(notes, table, key, symbol, definition, value, unit, note=None) -> ParameterRow:
    """A parameter row with the registered plan's 數據來源 box (預設/監測) and 說明 of the
    same parameter, or `note` in place of the plan's 說明."""
    plan_note = notes.get((table, key), {})
    return ParameterRow(
        symbol,
        definition,
        value,
        unit,
        plan_note.get("source", ""),
        note if note is not None else plan_note.get("note", ""),
        key,
    )


def _per_group(values: list[str]) -> str:
    if len(values) == 1:
        return values[0]
    return "<br>".join(f"n{i + 1}：{value}" for i, value in enumerate(values))


def _measured_rows(side: str, groups, figures, refrigerant, notes, count_unit) -> list:
    """Section 二's table of one side: what was measured of each group during the
    period (devices in operation, power, operating hours) and the refrigerant."""
    rows = [
        _source_row(
            notes,
            side,
            "n_i",
            "n<sub>i</sub>",
            "監測期間運轉中之第 i 類設備數量",
            _per_group([thousands(g.count) for g in groups]),
            count_unit,
        )
    ]
    powers, makeup, hours = [], [], []
    for group, figure in zip(groups, figures, strict=True):
        if group.shape == "periods":
            powers.append("逐月")
            hours.append("逐月")
            continue
        if group.shape == "power":
            powers.append(thousands(group.power_kw))
        else:
            powers.append(thousands(figure.power_kw, 2))
            makeup.append(
                f"{thousands(group.capacity_rt)} RT × {thousands(group.kw_per_rt)} kW/RT"
                if len(groups) == 1
                else f"n{figure.number}：{thousands(group.capacity_rt)} RT × "
                f"{thousands(group.kw_per_rt)} kW/RT"
            )
        hours.append(thousands(group.annual_hours))
    monthly = all(g.shape == "periods" for g in groups)
    definition = "第 i 類設備之功率值"
    if makeup:
        definition += f"（冷凍能力 × 單位耗能：{'；'.join(makeup)}）"
    rows.append(
        _source_row(
            notes,
            side,
            "rho_i",
            "ρ<sub>i</sub>",
            definition,
            _per_group(powers),
            "kW（逐月見下表）" if monthly else "kW",
        )
    )
    rows.append(
        _source_row(
            notes,
            side,
            "o_i",
            "o<sub>i</sub>",
            "監測期間第 i 類設備運轉時數",
            _per_group(hours),
            "小時（逐月見下表）" if monthly else "小時",
        )
    )
    if refrigerant is not None:
        suffix = "BL" if side == "baseline" else "PJ"
        rows.append(
            _source_row(
                notes,
                side,
                f"Q_ref_{suffix}",
                f"Q<sub>ref,{suffix}</sub>",
                f"監測期間冷媒（{refrigerant.code}）補充／洩漏量",
                thousands(refrigerant.annual_quantity_t),
                "t",
            )
        )
        rows.append(
            _source_row(
                notes,
                side,
                f"GWP_ref_{suffix}",
                f"GWP<sub>ref,{suffix}</sub>",
                "冷媒之全球暖化潛勢",
                thousands(refrigerant.gwp),
                "tCO2e/t",
            )
        )
    return rows


def _month_energy(count: int, period) -> Fraction:
    """One month's energy of a group: count × (metered kWh, or power × hours), as the
    engine sums it (group_energy_kwh)."""
    if period.energy_kwh is not None:
        return count * Fraction(period.energy_kwh)
    return count * Fraction(period.power_kw) * Fraction(period.hours)


def _month_tables(groups, figures) -> list[dict]:
    """The month grid of a side's metered groups: one row a month (ROC), per group its
    power and hours (when given) and its energy, the groups' total under it (the
    engine's group energy); at most MONTH_TABLE_GROUPS groups a table."""
    metered = [
        (number, group, figure)
        for number, (group, figure) in enumerate(zip(groups, figures, strict=True), start=1)
        if group.shape == "periods"
    ]
    tables = []
    for first in range(0, len(metered), MONTH_TABLE_GROUPS):
        chunk = metered[first : first + MONTH_TABLE_GROUPS]
        months = sorted({p.period for _n, group, _f in chunk for p in group.periods})
        columns = []
        for number, group, figure in chunk:
            by_month = {p.period: p for p in group.periods}
            timed = any(p.energy_kwh is None for p in group.periods)
            cells = []
            for month in months:
                period = by_month.get(month)
                if period is None:
                    cells.append((timed, "", "", "—"))
                    continue
                energy = thousands(round_half_away(_month_energy(group.count, period), 3), 3)
                if period.energy_kwh is not None:
                    cells.append((timed, "—", "—", energy))
                else:
                    power, hours = thousands(period.power_kw), thousands(period.hours)
                    cells.append((timed, power, hours, energy))
            columns.append(
                {
                    "number": number,
                    "name": group.name,
                    "count": group.count,
                    "timed": timed,
                    "cells": cells,
                    "total": thousands(figure.energy_kwh, 3),
                }
            )
        tables.append(
            {
                "columns": columns,
                "rows": [
                    (_roc_month(month), [column["cells"][index] for column in columns])
                    for index, month in enumerate(months)
                ],
            }
        )
    return tables


def _group_energies(figures) -> list[dict]:
    """Each group's Σ term of E_BL,y / E_PJ,y for the period (kWh, before line loss)."""
    return [
        {
            "symbol": (
                f"n<sub>{g.number}</sub> × ρ<sub>{g.number}</sub> × o<sub>{g.number}</sub>"
                if g.power_kw is not None
                else f"Σ<sub>t</sub> (n<sub>{g.number}</sub> × E<sub>{g.number},t</sub>)"
            ),
            "name": g.name,
            "value": thousands(g.energy_kwh, 3),
        }
        for g in figures
    ]


def _emission_rows(side: str, results: dict, inp, notes, ef_row) -> list[ParameterRow]:
    """Section 三's ex-post table of one side: BE_y / PE_y, E_BL,y / E_PJ,y, EF and
    the refrigerant's emissions, the results JSON's figures to the string."""
    baseline = side == "baseline"
    figures = results[side]
    rows = [
        _source_row(
            notes,
            side,
            "BE_y" if baseline else "PE_y",
            "BE<sub>y</sub>" if baseline else "PE<sub>y</sub>",
            "監測期間之基線排放量" if baseline else "監測期間之專案排放量",
            _tonnes3(figures["emissions_tco2e"]),
            "tCO2e",
        ),
        _source_row(
            notes,
            side,
            "E_BL_y" if baseline else "E_PJ_y",
            "E<sub>BL,y</sub>" if baseline else "E<sub>PJ,y</sub>",
            "監測期間之基線用電量" if baseline else "監測期間之專案用電量",
            _kwh(figures["energy_kwh"]),
            "kWh",
        ),
        ef_row,
        ParameterRow(
            "l<sub>y</sub>",
            "線路損失率",
            thousands(inp.line_loss * 100) if inp.line_loss else "－",
            "%" if inp.line_loss else "－",
            notes.get((side, "l_y"), {}).get("source", ""),
            notes.get((side, "l_y"), {}).get("note", ""),
            "l_y",
        ),
    ]
    if getattr(inp, side).refrigerant is not None:
        suffix = "BL" if baseline else "PJ"
        quantity_note = notes.get((side, f"Q_ref_{suffix}"), {})
        rows.append(
            ParameterRow(
                "Q<sub>ref,BL</sub> × GWP<sub>ref,BL</sub>" if baseline else "PE<sub>ref,y</sub>",
                "冷媒洩漏之基線排放量" if baseline else "因冷媒洩漏而產生之專案活動排放量",
                _tonnes3(figures["refrigerant_tco2e"]),
                "tCO2e",
                quantity_note.get("source", ""),
                "監測期間冷媒補充／洩漏量 × GWP，見二(四)冷媒補充與洩漏",
                "BE_ref_y" if baseline else "PE_ref_y",
            )
        )
    return rows


def _ex_ante(plan_results: dict, results: dict) -> list[tuple] | None:
    """The registered plan's estimate for the period (its annual figures × the period's
    years, as projects.monitoring.entry.ex_ante shows it on the page) beside the
    period's figures."""
    if not plan_results:
        return None
    years = Fraction(Decimal(results["period_years"]))

    def share(value: str) -> str:
        return format_fixed(Fraction(Decimal(value)) * years, 3)

    rows = [
        (
            "E<sub>BL,y</sub>",
            "基線用電量",
            "kWh",
            plan_results["baseline"]["energy_kwh"],
            results["baseline"]["energy_kwh"],
        ),
        (
            "BE<sub>y</sub>",
            "基線排放量",
            "tCO2e",
            plan_results["baseline"]["emissions_tco2e"],
            results["baseline"]["emissions_tco2e"],
        ),
        (
            "E<sub>PJ,y</sub>",
            "專案用電量",
            "kWh",
            plan_results["project"]["energy_kwh"],
            results["project"]["energy_kwh"],
        ),
        (
            "PE<sub>y</sub>",
            "專案排放量",
            "tCO2e",
            plan_results["project"]["emissions_tco2e"],
            results["project"]["emissions_tco2e"],
        ),
        (
            "LE<sub>y</sub>",
            "洩漏量",
            "tCO2e",
            plan_results["leakage_tco2e"],
            results["leakage_tco2e"],
        ),
    ]
    return [
        (symbol, label, unit, thousands(Decimal(share(annual)), 3), thousands(Decimal(now), 3))
        for symbol, label, unit, annual, now in rows
    ]


def build_monitoring_report(source: MonitoringSource) -> MonitoringPdf:
    """The 監測報告書's sections from `source`, with no database query."""
    with translation.override("zh-hant"):
        return _build(source)


def _build(source: MonitoringSource) -> MonitoringPdf:
    document, results = source.document, source.results
    monitoring = document["monitoring"]
    plan = source.plan_document.get("plan", {})
    inp = parse_monitoring_document(document, reference_from_snapshot(source.reference))
    exact = calculate_monitoring(inp)
    groups = group_figures(inp)
    notes = _notes(plan)
    calculation_notes = plan.get("calculation_notes", {})
    technology = plan.get("technology", "")
    count_unit = calculation_notes.get("count_unit") or ("具" if technology == "lighting" else "台")
    report = MonitoringPdf(
        title=REPORT_TITLES.get(plan.get("type"), REPORT_TITLES["individual"]), draft=source.draft
    )
    s = report.sections

    # Cover
    period = monitoring["period"]
    s["number"] = document["plan"]["number"]
    s["report_number"] = monitoring["number"]
    s["period"] = (roc(period["start"]), roc(period["end"]))
    s["period_days"] = results["period_days"]
    s["period_years"] = years_text(results["period_years"])
    s["plan_title"] = plan.get("title", "")
    s["organisation"] = source.organisation or plan.get("organization", "")
    s["authority"] = source.authority
    s["version"] = source.version
    s["dated"] = roc_long(source.dated)
    s["methodology"] = plan.get("methodology", {})

    # 一 專案活動描述
    crediting = document["plan"]["crediting_period"]
    s["crediting"] = (roc(crediting["start"]), roc(crediting["end"]))
    s["crediting_type"] = CREDITING_TYPES.get(plan.get("application", {}).get("crediting"), "")
    s["registered_on"] = roc_long(source.registered_on) if source.registered_on else ""
    s["technology"] = TECHNOLOGIES.get(technology, technology)
    s["programme"] = plan.get("programme") if plan.get("type") == "sub_project" else None
    s["site"] = plan.get("site", {})
    s["measures"] = plan.get("measures", "")
    s["equipment_rows"] = equipment_rows(plan, technology)
    s["annual_estimate"] = thousands(document["plan"]["annual_reduction_tco2e"])

    # 二 監測情形說明
    factor = inp.emission_factor
    s["factor"] = {
        "year": inp.emission_factor_year,
        "roc_year": inp.emission_factor_year - 1911,
        "value": thousands(factor),
        "source": source.factor_source,
        "unconfirmed": inp.emission_factor_unconfirmed,
    }
    s["line_loss"] = thousands(inp.line_loss * 100) if inp.line_loss else "0"
    s["gwp_edition"] = inp.gwp_edition
    for side in SIDES:
        side_input = getattr(inp, side)
        s[f"{side}_measured"] = _measured_rows(
            side, side_input.groups, groups[side], side_input.refrigerant, notes, count_unit
        )
        s[f"{side}_months"] = _month_tables(side_input.groups, groups[side])
    s["side_sections"] = [
        (
            label,
            f"({number}) {label}情境監測參數",
            s[f"{side}_measured"],
            s[f"{side}_months"],
            [(g.number, g.name) for g in groups[side]],
        )
        for (side, label), number in zip(SIDES.items(), "二三", strict=True)
    ]
    s["refrigerants"] = [
        {
            "side": label,
            "code": refrigerant.code,
            "quantity": thousands(refrigerant.annual_quantity_t),
            "gwp": thousands(refrigerant.gwp),
            "odp": thousands(refrigerant.odp) if refrigerant.odp is not None else "—",
            "tco2e": _tonnes3(results[side]["refrigerant_tco2e"]),
        }
        for side, label in SIDES.items()
        if (refrigerant := getattr(inp, side).refrigerant) is not None
    ]
    s["leakage"] = _tonnes3(results["leakage_tco2e"])
    s["leakage_not_applicable"] = calculation_notes.get("leakage_not_applicable", False) and not (
        exact.leakage_tco2e
    )
    s["leakage_note"] = calculation_notes.get("leakage_note", "")
    s["evidence"] = source.evidence

    # 三 減量計算
    project_refrigerant = inp.project.refrigerant is not None
    s["formulas"] = _formula_numbers(
        calculation_notes.get("formula_numbers", False), project_refrigerant
    )
    s["baseline_refrigerant_formula"] = inp.baseline.refrigerant is not None
    s["project_refrigerant_formula"] = project_refrigerant
    s["baseline_capacity"] = any(g.shape == "chiller" for g in inp.baseline.groups)
    s["baseline_groups"] = _group_energies(groups["baseline"])
    s["project_groups"] = _group_energies(groups["project"])
    ef_note = f"以經濟部能源署公告之 {inp.emission_factor_year - 1911} 年度電力排碳係數計算" + (
        "（尚待確認）" if inp.emission_factor_unconfirmed else ""
    )
    for side in SIDES:
        ef_row = _source_row(
            notes,
            side,
            "EF",
            "EF<sub>CO2,ELEC,y</sub>",
            f"{inp.emission_factor_year - 1911} 年度電力排碳係數",
            thousands(factor),
            "kgCO2e/kWh",
            note=ef_note,
        )
        s[f"{side}_emissions"] = _emission_rows(side, results, inp, notes, ef_row)
    s["reduction_rows"] = [
        (
            "BE<sub>y</sub>",
            "監測期間之基線排放量",
            _tonnes3(results["baseline"]["emissions_tco2e"]),
        ),
        ("PE<sub>y</sub>", "監測期間之專案排放量", _tonnes3(results["project"]["emissions_tco2e"])),
        ("LE<sub>y</sub>", "監測期間之洩漏排放量", _tonnes3(results["leakage_tco2e"])),
        (
            "ER<sub>y</sub>",
            "監測期間之排放減量 (BE<sub>y</sub> − PE<sub>y</sub> − LE<sub>y</sub>)",
            thousands(round_half_away(exact.reduction_tco2e, 3), 3),
        ),
    ]
    s["reduction"] = thousands(Decimal(results["reduction_tco2e"]))
    s["savings"] = thousands(Decimal(results["savings_kwh"]))

    # 四 法規外加性
    s.update(additionality_section(source.plan_document, source.plan_reference))
    s["ex_ante"] = thousands(Decimal(results["ex_ante_tco2e"]))
    s["ex_ante_table"] = _ex_ante(source.plan_results, results)
    above = int(results["reduction_tco2e"]) > int(results["ex_ante_tco2e"])
    s["above_estimate"] = above
    s["difference"] = thousands(int(results["reduction_tco2e"]) - int(results["ex_ante_tco2e"]))
    s["explanation"] = monitoring.get("explanation", "")
    s["verification"] = source.verification
    if source.verification and source.verification.reduction_tco2e is not None:
        s["verified"] = thousands(source.verification.reduction_tco2e)
    s["checks"] = display_results(results)["checks"]
    return report
