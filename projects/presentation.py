"""The engine's results and errors in the user's words, for pages and the PDF.

The engine gives each check and each document error a code with params (plain values); the
tables here word every code in zh-Hant (English through the catalogue), with numbers
formatted as the pages format them. Only a code missing from the tables falls back to the
engine's English text (tests/projects/test_messages.py forbids that for the engine's codes).
"""

import re
from datetime import date
from decimal import InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodologies.engine import MONITORING_RESULTS_FORMAT
from projects.dates import roc_long, years_text
from projects.templatetags.plan_format import thousands

CHECK_LABELS = {
    "service_level": gettext_lazy("服務水平介於基線 90–150%（條件 1）"),
    "savings_cap": gettext_lazy("年節電量不超過 60 GWh（條件 5）"),
    "microscale": gettext_lazy("年節電量不超過 20 GWh（微型規模）"),
    "refrigerant_odp": gettext_lazy("專案冷媒不具臭氧破壞潛勢（條件 3）"),
    "positive_reduction": gettext_lazy("年減量為正值（條件 4）"),
    "minimum_total": gettext_lazy("計畫型專案計入期總減量超過 500 tCO2e"),
}
# A monitoring report's checks (offset-monitoring-results/1), some ids shared with the plan's.
MONITORING_CHECK_LABELS = {
    "within_crediting_period": gettext_lazy("監測期間位於專案計入期內"),
    "single_calendar_year": gettext_lazy("監測期間與電力排碳係數屬同一年度"),
    "positive_reduction": gettext_lazy("本期減量為正值"),
    "microscale": gettext_lazy("年化節電量不超過 20 GWh（微型規模）"),
    "refrigerant_odp": gettext_lazy("專案冷媒不具臭氧破壞潛勢（條件 3）"),
    "above_estimate_explained": gettext_lazy("減量高於計畫書預估時已說明原因"),
}
STATUS_LABELS = {
    "pass": gettext_lazy("符合"),
    "fail": gettext_lazy("不符合"),
    "not_applicable": gettext_lazy("不適用"),
}

# The detail of each check, by its code (methodologies.engine.calculation.CHECK_CODES).
CHECK_MESSAGES = {
    "service_level.none": gettext_lazy("未提供服務水平資料"),
    "service_level.aggregate_within": gettext_lazy(
        "%(metric)s：專案合計 ÷ 基線合計 = %(ratio)s%%，介於 %(low)s–%(high)s%%"
    ),
    "service_level.aggregate_outside": gettext_lazy(
        "%(metric)s：專案合計 ÷ 基線合計 = %(ratio)s%%，不在 %(low)s–%(high)s%% 之間"
    ),
    "service_level.range_within": gettext_lazy(
        "%(metric)s：每一專案值皆介於 %(low)s 至 %(high)s 之間"
    ),
    "service_level.range_outside": gettext_lazy(
        "%(metric)s：不在 %(low)s 至 %(high)s 之間：%(points)s"
    ),
    "service_level.per_point_within": gettext_lazy(
        "%(metric)s：每一點的專案 ÷ 基線皆介於 %(low)s–%(high)s%%"
    ),
    "service_level.per_point_outside": gettext_lazy(
        "%(metric)s：專案 ÷ 基線不在 %(low)s–%(high)s%% 之間：%(points)s"
    ),
    "savings_cap.within": gettext_lazy("年節電量 %(savings_gwh)s GWh ≤ %(limit_gwh)s GWh"),
    "savings_cap.over": gettext_lazy("年節電量 %(savings_gwh)s GWh > %(limit_gwh)s GWh"),
    "microscale.within": gettext_lazy("年節電量 %(savings_gwh)s GWh ≤ %(limit_gwh)s GWh"),
    "microscale.over": gettext_lazy("年節電量 %(savings_gwh)s GWh > %(limit_gwh)s GWh"),
    "refrigerant_odp.none": gettext_lazy("專案未使用冷媒"),
    "refrigerant_odp.zero": gettext_lazy("%(refrigerant)s 的 ODP 為 0%(source)s"),
    "refrigerant_odp.positive": gettext_lazy("%(refrigerant)s 的 ODP 為 %(odp)s > 0%(source)s"),
    "positive_reduction.positive": gettext_lazy("年減量 ER_y = %(reduction)s tCO2e > 0"),
    "positive_reduction.not_positive": gettext_lazy("年減量 ER_y = %(reduction)s tCO2e ≤ 0"),
    "minimum_total.sub_project": gettext_lazy("方案型子專案沒有最低總減量的規定"),
    "minimum_total.over": gettext_lazy(
        "計入期 %(years)s 年總減量 %(total)s tCO2e > %(minimum)s tCO2e"
    ),
    "minimum_total.not_over": gettext_lazy(
        "計入期 %(years)s 年總減量 %(total)s tCO2e ≤ %(minimum)s tCO2e"
    ),
    # Monitoring reports (methodologies.engine.monitoring.MONITORING_CHECK_CODES)
    "within_crediting_period.within": gettext_lazy(
        "監測期間 %(start)s 至 %(end)s 位於專案計入期 %(crediting_start)s 至 %(crediting_end)s 內"
    ),
    "within_crediting_period.outside": gettext_lazy(
        "監測期間 %(start)s 至 %(end)s 超出專案計入期 %(crediting_start)s 至 %(crediting_end)s"
    ),
    "single_calendar_year.same": gettext_lazy(
        "監測期間 %(start)s 至 %(end)s 與 %(factor_year)s 年電力排碳係數屬同一年度"
    ),
    "single_calendar_year.different": gettext_lazy(
        "監測期間 %(start)s 至 %(end)s 與 %(factor_year)s 年電力排碳係數不屬同一年度"
    ),
    "positive_reduction.period_positive": gettext_lazy("本期減量 ER_y = %(reduction)s tCO2e > 0"),
    "positive_reduction.period_not_positive": gettext_lazy(
        "本期減量 ER_y = %(reduction)s tCO2e ≤ 0"
    ),
    "microscale.period_within": gettext_lazy("年化節電量 %(savings_gwh)s GWh ≤ %(limit_gwh)s GWh"),
    "microscale.period_over": gettext_lazy("年化節電量 %(savings_gwh)s GWh > %(limit_gwh)s GWh"),
    "above_estimate_explained.not_above": gettext_lazy(
        "本期減量 %(reduction)s tCO2e 未高於計畫書本期預估 %(ex_ante)s tCO2e"
    ),
    "above_estimate_explained.explained": gettext_lazy(
        "本期減量 %(reduction)s tCO2e 高於計畫書本期預估 %(ex_ante)s tCO2e，已說明原因"
    ),
    "above_estimate_explained.unexplained": gettext_lazy(
        "本期減量 %(reduction)s tCO2e 高於計畫書本期預估 %(ex_ante)s tCO2e，尚未說明原因"
    ),
}
SIDE_LABELS = {"baseline": gettext_lazy("基線"), "project": gettext_lazy("專案")}

# Each error code of the engine (methodologies.engine.errors.ERROR_CODES), worded.
ERROR_MESSAGES = {
    "required": gettext_lazy("尚未填寫"),
    "not_null": gettext_lazy("不可為空值（null）"),
    "not_object": gettext_lazy("必須是 JSON 物件"),
    "duplicate_key": gettext_lazy("欄位重複出現"),
    "unknown_key": gettext_lazy("無法辨識的欄位"),
    "not_string": gettext_lazy("必須是文字"),
    "not_in_choices": gettext_lazy("必須是下列之一：%(choices)s"),
    "not_quantity": gettext_lazy('必須是以文字表示的數字，例如 "0.028"'),
    "too_many_decimals": gettext_lazy("小數最多 %(places)s 位"),
    "too_large": gettext_lazy("必須小於 %(maximum)s"),
    "negative": gettext_lazy("不可為負數"),
    "not_positive": gettext_lazy("必須大於 0"),
    "not_below_one": gettext_lazy("必須小於 1"),
    "above_maximum": gettext_lazy("不可超過 %(maximum)s"),
    "below_minimum": gettext_lazy("不可小於 %(minimum)s"),
    "not_count": gettext_lazy("必須是 1 以上的整數"),
    "not_integer": gettext_lazy("必須是整數"),
    "not_date": gettext_lazy("日期應寫成西元年-月-日，例如 2024-06-30"),
    "date_not_exists": gettext_lazy("沒有 %(value)s 這一天"),
    "not_month": gettext_lazy("月份應寫成西元年-月，例如 2024-06"),
    "not_boolean": gettext_lazy("必須是 true 或 false"),
    "not_array": gettext_lazy("必須是清單（JSON 陣列）"),
    "empty": gettext_lazy("至少需要一項"),
    "too_few_items": gettext_lazy("至少需要 %(count)s 項"),
    "wrong_format": gettext_lazy('必須是 "%(format)s"'),
    "end_before_start": gettext_lazy("結束日不可早於開始日"),
    "factor_needs_value_or_year": gettext_lazy("請填寫係數值，或選擇參考表的年度"),
    "no_factor_for_year": gettext_lazy("參考表中沒有 %(year)s 年的電力排碳係數"),
    "mixed_shapes": gettext_lazy("同時使用了%(shapes)s的填法，只能擇一"),
    "no_shape": gettext_lazy("請填寫功率與年運轉時數、冷凍噸與 kW/RT，或逐月用電"),
    "period_energy_and_power": gettext_lazy("同時填了用電量與功率／時數，只能擇一"),
    "period_needs_energy_or_power": gettext_lazy("請填寫功率與時數，或用電量"),
    "period_twice": gettext_lazy("%(month)s 在此群組出現兩次"),
    "month_outside_period": gettext_lazy("%(month)s 不在期間 %(start)s 至 %(end)s 內"),
    "refrigerant_not_in_table": gettext_lazy("%(refrigerant)s 不在參考表中，請填寫 %(keys)s"),
    "refrigerant_no_edition": gettext_lazy(
        "參考表中沒有 %(refrigerant)s 的 %(edition)s GWP，請填寫 GWP"
    ),
    "not_utf8": gettext_lazy("檔案不是 UTF-8 文字"),
    "nested_too_deep": gettext_lazy("巢狀超過 %(depth)s 層"),
    "invalid_json": gettext_lazy("不是有效的 JSON 檔案"),
    "invalid_json_at": gettext_lazy("不是有效的 JSON 檔案（第 %(line)s 行第 %(column)s 字）"),
    "not_a_number": gettext_lazy("不是有效的 JSON 檔案：%(name)s 不是數字"),
    "document_too_large": gettext_lazy("檔案大於 %(maximum)s 位元組"),
    "string_too_long": gettext_lazy("文字超過 %(maximum)s 字"),
    "key_too_long": gettext_lazy("欄位名稱超過 %(maximum)s 字"),
    "too_many_items": gettext_lazy("超過 %(maximum)s %(what)s（共 %(count)s）"),
}
# The product's own refusals (projects/interchange.py, projects/services.py), which have no
# code: by their English text, or a pattern of it.
PRODUCT_MESSAGES = {
    "must be null for an individual plan": gettext_lazy("計畫型專案不屬於方案，應為 null"),
    "appears twice in this table": gettext_lazy("在此表中重複出現"),
    "appears twice": gettext_lazy("重複出現"),
    "not in the regulation catalogue": gettext_lazy("不在法規清單中"),
    "must be a non-empty string": gettext_lazy("必須是不空白的文字"),
    "a multi-choice question needs 2 options": gettext_lazy("複選題至少需要 2 個選項"),
    "only multi-choice questions have options": gettext_lazy("只有複選題可以有選項"),
    "must not exceed the copies sent": gettext_lazy("不可超過發出份數"),
    "no such question, or given twice": gettext_lazy("沒有這一題，或重複填寫"),
    "must be a count of answers (an integer ≥ 0)": gettext_lazy("回答數必須是 0 以上的整數"),
    "must not exceed the copies returned": gettext_lazy("不可超過回收份數"),
    "needs one count per option": gettext_lazy("每個選項都需要一個回答數"),
    "needs one response per option": gettext_lazy("每個選項都需要一則回應（無回應時為空字串）"),
    "only multi-choice questions have responses": gettext_lazy("只有複選題的選項可以有回應"),
    "yes and no must not exceed the copies returned": gettext_lazy(
        "「是」與「否」合計不可超過回收份數"
    ),
    "required to import without an organisation": gettext_lazy(
        "匯入時未選擇單位，必須填寫申請單位"
    ),
    "cannot change after the plan was first submitted": gettext_lazy("計畫書首次送審後不可變更"),
    "no programme with this title and version": gettext_lazy("沒有這個名稱與版本的方案"),
    "names an organisation that is not an authority": gettext_lazy("所填單位不是主管機關"),
    "the programme takes no new sub-projects": gettext_lazy("此方案不再受理新的子專案"),
    "must be an array of base64 strings": gettext_lazy("必須是 base64 文字的陣列"),
    "not valid base64": gettext_lazy("不是有效的 base64 內容"),
    "not a PNG or JPEG image the plan can print": gettext_lazy(
        "不是可印在計畫書中的 PNG 或 JPEG 圖片"
    ),
}
PRODUCT_PATTERNS = [
    (
        re.compile(r"more than (?P<count>\d+) figures"),
        gettext_lazy("圖片不可超過 %(count)s 張"),
    ),
    (
        re.compile(r"images over (?P<bytes>[\d,]+) bytes in all"),
        gettext_lazy("圖片合計不可超過 %(bytes)s 位元組"),
    ),
    (
        re.compile(r"the data is (?P<media_type>\S+)"),
        gettext_lazy("圖片內容是 %(media_type)s，與所填格式不符"),
    ),
    (
        re.compile(r"at most (?P<places>\d+) decimal places are kept"),
        gettext_lazy("小數最多保留 %(places)s 位"),
    ),
    (
        re.compile(r"at most (?P<digits>\d+) digits before the decimal point"),
        gettext_lazy("整數部分最多 %(digits)s 位"),
    ),
    (
        re.compile(r"unknown methodology (?P<code>.+) (?P<version>\S+)"),
        gettext_lazy("沒有 %(code)s %(version)s 這個減量方法"),
    ),
    (
        re.compile(r"the programme is run by (?P<authority>.+)"),
        gettext_lazy("此方案的主管機關是「%(authority)s」"),
    ),
]

# Words for the values some params hold.
SHAPE_LABELS = {
    "power": gettext_lazy("功率×時數"),
    "chiller": gettext_lazy("冷凍噸×kW/RT"),
    "periods": gettext_lazy("逐月用電"),
}
KEY_LABELS = {"gwp": "GWP", "odp": "ODP"}
ITEM_LABELS = {
    "groups": gettext_lazy("個群組"),
    "periods": gettext_lazy("個月份"),
    "items": gettext_lazy("項"),
}

# Params that are figures, formatted with thousands separators; `years` as crediting years.
FIGURES = frozenset(
    {
        "ratio",
        "low",
        "high",
        "savings_gwh",
        "limit_gwh",
        "odp",
        "reduction",
        "total",
        "minimum",
        "maximum",
        "places",
        "count",
        "depth",
        "line",
        "column",
        "gwp",
        "ex_ante",
    }
)
# Params that are ISO dates, shown in the ROC calendar.
DATES = frozenset({"start", "end", "crediting_start", "crediting_end"})


def figure(value: Any) -> str:
    """A number as the pages show it (1234567.5 -> 1,234,567.5); anything else as text."""
    try:
        return thousands(value)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


def years(value: Any) -> str:
    """Crediting years as the pages print them: "10" when whole, else "9.7534", "15.5"."""
    try:
        return years_text(value)
    except InvalidOperation:
        return str(value)


def roc_date(value: Any) -> str:
    """An ISO date param as the pages print dates (2022-01-01 -> 111年1月1日)."""
    try:
        return roc_long(date.fromisoformat(value))
    except (TypeError, ValueError):
        return str(value)


def _quoted(values) -> str:
    return "、".join(f"「{value}」" for value in values)


def _format(params: dict) -> dict[str, str]:
    """Params ready for a message: figures formatted, lists joined, codes named."""
    shown = {}
    for key, value in params.items():
        if key == "years":
            shown[key] = years(value)
        elif key == "choices":
            shown[key] = _quoted(value)
        elif key == "shapes":
            shown[key] = _quoted(str(SHAPE_LABELS.get(shape, shape)) for shape in value)
        elif key == "keys":
            shown[key] = _(" 與 ").join(KEY_LABELS.get(k, k) for k in value)
        elif key == "what":
            shown[key] = str(ITEM_LABELS.get(value, value))
        elif key in FIGURES:
            shown[key] = figure(value)
        elif key in DATES:
            shown[key] = roc_date(value)
        elif value is None:
            shown[key] = ""
        else:
            shown[key] = str(value)
    return shown


def _unconfirmed_sentence(notes) -> str:
    """The reference figures a check used that are not yet confirmed, or ""."""
    if not notes:
        return ""
    parts = []
    for note in notes:
        if note.get("kind") == "emission_factor":
            parts.append(
                _("%(year)s 年電力排碳係數 %(value)s")
                % {"year": note.get("year") or "", "value": figure(note.get("value"))}
            )
        else:
            parts.append(
                _("%(side)s冷媒 %(refrigerant)s 的 %(edition)s GWP %(gwp)s")
                % {
                    "side": SIDE_LABELS.get(note.get("side"), note.get("side")),
                    "refrigerant": note.get("refrigerant"),
                    "edition": note.get("edition"),
                    "gwp": figure(note.get("gwp")),
                }
            )
    return _("使用了尚未確認的參考數值：%(notes)s。") % {"notes": "；".join(parts)}


def _points(points, percent: bool) -> str:
    template = "%(location)s %(value)s%%" if percent else "%(location)s %(value)s"
    return "；".join(
        template % {"location": point.get("location"), "value": figure(point.get("value"))}
        for point in points
    )


def check_detail(check: dict) -> str:
    """A check of the results JSON (id, status, detail, code, params) in the user's words;
    its English detail when its code has no wording (results stored before codes)."""
    message = CHECK_MESSAGES.get(check.get("code") or "")
    if message is None:
        return check.get("detail", "")
    params = dict(check.get("params") or {})
    notes = params.pop("unconfirmed", ())
    points = params.pop("points", ())
    shown = _format(params)
    shown["points"] = _points(points, percent=check["code"].startswith("service_level.per_"))
    shown["source"] = _("（取自參考表）") if params.get("from_table") else ""
    try:
        text = str(message) % shown
    except (KeyError, TypeError, ValueError):
        # A result stored by another version of the engine: its own words.
        return check.get("detail", "")
    sentence = _unconfirmed_sentence(notes)
    return f"{text}。{sentence}" if sentence else text


def check_labels(results_format: str = "") -> dict:
    """The check titles of a plan's results, or of a monitoring report's."""
    return MONITORING_CHECK_LABELS if results_format == MONITORING_RESULTS_FORMAT else CHECK_LABELS


def check_label(check_id: str, results_format: str = "") -> str:
    return str(check_labels(results_format).get(check_id, check_id))


def display_results(results: dict | None) -> dict | None:
    """The results JSON with, on each check, its title (`label`), status and detail in the
    user's words (`detail`; the engine's English stays in `detail_en`)."""
    if not results:
        return None
    labels = check_labels(results.get("format", ""))
    checks = [
        {
            **check,
            "label": labels.get(check["id"], check["id"]),
            "status_label": STATUS_LABELS.get(check["status"], check["status"]),
            "detail": check_detail(check),
            "detail_en": check.get("detail", ""),
        }
        for check in results["checks"]
    ]
    return {**results, "checks": checks}


def error_message(error) -> str:
    """A FieldError's message in the user's words; its own message when its code has no
    wording (a product's message, already in the user's language)."""
    message = ERROR_MESSAGES.get(getattr(error, "code", "") or "")
    if message is None:
        return _product_message(error.message)
    params = getattr(error, "params", None) or {}
    text = str(message) % _format(params)
    if error.code == "document_too_large" and params.get("size") is not None:
        text += _("（本檔 %(size)s 位元組）") % {"size": figure(params["size"])}
    return text


def _product_message(message: str) -> str:
    if message in PRODUCT_MESSAGES:
        return str(PRODUCT_MESSAGES[message])
    for pattern, wording in PRODUCT_PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return str(wording) % match.groupdict()
    return message  # e.g. a model's validation message, already in the user's language


# What an incomplete calculation is missing, in the applicant's words.
FIELD_LABELS = [
    ("plan.crediting_period", gettext_lazy("二、專案計入期")),
    ("plan.type", gettext_lazy("專案型態")),
    ("calculation.emission_factor", gettext_lazy("電力排碳係數")),
    ("calculation.line_loss", gettext_lazy("線路損失率")),
    ("calculation.baseline.groups", gettext_lazy("基線設備群組")),
    ("calculation.project.groups", gettext_lazy("專案設備群組")),
    ("calculation.baseline.refrigerant", gettext_lazy("基線冷媒")),
    ("calculation.project.refrigerant", gettext_lazy("專案冷媒")),
    ("calculation.service_level", gettext_lazy("服務水平")),
    ("calculation.leakage_tco2e", gettext_lazy("洩漏量")),
    # Monitoring reports
    ("plan.number", gettext_lazy("專案編號")),
    ("plan.annual_reduction_tco2e", gettext_lazy("計畫書預估年減量")),
    ("monitoring.number", gettext_lazy("監測報告書序號")),
    ("monitoring.period", gettext_lazy("監測期間")),
    ("monitoring.emission_factor", gettext_lazy("電力排碳係數")),
    ("monitoring.line_loss", gettext_lazy("線路損失率")),
    ("monitoring.gwp_edition", gettext_lazy("GWP 版本")),
    ("monitoring.baseline.groups", gettext_lazy("基線設備群組")),
    ("monitoring.project.groups", gettext_lazy("專案設備群組")),
    ("monitoring.baseline.refrigerant", gettext_lazy("基線冷媒")),
    ("monitoring.project.refrigerant", gettext_lazy("專案冷媒")),
    ("monitoring.leakage_tco2e", gettext_lazy("洩漏量")),
    ("monitoring.explanation", gettext_lazy("減量高於預估的說明")),
]


# A group's own fields, as its row on the section 四 and monitoring pages names them.
GROUP_FIELD_LABELS = {
    "name": gettext_lazy("名稱"),
    "count": gettext_lazy("數量"),
    "power_kw": gettext_lazy("功率 (kW)"),
    "annual_hours": gettext_lazy("年運轉時數"),
    "hours": gettext_lazy("運轉時數"),
    "capacity_rt": gettext_lazy("冷凍噸 (RT)"),
    "kw_per_rt": gettext_lazy("效率 (kW/RT)"),
    "periods": gettext_lazy("逐月資料"),
}
GROUP_PATH = re.compile(
    r"^(?P<groups>(?:calculation|monitoring)\.(?:baseline|project)\.groups)\[(?P<index>\d+)\]"
    r"(?:\.(?P<key>\w+))?(?:\[(?P<row>\d+)\])?"
)


def describe_error(error) -> str:
    """`calculation.line_loss: required` → 線路損失率：尚未填寫;
    `monitoring.project.groups[1].periods: must not be empty` →
    專案設備群組第 2 組的逐月資料：至少需要一項"""
    label = next(
        (label for prefix, label in FIELD_LABELS if error.path.startswith(prefix)), error.path
    )
    match = GROUP_PATH.match(error.path)
    if match:
        label = _("%(groups)s第 %(number)d 組") % {
            "groups": label,
            "number": int(match["index"]) + 1,
        }
        if match["key"] in GROUP_FIELD_LABELS:
            label = _("%(group)s的%(field)s") % {
                "group": label,
                "field": GROUP_FIELD_LABELS[match["key"]],
            }
            if match["row"] is not None:
                label += _("第 %(row)d 列") % {"row": int(match["row"]) + 1}
    return f"{label}：{error_message(error)}"


def path_label(path: str) -> str | None:
    """A document path in the user's words (projects.schema), or None where it has none."""
    from projects.schema import label_for_path  # the schema imports the models

    label = str(label_for_path(path))
    return None if label == path else label


def describe_import_error(error) -> str:
    """`plan.crediting_period.end: must not be before the start` →
    專案計入期迄（plan.crediting_period.end）：結束日不可早於開始日"""
    label = path_label(error.path)
    if error.path in ("", "$"):
        where = label or error.path
    else:
        where = f"{label}（{error.path}）" if label else error.path
    return f"{where}：{error_message(error)}"
