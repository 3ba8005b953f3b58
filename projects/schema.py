"""The plan document, declared once: one table per section of the 計畫書.

Each row gives a field's document path (the `offset-plan/1` interchange path), its
Plan model field, its type, its section (a slug of projects.sections.EDITORS), its
label (the model field's zh-Hant verbose name unless the row says otherwise; the
English comes from the catalogue), the form field's HTML name and which plan types
must fill it in before submission.

The rows drive the submission checklist and the navigator's completeness
(`section_problems`), the labels of document paths (`label_for_path`: error
messages, the version comparison and the history), the model field ↔ document key
map (`document_key`), and the interchange reader and writer of the plain scalar
fields of `plan`, `plan.calculation_notes`, `additionality`, `environment` and
`consultation` (`read_scalars`, `write_scalars`; the lists and the engine's
`calculation` are read and written by hand). Adding a scalar field to the document
is one row here and its model field.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from methodologies.engine.reader import MAX_QUANTITY
from methodologies.models import CONDITION_COUNT
from projects.models import QUANTITY as QUANTITY_COLUMN  # the row kind QUANTITY is below
from projects.models import (
    TABLE_NUMBER_MAX,
    ApplicabilityAnswer,
    Attachment,
    EquipmentGroup,
    EquipmentItem,
    GroupPeriod,
    ParameterNote,
    Participant,
    Plan,
    PlanRefrigerant,
    Question,
    SavingMeasure,
    ScheduleStep,
    ServiceLevelPair,
    StakeholderTier,
)

CONDITIONS = range(1, CONDITION_COUNT + 1)

# Quantity limits, derived from the engine's reader (MAX_QUANTITY = 10**15): the
# engine refuses a quantity ≥ 10**15, so at most 15 digits before the decimal
# point; the database keeps 8 decimals (models.QUANTITY, QUANTITY_LIMIT).
MAX_DECIMALS = QUANTITY_COLUMN["decimal_places"]
MAX_INTEGER_DIGITS = len(str(int(MAX_QUANTITY))) - 1  # 15

INDIVIDUAL, SUB_PROJECT = Plan.Type.INDIVIDUAL, Plan.Type.SUB_PROJECT

# Row kinds: how the value is read from and written to the document.
STRING, TEXT, CHOICE, DATE, QUANTITY, INTEGER, BOOLEAN = (
    "string",
    "text",
    "choice",
    "date",
    "quantity",
    "integer",
    "boolean",
)


@dataclass(frozen=True)
class Row:
    path: str  # document path, e.g. "plan.title"
    field: str  # Plan model field, "" where the document path has none
    kind: str
    section: str
    html_name: str = ""  # the section form's field name, e.g. "plan-title"
    required: frozenset = frozenset()  # plan types that must fill it in
    # Read and written by read_scalars/write_scalars (a plain scalar under one of
    # ROOTS); False where the engine or a hand-written part of interchange.py does it.
    scalar: bool = True
    label_text: Any = None  # overrides the model field's verbose name
    bounds: tuple[int, int] | None = None  # an INTEGER's lowest and highest value

    @property
    def key(self) -> str:
        return self.path.rsplit(".", 1)[1]

    @property
    def parent(self) -> str:
        return self.path.rsplit(".", 1)[0]

    @property
    def model_field(self):
        return Plan._meta.get_field(self.field) if self.field else None

    @property
    def label(self):
        if self.label_text is not None:
            return self.label_text
        return self.model_field.verbose_name

    @property
    def choices(self) -> tuple[str, ...] | None:
        model_field = self.model_field
        if self.kind == CHOICE and model_field is not None and model_field.choices:
            # A blank choice (a label for "left to the default") is no document value.
            return tuple(str(value) for value, _label in model_field.choices if value != "")
        return None

    def required_of(self, plan_type: str) -> bool:
        return plan_type in self.required


def _row(path, field, kind, section, *, form=True, required=(), **kwargs) -> Row:
    html_name = kwargs.pop("html_name", f"plan-{field}" if form and field else "")
    return Row(path, field, kind, section, html_name, frozenset(required), **kwargs)


ALL = (INDIVIDUAL, SUB_PROJECT)

BASIC = [
    _row("plan.type", "type", CHOICE, "basic", form=False, scalar=False),
    _row("plan.number", "number", STRING, "basic", scalar=False),
    _row("plan.organization", "applicant_name", STRING, "basic", required=ALL, scalar=False),
    _row("plan.title", "title", STRING, "basic", required=ALL),
    _row("plan.version", "version", STRING, "basic", required=ALL),
    _row("plan.prepared_on", "prepared_on", DATE, "basic", required=ALL),
    _row(
        "plan.methodology",
        "methodology",
        STRING,
        "basic",
        required=ALL,
        scalar=False,
        html_name="plan-methodology",
    ),
    _row("plan.sector", "sector", STRING, "basic", form=False),
    _row("plan.wording.methodology", "methodology_wording", TEXT, "basic"),
    _row("plan.wording.methodology_version", "methodology_version_wording", STRING, "basic"),
    _row("plan.wording.sector", "sector_wording", STRING, "basic"),
    _row("plan.total_reduction_stated_tco2e", "total_reduction_stated_tco2e", QUANTITY, "basic"),
]

ACTIVITY = [
    _row("plan.programme", "programme", STRING, "activity", form=False, scalar=False),
    _row("plan.application.kind", "application_kind", CHOICE, "activity", required=ALL),
    _row("plan.application.crediting", "crediting", CHOICE, "activity", required=ALL),
    _row(
        "plan.crediting_period.start",
        "crediting_start",
        DATE,
        "activity",
        required=ALL,
        scalar=False,
    ),
    _row(
        "plan.crediting_period.end",
        "crediting_end",
        DATE,
        "activity",
        required=ALL,
        scalar=False,
    ),
    _row("plan.crediting_note", "crediting_note", STRING, "activity"),
    _row("plan.category", "category", CHOICE, "activity", required=ALL),
    _row("plan.technology", "technology", CHOICE, "activity", form=False),
    _row("plan.start_date", "start_date", DATE, "activity", required=ALL),
    _row(
        "plan.sub_project_conditions.methodology",
        "sub_project_methodology_ok",
        BOOLEAN,
        "activity",
    ),
    _row(
        "plan.sub_project_conditions.boundary",
        "sub_project_boundary_ok",
        BOOLEAN,
        "activity",
    ),
    _row("plan.annual_savings_stated_kwh", "annual_savings_stated_kwh", QUANTITY, "activity"),
    _row("plan.costs.setup", "cost_setup", QUANTITY, "activity"),
    _row("plan.costs.energy", "cost_energy", QUANTITY, "activity"),
    _row("plan.costs.subsidy", "cost_subsidy", QUANTITY, "activity"),
    _row("plan.costs.operation", "cost_operation", QUANTITY, "activity"),
    _row("plan.costs.other", "cost_other", QUANTITY, "activity"),
    _row("plan.costs.other_label", "cost_other_label", STRING, "activity"),
    _row("plan.costs.note", "cost_note", TEXT, "activity"),
    _row("plan.site.address", "site_address", STRING, "activity", required=ALL),
    _row("plan.site.twd97_x", "twd97_x", QUANTITY, "activity"),
    _row("plan.site.twd97_y", "twd97_y", QUANTITY, "activity"),
    _row("plan.measures", "measures", TEXT, "activity", required=ALL),
    _row("plan.lifetime.old_equipment_since", "old_equipment_since", DATE, "activity"),
    _row("plan.lifetime.remaining_years", "remaining_life_years", QUANTITY, "activity"),
    _row("plan.lifetime.exemption", "lifetime_exemption", CHOICE, "activity"),
    _row("plan.lifetime.detail", "lifetime_detail", TEXT, "activity"),
    _row("plan.lifetime.tool_equipment", "lifetime_tool_equipment", STRING, "activity"),
    _row("plan.lifetime.tool_years", "lifetime_tool_years", QUANTITY, "activity"),
    _row("plan.lifetime.supplier_years", "lifetime_supplier_years", STRING, "activity"),
    _row("plan.lifetime.statistics_years", "lifetime_statistics_years", QUANTITY, "activity"),
    _row("plan.lifetime.statistics_source", "lifetime_statistics_source", STRING, "activity"),
]

APPLICABILITY = [
    _row("plan.wording.conditions_footnote", "conditions_footnote", TEXT, "applicability"),
    _row("additionality.none", "additionality_none", BOOLEAN, "applicability"),
    _row("additionality.notes.central", "additionality_central_note", TEXT, "applicability"),
    _row("additionality.notes.local", "additionality_local_note", TEXT, "applicability"),
    _row("additionality.notes.policy", "additionality_policy_note", TEXT, "applicability"),
    _row("additionality.other.name", "additionality_other_name", STRING, "applicability"),
    _row("additionality.other.explanation", "additionality_other_note", TEXT, "applicability"),
    _row("additionality.saving_rate.year", "saving_rate_year", INTEGER, "applicability"),
    _row(
        "additionality.saving_rate.previous_year_kwh",
        "saving_rate_previous_kwh",
        QUANTITY,
        "applicability",
    ),
    _row(
        "additionality.saving_rate.required_percent",
        "saving_rate_required_percent",
        QUANTITY,
        "applicability",
    ),
]

CALCULATION = [
    _row("plan.calculation_notes.baseline_scenario", "baseline_scenario", TEXT, "calculation"),
    _row("plan.calculation_notes.project_scenario", "project_scenario", TEXT, "calculation"),
    _row("plan.calculation_notes.baseline_method", "baseline_method", TEXT, "calculation"),
    _row("plan.calculation_notes.project_method", "project_method", TEXT, "calculation"),
    _row(
        "plan.calculation_notes.leakage_not_applicable",
        "leakage_not_applicable",
        BOOLEAN,
        "calculation",
    ),
    _row("plan.calculation_notes.leakage_note", "leakage_note", TEXT, "calculation"),
    _row("plan.calculation_notes.energy_unit", "energy_unit", CHOICE, "calculation"),
    _row("plan.calculation_notes.count_unit", "count_unit", STRING, "calculation"),
    _row("plan.calculation_notes.formula_numbers", "formula_numbers", BOOLEAN, "calculation"),
    _row("calculation.emission_factor.value", "emission_factor_value", QUANTITY, "calculation"),
    _row("calculation.emission_factor.year", "emission_factor_year", INTEGER, "calculation"),
    _row("calculation.line_loss", "line_loss", QUANTITY, "calculation"),
    _row("calculation.leakage_tco2e", "leakage_tco2e", QUANTITY, "calculation"),
    _row("calculation.gwp_edition", "gwp_edition", CHOICE, "calculation"),
    _row("calculation.service_level.metric", "service_level_metric", STRING, "calculation"),
    _row("calculation.service_level.mode", "service_level_mode", CHOICE, "calculation"),
]
# The engine reads `calculation` (methodologies.engine.read_calculation) and
# interchange.py writes it; these rows give its labels and sections.
for row in CALCULATION:
    if row.path.startswith("calculation."):
        object.__setattr__(row, "scalar", False)

ENVIRONMENT = [
    # Required of an individual plan only: a 方案型 sub-project may leave 五 out
    # (the registered lighting sub-project has none): its programme covers it.
    _row(
        "environment.summary",
        "environment_summary",
        TEXT,
        "environment",
        required=(INDIVIDUAL,),
    ),
    _row(
        "environment.construction",
        "environment_construction",
        TEXT,
        "environment",
    ),
    _row("environment.crediting", "environment_crediting", TEXT, "environment"),
    _row(
        "consultation.identification",
        "consultation_identification",
        TEXT,
        "environment",
    ),
    _row(
        "consultation.tier_table_number",
        "consultation_tier_table_number",
        INTEGER,
        "environment",
        bounds=(1, TABLE_NUMBER_MAX),
    ),
    _row(
        "consultation.collection",
        "consultation_collection",
        TEXT,
        "environment",
    ),
    _row("consultation.summary", "consultation_summary", TEXT, "environment"),
    _row("consultation.responses", "consultation_responses", TEXT, "environment"),
    _row("consultation.conclusion", "consultation_conclusion", TEXT, "environment"),
]

TABLES = {
    "basic": BASIC,
    "activity": ACTIVITY,
    "applicability": APPLICABILITY,
    "calculation": CALCULATION,
    "environment": ENVIRONMENT,
}


def rows() -> list[Row]:
    """Every row, section by section (read at call time, so a row added to a
    table is seen everywhere)."""
    return [row for table in TABLES.values() for row in table]


def row_for_path(path: str) -> Row | None:
    return next((row for row in rows() if row.path == path), None)


def row_for_field(field: str) -> Row | None:
    return next((row for row in rows() if row.field == field), None)


# --- Submission and completeness -------------------------------------------------


def required_rows(plan_type: str, section: str | None = None) -> list[Row]:
    return [
        row
        for row in rows()
        if row.required_of(plan_type) and (section is None or row.section == section)
    ]


def is_blank(plan: Plan, row: Row) -> bool:
    name = row.model_field.attname  # methodology → methodology_id, without a query
    return getattr(plan, name) in (None, "")


@dataclass(frozen=True)
class Missing:
    section: str  # section slug
    field: str  # the form field's HTML name, "" for the section as a whole
    message: str


def _rule_participants(plan: Plan) -> list[Missing]:
    if plan.participants.exists():
        return []
    return [Missing("activity", "participants-0-name", _("請至少填寫一個參與機構。"))]


def _rule_authority(plan: Plan) -> list[Missing]:
    if plan.type == INDIVIDUAL and not plan.authority_id:
        return [Missing("basic", "plan-authority", _("請選擇審查機關。"))]
    return []


def _rule_applicability(plan: Plan) -> list[Missing]:
    answered = set(plan.applicability.exclude(answer="").values_list("condition", flat=True))
    return [
        Missing(
            "applicability",
            f"condition-{number}-answer",
            _("適用條件 %(number)d 尚未勾選符合性。") % {"number": number},
        )
        for number in CONDITIONS
        if number not in answered
    ]


def _rule_additionality(plan: Plan) -> list[Missing]:
    if plan.additionality_none or plan.regulations.exists():
        return []
    return [
        Missing(
            "applicability",
            "plan-additionality_none",
            _("外加性分析（法規）：請勾選相關法規，或勾選「無」。"),
        )
    ]


def _rule_results(plan: Plan) -> list[Missing]:
    """The stored results are refreshed after every change; none means the
    calculation's inputs are incomplete (submission says what is missing)."""
    if plan.results is not None:
        return []
    return [Missing("calculation", "", _("計算方法尚未完整。"))]


# The rules beyond single fields that a section must meet, as they stand today.
SECTION_RULES = {
    "basic": [_rule_authority],
    "activity": [_rule_participants],
    "applicability": [_rule_applicability, _rule_additionality],
    "calculation": [_rule_results],
    "environment": [],
}


def missing_fields(plan: Plan, section: str | None = None) -> list[Missing]:
    """The required rows this plan leaves blank."""
    return [
        Missing(row.section, row.html_name, _("「%(label)s」尚未填寫。") % {"label": row.label})
        for row in required_rows(plan.type, section)
        if is_blank(plan, row)
    ]


def section_problems(plan: Plan, section: str, *, rules: bool = True) -> list[Missing]:
    """What keeps a section from being complete: its blank required fields, then
    its section rules. The navigator and the submission checklist both ask this."""
    found = missing_fields(plan, section)
    if rules:
        for rule in SECTION_RULES.get(section, []):
            found.extend(rule(plan))
    return found


# --- The PDF's labels -----------------------------------------------------------


def pdf_labels() -> dict[str, str]:
    """Each row's label by model field, in zh-Hant whatever the page's language:
    the PDF is the official form. Its template prints them only where the
    label is the registered plan's own wording; its fixed wording stays."""
    with translation.override("zh-hant"):
        return {row.field: str(row.label) for row in rows() if row.field}


# --- Labels of document paths ----------------------------------------------------

# Lists of the document, with the model their items are rows of, and the label
# of the list as a whole; an item's key takes its label from the model field.
LISTS = {
    "plan.participants": (Participant, gettext_lazy("參與機構")),
    "plan.equipment": (EquipmentItem, gettext_lazy("設備")),
    "plan.schedule": (ScheduleStep, gettext_lazy("換裝時程")),
    "calculation.baseline.groups": (EquipmentGroup, gettext_lazy("基線設備群組")),
    "calculation.project.groups": (EquipmentGroup, gettext_lazy("專案設備群組")),
    "calculation.baseline.groups[].periods": (GroupPeriod, gettext_lazy("月別資料")),
    "calculation.project.groups[].periods": (GroupPeriod, gettext_lazy("月別資料")),
    "calculation.service_level.pairs": (ServiceLevelPair, gettext_lazy("服務水平對照")),
    "applicability": (ApplicabilityAnswer, gettext_lazy("適用條件")),
    "additionality.regulations": (None, gettext_lazy("相關法規")),
    "additionality.saving_rate.measures": (SavingMeasure, gettext_lazy("節電措施")),
    "plan.calculation_notes.parameters": (ParameterNote, gettext_lazy("參數說明")),
    "consultation.questions": (Question, gettext_lazy("問卷題目")),
    "consultation.tiers": (StakeholderTier, gettext_lazy("利害相關者層級")),
    "attachments": (Attachment, gettext_lazy("附件")),
}
# Objects of the document that are no one model field, by path.
OBJECTS = {
    "plan": gettext_lazy("計畫書"),
    "plan.crediting_period": gettext_lazy("專案計入期"),
    "plan.application": gettext_lazy("申請類別"),
    "plan.costs": gettext_lazy("費用"),
    "plan.wording": gettext_lazy("計畫書用語"),
    "plan.site": gettext_lazy("執行地點"),
    "plan.lifetime": gettext_lazy("設備壽齡"),
    "plan.sub_project_conditions": gettext_lazy("子專案條件"),
    "plan.calculation_notes": gettext_lazy("計算說明"),
    "calculation": gettext_lazy("計算方法"),
    "calculation.emission_factor": gettext_lazy("電力排碳係數"),
    "calculation.baseline": gettext_lazy("基線"),
    "calculation.project": gettext_lazy("專案"),
    "calculation.baseline.refrigerant": gettext_lazy("基線冷媒"),
    "calculation.project.refrigerant": gettext_lazy("專案冷媒"),
    "calculation.service_level": gettext_lazy("服務水平"),
    "additionality": gettext_lazy("外加性分析（法規）"),
    "additionality.notes": gettext_lazy("法規說明"),
    "additionality.other": gettext_lazy("其他法規"),
    "additionality.saving_rate": gettext_lazy("節電率"),
    "environment": gettext_lazy("環境衝擊分析"),
    "consultation": gettext_lazy("公眾意見"),
}
# Keys of a refrigerant object, from its model.
_REFRIGERANT_KEYS = {"code", "annual_quantity_t", "gwp", "odp"}

# Model fields whose document key differs (see docs/interchange.md); Plan's come
# from the rows, the rest are keys of list items.
ITEM_DOCUMENT_KEYS = {
    "copies_sent": "sent",
    "copies_returned": "returned",
    "month": "period",
}

_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def _model_label(model, key: str):
    if model is None:
        return None
    fields = {ITEM_DOCUMENT_KEYS.get(f.name, f.name): f for f in model._meta.get_fields()}
    model_field = fields.get(key)
    return getattr(model_field, "verbose_name", None)


def _exact_label(pattern: str, parent_model):
    row = row_for_path(pattern)
    if row is not None:
        return row.label
    if pattern in OBJECTS:
        return OBJECTS[pattern]
    if pattern in LISTS:
        return LISTS[pattern][1]
    key = pattern.rsplit(".", 1)[-1]
    if parent_model is not None:
        return _model_label(parent_model, key)
    parent = pattern.rsplit(".", 1)[0]
    if parent.endswith(".refrigerant") and key in _REFRIGERANT_KEYS:
        return _model_label(PlanRefrigerant, key)
    return None


def label_for_path(path: str) -> str:
    """A document path in the user's words:
    "plan.crediting_period.end" → 專案計入期迄;
    "calculation.baseline.groups[0].count" → 基線設備群組第 1 筆／數量.
    A part without a label keeps its key."""
    if path in ("", "$"):
        return str(_("整份文件"))
    row = row_for_path(path)
    if row is not None:
        return str(row.label)
    parts: list[str] = []
    first_item = None  # where the first list item begins
    pattern = ""
    model = None  # the model of the list item we are in
    for index, key in _TOKEN.findall(path):
        if key:
            pattern = f"{pattern}.{key}" if pattern else key
            label = _exact_label(pattern, model)
            parts.append(str(label) if label is not None else key)
        else:
            if parts:
                parts[-1] = _("%(list)s第 %(number)d 筆") % {
                    "list": parts[-1],
                    "number": int(index) + 1,
                }
                if first_item is None:
                    first_item = len(parts) - 1
            model = LISTS.get(pattern, (None, None))[0]
            pattern = f"{pattern}[]"
    if not parts:
        return path
    if first_item is not None:
        return "／".join(parts[first_item:])
    # An object's own label, or its parent's and the key's.
    return parts[-1] if len(parts) < 2 or pattern in OBJECTS else "／".join(parts[-2:])


# --- Document keys and the scalar fields -----------------------------------------


def document_key(field: str) -> str:
    """The document key of a list item's model field (see docs/interchange.md)."""
    return ITEM_DOCUMENT_KEYS.get(field, field)


def field_path(where: str, field: str) -> str:
    """The document path of a model field of the object at `where`: a Plan field's
    row path (`cost_other_label` → plan.costs.other_label), else `where.key`."""
    if where == "plan":
        row = row_for_field(field)
        if row is not None:
            return row.path
    return f"{where}.{document_key(field) if where != 'plan' else field}"


# Objects that hold lists besides their scalar rows (their lists are read and
# written in interchange.py, which validates them): their scalar rows are read and
# written with the object itself as root, not with the object around it.
MIXED_OBJECTS = frozenset({"plan.calculation_notes", "additionality.saving_rate"})
# The objects whose scalar rows interchange.py reads and writes through this module.
ROOTS = (
    "plan",
    "plan.calculation_notes",
    "additionality",
    "additionality.saving_rate",
    "environment",
    "consultation",
)


def root_of(row: Row) -> str:
    """The object a scalar row is read and written with: its parent if that is a
    top-level object or a mixed one, else the object around its parent (a nested
    object of scalars only, as `plan.costs` or `additionality.notes`)."""
    parent = row.parent
    if "." not in parent or parent in MIXED_OBJECTS:
        return parent
    return parent.rsplit(".", 1)[0]


def scalar_rows(root: str = "plan") -> list[Row]:
    """The rows read and written through the schema with the object at `root`:
    its own scalars and those of the objects of scalars under it."""
    return [row for row in rows() if row.scalar and root_of(row) == root]


def scalar_keys(root: str = "plan") -> list[str]:
    """The keys of the object at `root` that its scalar rows fill (a field or a
    nested object)."""
    keys = []
    for row in scalar_rows(root):
        key = row.path[len(root) + 1 :].split(".")[0]
        if key not in keys:
            keys.append(key)
    return keys


def _read_value(reader, row: Row, obj: dict, path: str):
    if row.kind in (STRING, TEXT, CHOICE):
        return reader.string(obj, row.key, path, choices=row.choices) or ""
    if row.kind == DATE:
        return reader.date(obj, row.key, path)
    if row.kind == QUANTITY:
        return reader.quantity(obj, row.key, path)
    if row.kind == INTEGER:
        low, high = row.bounds or (None, None)
        return reader.integer(obj, row.key, path, minimum=low, maximum=high)
    if row.kind == BOOLEAN:
        return bool(reader.boolean(obj, row.key, path))
    raise ValueError(row.kind)


def read_scalars(reader, obj: dict, root: str = "plan") -> dict[str, Any]:
    """Model values of the scalar rows of the object at `root` (`obj`, which the
    caller has checked is an object with its keys); the nested objects of scalars
    are checked here. Errors go to the engine's reader with their paths."""
    fields: dict[str, Any] = {}
    by_parent: dict[str, list[Row]] = {}
    for row in scalar_rows(root):
        by_parent.setdefault(row.parent, []).append(row)
    for parent, parent_rows in by_parent.items():
        target = obj
        if parent != root:
            key = parent.rsplit(".", 1)[1]
            if key not in obj:
                continue
            target = reader.obj(obj[key], parent, optional=tuple(r.key for r in parent_rows))
            if target is None:
                continue
        for row in parent_rows:
            fields[row.field] = _read_value(reader, row, target, parent)
    return fields


def _write_value(row: Row, value):
    if value in (None, ""):
        return None
    if row.kind == DATE:
        return value.isoformat()
    if row.kind == QUANTITY:
        from projects.interchange import decimal_text

        return decimal_text(Decimal(value))
    if row.kind == BOOLEAN:
        return bool(value)
    return value


def write_scalars(plan: Plan, root: str = "plan") -> dict[str, Any]:
    """The document values of the scalar rows of the object at `root`, keyed by
    their key in it: a value, or an object of values. Empty values and false
    flags of the object itself are left out; a nested object keeps a false flag
    beside a true one, and is left out when empty or all false."""
    written: dict[str, Any] = {}
    for row in scalar_rows(root):
        value = _write_value(row, getattr(plan, row.field))
        if row.parent == root:
            if value is not None and not (row.kind == BOOLEAN and value is False):
                written[row.key] = value
            continue
        key = row.parent.rsplit(".", 1)[1]
        if value is not None:
            written.setdefault(key, {})[row.key] = value
    return {
        key: value
        for key, value in written.items()
        if not isinstance(value, dict) or any(item is not False for item in value.values())
    }


# The parameter rows of section 四's tables, as the reference plans list them
# (reports.context.PRINTED_ROWS says which a technology prints by default).
STANDARD_PARAMETERS = {
    "baseline": [
        "BE_y",
        "E_BL_y",
        "EF",
        "sum_i",
        "n_i",
        "rho_i",
        "o_i",
        "l_y",
        "Q_ref_BL",
        "GWP_ref_BL",
    ],
    "project": [
        "PE_y",
        "E_PJ_y",
        "EF",
        "PE_ref_y",
        "n_i",
        "rho_i",
        "o_i",
        "l_y",
        "Q_ref_PJ",
        "GWP_ref_PJ",
    ],
    "reduction": ["ER_y", "BE_y", "PE_y", "LE_y"],
}
