"""The `offset-plan/1` interchange document, read into and written from the models.

`read_document` validates a whole document: the engine reads the fixed parts
(`format`, `plan.type`, `plan.crediting_period`, `calculation`) and this module
the product-defined parts documented in docs/interchange.md. Every error is
collected with its JSON path, so a document is refused as a whole.
`plan_document` writes a stored plan back out; importing then exporting gives
an equivalent document.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from methodologies.engine import (
    MAX_DOCUMENT_BYTES,
    CalculationInput,
    DocumentErrors,
    Reader,
    ReferenceData,
    duplicate_key_errors,
    index_path,
    key_path,
    loads,
    read_calculation,
    size_errors,
    too_large_error,
)
from methodologies.models import CONDITION_COUNT
from projects import figures, schema
from projects.models import (
    OPTION_RESPONSE_MAX,
    OPTION_TEXT_MAX,
    ApplicabilityAnswer,
    EquipmentGroup,
    GroupPeriod,
    ParameterNote,
    Participant,
    Plan,
    PlanFigure,
    Question,
    Side,
)
from projects.survey import survey_data

FORMAT = "offset-plan/1"
TOP_LEVEL_KEYS = (
    "format",
    "plan",
    "applicability",
    "additionality",
    "calculation",
    "environment",
    "consultation",
    "attachments",
)
# Keys of `plan` fixed by the format, then the ones this product adds.
PLAN_FORMAT_KEYS = (
    "type",
    "number",
    "organization",
    "title",
    "version",
    "prepared_on",
    "methodology",
    "sector",
    "programme",
    "application",
    "crediting_period",
    "category",
    "technology",
    "start_date",
)
PLAN_PRODUCT_KEYS = (
    "crediting_note",
    "sub_project_conditions",
    "annual_savings_stated_kwh",
    "total_reduction_stated_tco2e",
    "wording",
    "participants",
    "costs",
    "site",
    "measures",
    "equipment",
    "schedule",
    "lifetime",
    "calculation_notes",
    "figures",
)
# `additionality` in the format's order (none, notes and other are schema rows).
ADDITIONALITY_KEYS = ("none", "regulations", "notes", "other", "saving_rate")
# The database keeps 8 decimals, and the engine takes quantities below 10^15
# (15 integer digits): projects.schema derives both from their one place.
MAX_DECIMALS = schema.MAX_DECIMALS
MAX_INTEGER_DIGITS = schema.MAX_INTEGER_DIGITS
CALCULATION_QUANTITY_KEYS = {
    "value",
    "line_loss",
    "leakage_tco2e",
    "power_kw",
    "capacity_rt",
    "kw_per_rt",
    "annual_hours",
    "hours",
    "energy_kwh",
    "annual_quantity_t",
    "gwp",
    "odp",
    "baseline",
    "project",
}


def _choices(choices_class) -> tuple[str, ...]:
    return tuple(choices_class.values)


@dataclass
class PlanDocument:
    """A validated document: field values and rows ready for the models."""

    calculation: CalculationInput
    organisation_name: str
    programme: dict | None
    methodology: tuple[str, str] | None
    plan_fields: dict[str, Any] = field(default_factory=dict)
    participants: list[dict] = field(default_factory=list)
    schedule: list[dict] = field(default_factory=list)
    equipment: list[dict] = field(default_factory=list)
    applicability: list[dict] = field(default_factory=list)
    regulations: list[tuple[str, str]] = field(default_factory=list)
    saving_measures: list[dict] = field(default_factory=list)
    parameter_notes: list[dict] = field(default_factory=list)
    tiers: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)


class ProductReader(Reader):
    """The engine's reader, refusing quantities the database would have to round."""

    def quantity(self, obj, key, path, **kwargs):
        value = super().quantity(obj, key, path, **kwargs)
        if value is not None:
            _check_digits(value, key_path(path, key), self)
        return value


def read_document(
    doc: Any, reference: ReferenceData, *, regulation_codes: set[str]
) -> PlanDocument:
    """Validate a whole document; raise DocumentErrors listing every error.

    A document over a size limit of the format (a list or a string too long) is refused with
    those errors alone, before anything else is read."""
    oversized = size_errors(doc)
    if oversized:
        raise DocumentErrors(oversized)
    reader = ProductReader()
    reader.errors.extend(duplicate_key_errors(doc))
    calculation = read_calculation(doc, reference, reader)
    if not isinstance(doc, dict):
        raise DocumentErrors(reader.errors)
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            reader.error(key, "unknown key")
    _check_calculation_precision(doc.get("calculation"), "calculation", reader)

    result = _ProductReader(reader, regulation_codes)
    parsed = result.read(doc)
    if reader.errors or calculation is None:
        raise DocumentErrors(reader.errors)
    parsed.calculation = calculation
    _take_calculation_fields(parsed, doc["calculation"], calculation)
    return parsed


def load_upload(upload) -> Any:
    """Parse an uploaded document; one over the byte limit is refused at `$` from its size,
    without reading it. Raises UnicodeDecodeError for a file that is not UTF-8."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise DocumentErrors([too_large_error(upload.size)])
    return loads(upload.read().decode("utf-8"))


def _check_calculation_precision(value, path, reader: Reader) -> None:
    """Refuse quantities the database could only store rounded."""
    if isinstance(value, dict):
        for key, item in value.items():
            child = key_path(path, key)
            if key in CALCULATION_QUANTITY_KEYS and isinstance(item, str | Decimal | int):
                _check_digits(item, child, reader)
            else:
                _check_calculation_precision(item, child, reader)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_calculation_precision(item, index_path(path, i), reader)


def _check_digits(value, path, reader: Reader) -> None:
    if isinstance(value, bool):
        return
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return  # the engine reports a malformed number itself
    if not number.is_finite():
        return
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        reader.error(path, f"at most {MAX_DECIMALS} decimal places are kept")
    elif number.adjusted() >= MAX_INTEGER_DIGITS:
        reader.error(path, f"at most {MAX_INTEGER_DIGITS} digits before the decimal point")


class _ProductReader:
    """Reads the parts of the document that the product defines."""

    def __init__(self, reader: Reader, regulation_codes: set[str]):
        self.r = reader
        self.regulation_codes = regulation_codes

    def read(self, doc: dict) -> PlanDocument:
        r = self.r
        plan = doc.get("plan")
        parsed = PlanDocument(
            calculation=None, organisation_name="", programme=None, methodology=None
        )
        if isinstance(plan, dict):
            self.read_plan(plan, parsed)
        if "applicability" in doc:
            self.read_applicability(doc, parsed)
        if "additionality" in doc:
            self.read_additionality(doc["additionality"], parsed)
        if "environment" in doc:
            env = r.obj(
                doc["environment"], "environment", optional=schema.scalar_keys("environment")
            )
            if env is not None:
                parsed.plan_fields.update(schema.read_scalars(r, env, "environment"))
        if "consultation" in doc:
            self.read_consultation(doc["consultation"], parsed)
        if "attachments" in doc:
            self.read_attachments(doc, parsed)
        return parsed

    def read_plan(self, plan: dict, parsed: PlanDocument) -> None:
        r, path, fields = self.r, "plan", parsed.plan_fields
        for key in plan:
            if key not in PLAN_FORMAT_KEYS + PLAN_PRODUCT_KEYS + tuple(schema.scalar_keys()):
                r.error(key_path(path, key), "unknown key")
        fields["number"] = r.string(plan, "number", path) or ""
        parsed.organisation_name = r.string(plan, "organization", path) or ""
        fields["applicant_name"] = parsed.organisation_name
        fields.update(schema.read_scalars(r, plan))
        if "methodology" in plan:
            methodology = r.obj(
                plan["methodology"], key_path(path, "methodology"), required=("code", "version")
            )
            if methodology is not None:
                code = r.string(methodology, "code", key_path(path, "methodology"), required=True)
                version = r.string(
                    methodology, "version", key_path(path, "methodology"), required=True
                )
                if code and version:
                    parsed.methodology = (code, version)
        if "programme" in plan:
            programme_path = key_path(path, "programme")
            programme = r.obj(
                plan["programme"],
                programme_path,
                required=("title", "version", "authority"),
                nullable=True,
            )
            if programme is not None:
                parsed.programme = {
                    key: r.string(programme, key, programme_path, required=True) or ""
                    for key in ("title", "version", "authority")
                }
                if plan.get("type") == Plan.Type.INDIVIDUAL:
                    r.error(programme_path, "must be null for an individual plan")
        self.read_plan_product_keys(plan, parsed)

    def read_plan_product_keys(self, plan: dict, parsed: PlanDocument) -> None:
        """The lists of `plan` (its scalar fields are the schema's)."""
        r, path = self.r, "plan"
        for i, item, item_path in self.rows(plan, "participants", path):
            row = r.obj(item, item_path, required=("role", "name"), optional=("description",))
            if row is not None:
                parsed.participants.append(
                    {
                        "order": i,
                        "role": r.string(
                            row,
                            "role",
                            item_path,
                            required=True,
                            choices=_choices(Participant.Role),
                        ),
                        "name": r.string(row, "name", item_path, required=True),
                        "description": r.string(row, "description", item_path) or "",
                    }
                )
        for i, item, item_path in self.rows(plan, "schedule", path):
            row = r.obj(item, item_path, required=("month", "step"))
            if row is not None:
                parsed.schedule.append(
                    {
                        "order": i,
                        "month": r.month(row, "month", item_path, required=True) or "",
                        "step": r.string(row, "step", item_path, required=True) or "",
                    }
                )
        equipment_keys = ("brand", "model", "spec", "efficacy", "unit", "location", "note")
        for i, item, item_path in self.rows(plan, "equipment", path):
            row = r.obj(item, item_path, required=("side",), optional=(*equipment_keys, "quantity"))
            if row is not None:
                values = {
                    "order": i,
                    "side": r.string(row, "side", item_path, required=True, choices=_choices(Side)),
                    "quantity": r.count(row, "quantity", item_path),
                }
                for key in equipment_keys:
                    values[key] = r.string(row, key, item_path) or ""
                parsed.equipment.append(values)
        if "calculation_notes" in plan:
            self.read_calculation_notes(plan["calculation_notes"], parsed)
        self.read_figures(plan, parsed)

    def read_figures(self, plan: dict, parsed: PlanDocument) -> None:
        """`plan.figures`: each image is checked and made print-ready as an upload is."""
        r, total = self.r, 0
        slots = _choices(PlanFigure.Slot)
        items = list(self.rows(plan, "figures", "plan"))
        if len(items) > figures.PLAN_MAX_FIGURES:
            r.error("plan.figures", f"more than {figures.PLAN_MAX_FIGURES} figures")
            return
        for i, item, item_path in items:
            row = r.obj(item, item_path, required=("slot", "caption", "image"))
            if row is None:
                continue
            slot = r.string(row, "slot", item_path, required=True, choices=slots)
            caption = r.string(row, "caption", item_path, required=True)
            image_path = key_path(item_path, "image")
            image = r.obj(row["image"], image_path, required=("media_type", "data"))
            if image is None:
                continue
            media_type = r.string(
                image, "media_type", image_path, required=True, choices=tuple(figures.EXTENSIONS)
            )
            data_path = key_path(image_path, "data")
            chunks = r.array(image, "data", image_path, required=True, min_items=1)
            if chunks is None or media_type is None:
                continue
            if not all(isinstance(chunk, str) for chunk in chunks):
                r.error(data_path, "must be an array of base64 strings")
                continue
            try:
                content = figures.decode_chunks(chunks)
            except ValueError:
                r.error(data_path, "not valid base64")
                continue
            try:
                printed = figures.print_image(content)
            except figures.FigureError:
                r.error(data_path, "not a PNG or JPEG image the plan can print")
                continue
            if printed.media_type != media_type:
                r.error(key_path(image_path, "media_type"), f"the data is {printed.media_type}")
                continue
            total += len(printed.content)
            if total > figures.PLAN_MAX_BYTES:
                r.error("plan.figures", f"images over {figures.PLAN_MAX_BYTES:,} bytes in all")
                return
            if slot and caption is not None:
                parsed.figures.append(
                    {"order": i, "slot": slot, "caption": caption, "image": printed}
                )

    def read_calculation_notes(self, value, parsed: PlanDocument) -> None:
        r, fields = self.r, parsed.plan_fields
        path = "plan.calculation_notes"
        notes = r.obj(value, path, optional=(*schema.scalar_keys(path), "parameters"))
        if notes is None:
            return
        fields.update(schema.read_scalars(r, notes, path))
        seen = set()
        for _i, item, item_path in self.rows(notes, "parameters", path):
            row = r.obj(
                item,
                item_path,
                required=("table", "parameter"),
                optional=("definition", "unit", "display", "source", "note"),
            )
            if row is None:
                continue
            table = r.string(
                row, "table", item_path, required=True, choices=_choices(ParameterNote.Table)
            )
            parameter = r.string(row, "parameter", item_path, required=True)
            if (table, parameter) in seen:
                r.error(key_path(item_path, "parameter"), "appears twice in this table")
            seen.add((table, parameter))
            parsed.parameter_notes.append(
                {
                    "table": table,
                    "parameter": parameter,
                    "source": r.string(
                        row, "source", item_path, choices=_choices(ParameterNote.Source)
                    )
                    or "",
                    "note": r.string(row, "note", item_path) or "",
                    "definition": r.string(row, "definition", item_path) or "",
                    "unit": r.string(row, "unit", item_path) or "",
                    "display": r.string(
                        row, "display", item_path, choices=_choices(ParameterNote.Display)
                    )
                    or "",
                }
            )

    def read_applicability(self, doc: dict, parsed: PlanDocument) -> None:
        r, seen = self.r, set()
        for _i, item, item_path in self.rows(doc, "applicability", "$"):
            row = r.obj(
                item,
                item_path,
                required=("condition",),
                optional=("answer", "explanation", "wording"),
            )
            if row is None:
                continue
            condition = r.integer(
                row, "condition", item_path, required=True, minimum=1, maximum=CONDITION_COUNT
            )
            if condition is not None and condition in seen:
                r.error(key_path(item_path, "condition"), "appears twice")
            seen.add(condition)
            parsed.applicability.append(
                {
                    "condition": condition,
                    "answer": r.string(
                        row, "answer", item_path, choices=_choices(ApplicabilityAnswer.Answer)
                    )
                    or "",
                    "explanation": r.string(row, "explanation", item_path) or "",
                    "wording": r.string(row, "wording", item_path) or "",
                }
            )

    def read_additionality(self, value, parsed: PlanDocument) -> None:
        r, path, fields = self.r, "additionality", parsed.plan_fields
        data = r.obj(
            value, path, optional=(*schema.scalar_keys(path), "regulations", "saving_rate")
        )
        if data is None:
            return
        # none, notes and other: the schema's rows.
        fields.update(schema.read_scalars(r, data, path))
        seen = set()
        for _i, item, item_path in self.rows(data, "regulations", path):
            row = r.obj(item, item_path, required=("code",), optional=("explanation",))
            if row is None:
                continue
            code = r.string(row, "code", item_path, required=True)
            if code is not None and code not in self.regulation_codes:
                r.error(key_path(item_path, "code"), "not in the regulation catalogue")
            elif code in seen:
                r.error(key_path(item_path, "code"), "appears twice")
            seen.add(code)
            parsed.regulations.append((code, r.string(row, "explanation", item_path) or ""))
        if "saving_rate" in data:
            rate_path = key_path(path, "saving_rate")
            rate = r.obj(
                data["saving_rate"],
                rate_path,
                optional=(*schema.scalar_keys(rate_path), "measures"),
            )
            if rate is not None:
                fields.update(schema.read_scalars(r, rate, rate_path))
                for i, item, item_path in self.rows(rate, "measures", rate_path):
                    row = r.obj(item, item_path, required=("label", "savings_kwh"))
                    if row is not None:
                        parsed.saving_measures.append(
                            {
                                "order": i,
                                "label": r.string(row, "label", item_path, required=True),
                                "savings_kwh": r.quantity(
                                    row, "savings_kwh", item_path, required=True
                                ),
                            }
                        )

    def read_consultation(self, value, parsed: PlanDocument) -> None:
        r, path, fields = self.r, "consultation", parsed.plan_fields
        data = r.obj(value, path, optional=(*schema.scalar_keys(path), "tiers", "questions"))
        if data is None:
            return
        fields.update(schema.read_scalars(r, data, path))
        for i, item, item_path in self.rows(data, "questions", path):
            row = r.obj(
                item,
                item_path,
                required=("kind", "text"),
                optional=("summary_lead", "options", "responses"),
            )
            if row is None:
                continue
            kind = r.string(row, "kind", item_path, required=True, choices=_choices(Question.Kind))
            options = []
            for _j, option, option_path in self.rows(row, "options", item_path):
                if not (isinstance(option, str) and option.strip()):
                    r.error(option_path, "must be a non-empty string")
                elif len(option) > OPTION_TEXT_MAX:
                    r.error(
                        option_path,
                        f"longer than {OPTION_TEXT_MAX} characters",
                        "string_too_long",
                        maximum=OPTION_TEXT_MAX,
                    )
                else:
                    options.append(option)
            if kind == Question.Kind.MULTI and len(options) < 2:
                r.error(key_path(item_path, "options"), "a multi-choice question needs 2 options")
            elif kind and kind != Question.Kind.MULTI and options:
                r.error(key_path(item_path, "options"), "only multi-choice questions have options")
            responses = []
            for _j, response, response_path in self.rows(row, "responses", item_path):
                if not isinstance(response, str):
                    r.error(response_path, "must be a string", "not_string")
                elif len(response) > OPTION_RESPONSE_MAX:
                    r.error(
                        response_path,
                        f"longer than {OPTION_RESPONSE_MAX} characters",
                        "string_too_long",
                        maximum=OPTION_RESPONSE_MAX,
                    )
                else:
                    responses.append(response)
            if isinstance(row.get("responses"), list):
                responses_path = key_path(item_path, "responses")
                if kind and kind != Question.Kind.MULTI:
                    r.error(responses_path, "only multi-choice questions have responses")
                elif len(row["responses"]) != len(row.get("options") or []):
                    r.error(responses_path, "needs one response per option")
            parsed.questions.append(
                {
                    "order": i,
                    "kind": kind,
                    "text": r.string(row, "text", item_path, required=True),
                    "summary_lead": r.string(row, "summary_lead", item_path) or "",
                    "options": options,
                    "responses": responses,
                }
            )
        for i, item, item_path in self.rows(data, "tiers", path):
            row = r.obj(
                item,
                item_path,
                required=("name",),
                optional=("definition", "targets", "survey_month", "sent", "returned", "answers"),
            )
            if row is None:
                continue
            sent = r.integer(row, "sent", item_path, minimum=0)
            returned = r.integer(row, "returned", item_path, minimum=0)
            if sent is not None and returned is not None and returned > sent:
                r.error(key_path(item_path, "returned"), "must not exceed the copies sent")
            parsed.tiers.append(
                {
                    "order": i,
                    "name": r.string(row, "name", item_path, required=True),
                    "definition": r.string(row, "definition", item_path) or "",
                    "targets": r.string(row, "targets", item_path) or "",
                    "survey_month": r.month(row, "survey_month", item_path) or "",
                    "copies_sent": sent,
                    "copies_returned": returned,
                    "answers": self.read_answers(row, item_path, parsed.questions, returned or 0),
                }
            )

    def read_answers(self, tier: dict, path: str, questions: list[dict], returned: int):
        """A tier's answer counts: {"question": index, "yes", "no"} or {"question", "options"}."""
        r, answers, seen = self.r, [], set()
        for _i, item, item_path in self.rows(tier, "answers", path):
            row = r.obj(item, item_path, required=("question",), optional=("yes", "no", "options"))
            if row is None:
                continue
            index = r.integer(row, "question", item_path, required=True, minimum=0)
            if index is None:
                continue
            if index >= len(questions) or index in seen:
                r.error(key_path(item_path, "question"), "no such question, or given twice")
                continue
            seen.add(index)
            question = questions[index]
            if question["kind"] == Question.Kind.MULTI:
                counts = []
                for _j, count, count_path in self.rows(row, "options", item_path):
                    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                        r.error(count_path, "must be a count of answers (an integer ≥ 0)")
                    elif count > returned:
                        r.error(count_path, "must not exceed the copies returned")
                    else:
                        counts.append(count)
                if "options" in row and len(row["options"]) != len(question["options"]):
                    r.error(key_path(item_path, "options"), "needs one count per option")
                answers.append({"question": index, "options": counts})
            else:
                yes = r.integer(row, "yes", item_path, minimum=0) or 0
                no = r.integer(row, "no", item_path, minimum=0) or 0
                if yes + no > returned:
                    r.error(item_path, "yes and no must not exceed the copies returned")
                answers.append({"question": index, "yes": yes, "no": no})
        return answers

    def read_attachments(self, doc: dict, parsed: PlanDocument) -> None:
        for i, item, item_path in self.rows(doc, "attachments", "$"):
            row = self.r.obj(item, item_path, required=("label",), optional=("description",))
            if row is not None:
                parsed.attachments.append(
                    {
                        "order": i,
                        "label": self.r.string(row, "label", item_path, required=True),
                        "description": self.r.string(row, "description", item_path) or "",
                    }
                )

    def rows(self, obj: dict, key: str, path: str):
        """Yield (index, item, path) for a list under obj[key], if present."""
        items = self.r.array(obj, key, path)
        for i, item in enumerate(items or []):
            yield i, item, index_path(key_path(path, key), i)


def _take_calculation_fields(parsed: PlanDocument, raw: dict, calc: CalculationInput) -> None:
    """Model values of section 四, keeping what the document stated (not table look-ups)."""
    fields = parsed.plan_fields
    fields["type"] = calc.plan_type
    fields["crediting_start"] = calc.crediting_start
    fields["crediting_end"] = calc.crediting_end
    fields["emission_factor_value"] = (
        None if calc.emission_factor_from_table else calc.emission_factor
    )
    fields["emission_factor_year"] = calc.emission_factor_year
    fields["line_loss"] = calc.line_loss
    fields["leakage_tco2e"] = calc.leakage_tco2e
    fields["gwp_edition"] = raw.get("gwp_edition", "")
    level = calc.service_level
    fields["service_level_metric"] = level.metric if level else ""
    fields["service_level_mode"] = level.mode if level else ""


def plan_document(plan: Plan) -> dict:
    """The plan as an `offset-plan/1` document (keys in the format's order)."""
    doc: dict[str, Any] = {"format": FORMAT, "plan": _plan_section(plan)}
    applicability = [
        _compact(
            {
                "condition": a.condition,
                "answer": a.answer,
                "explanation": a.explanation,
                "wording": a.wording,
            }
        )
        for a in plan.applicability.all()
    ]
    if applicability:
        doc["applicability"] = applicability
    additionality = _additionality_section(plan)
    if additionality:
        doc["additionality"] = additionality
    doc["calculation"] = _calculation_section(plan)
    environment = schema.write_scalars(plan, "environment")
    if environment:
        doc["environment"] = environment
    survey = survey_data(plan)
    consultation = _compact(
        {
            **schema.write_scalars(plan, "consultation"),
            "questions": [_compact(q) for q in survey["questions"]],
            "tiers": [_compact(t) for t in survey["tiers"]],
        }
    )
    if consultation:
        doc["consultation"] = consultation
    attachments = [
        _compact({"label": a.label, "description": a.description}) for a in plan.attachments.all()
    ]
    if attachments:
        doc["attachments"] = attachments
    return doc


def calculation_document(
    plan: Plan,
    groups: list[EquipmentGroup] | None = None,
    months: dict[int, list[tuple]] | None = None,
) -> dict:
    """The parts of `plan_document` the engine reads (`format`, `plan.type`,
    `plan.crediting_period`, `calculation`), written the same way: a calculation
    reads the plan's groups, refrigerants and pairs, not every part of it.
    `groups` and `months` (see group_months): the plan's groups and their months as
    saved, when the caller has read them already."""
    section: dict[str, Any] = {"type": plan.type}
    crediting = _compact({"start": _date(plan.crediting_start), "end": _date(plan.crediting_end)})
    if crediting:
        section["crediting_period"] = crediting
    return {
        "format": FORMAT,
        "plan": section,
        "calculation": _calculation_section(plan, groups, months),
    }


def _plan_section(plan: Plan) -> dict:
    programme = None
    if plan.programme_id:
        programme = {
            "title": plan.programme.title,
            "version": plan.programme.version,
            "authority": plan.programme.authority.name,
        }
    # The scalar fields come from the schema's rows; the rest is written here.
    scalars = schema.write_scalars(plan)
    section: dict[str, Any] = {
        "type": plan.type,
        "number": plan.number,
        "organization": plan.applicant_name or plan.organisation.name,
        "methodology": (
            {"code": plan.methodology.code, "version": plan.methodology.version}
            if plan.methodology_id
            else None
        ),
        "programme": programme,
        "crediting_period": _compact(
            {"start": _date(plan.crediting_start), "end": _date(plan.crediting_end)}
        ),
        "participants": [
            _compact({"role": p.role, "name": p.name, "description": p.description})
            for p in plan.participants.all()
        ],
        "equipment": [
            _compact(
                {
                    "side": e.side,
                    "brand": e.brand,
                    "model": e.model,
                    "spec": e.spec,
                    "efficacy": e.efficacy,
                    "quantity": e.quantity,
                    "unit": e.unit,
                    "location": e.location,
                    "note": e.note,
                }
            )
            for e in plan.equipment.all()
        ],
        "schedule": [{"month": st.month, "step": st.step} for st in plan.schedule.all()],
        "calculation_notes": _compact(
            {
                **schema.write_scalars(plan, "plan.calculation_notes"),
                "parameters": [
                    _compact(
                        {
                            "table": n.table,
                            "parameter": n.parameter,
                            "definition": n.definition,
                            "unit": n.unit,
                            "display": n.display,
                            "source": n.source,
                            "note": n.note,
                        }
                    )
                    for n in plan.parameter_notes.all()
                ],
            }
        ),
        "figures": [figure_entry(f) for f in plan.figures.all()],
        **scalars,
    }
    # In the format's order, then keys the schema adds; null is allowed only for
    # `programme`, and `number` is always written; other empty values are left out.
    order = [*PLAN_FORMAT_KEYS, *PLAN_PRODUCT_KEYS]
    order += [key for key in section if key not in order]
    return {
        key: section[key]
        for key in order
        if key in section
        and (key in ("number", "programme") or section[key] not in (None, "", {}, []))
    }


def figure_entry(figure: PlanFigure) -> dict:
    """A stored figure as `plan.figures` carries it (its bytes read from storage)."""
    with figure.image.open("rb") as handle:
        content = handle.read()
    return {
        "slot": figure.slot,
        "caption": figure.caption,
        "image": figures.document_image(content, figure.media_type),
    }


def saving_rate_section(plan: Plan) -> dict:
    """`additionality.saving_rate` of a stored plan."""
    measures = [
        {"label": m.label, "savings_kwh": _number(m.savings_kwh)}
        for m in plan.saving_measures.all()
    ]
    return _compact(
        {**schema.write_scalars(plan, "additionality.saving_rate"), "measures": measures}
    )


def _additionality_section(plan: Plan) -> dict:
    section = {
        **schema.write_scalars(plan, "additionality"),  # none, notes, other
        "regulations": [
            _compact({"code": c.regulation.code, "explanation": c.explanation})
            for c in plan.regulations.select_related("regulation")
        ],
        "saving_rate": saving_rate_section(plan),
    }
    return _compact(_in_order(section, ADDITIONALITY_KEYS))


PERIOD_COLUMNS = ("month", "power_kw", "hours", "energy_kwh")


def group_months(plan: Plan) -> dict[int, list[tuple]]:
    """The saved months of the plan's groups as PERIOD_COLUMNS rows, by group pk, in
    month order: one query, and no model instance for each (a plan may hold 400 groups
    of 12 months)."""
    months: dict[int, list[tuple]] = {}
    rows = GroupPeriod.objects.filter(group__plan=plan).values_list("group_id", *PERIOD_COLUMNS)
    for group_id, *row in rows:
        months.setdefault(group_id, []).append(tuple(row))
    return months


def _calculation_section(
    plan: Plan,
    groups: list[EquipmentGroup] | None = None,
    months: dict[int, list[tuple]] | None = None,
) -> dict:
    emission_factor = _compact(
        {"value": _number(plan.emission_factor_value), "year": plan.emission_factor_year}
    )
    section: dict[str, Any] = {"emission_factor": emission_factor}
    if plan.line_loss is not None:
        section["line_loss"] = _number(plan.line_loss)
    refrigerants = {r.side: r for r in plan.refrigerants.all()}
    if groups is None or months is None:
        groups, months = list(plan.groups.all()), group_months(plan)
    for side in Side.values:
        section[side] = {
            "groups": [_group(g, months.get(g.pk, [])) for g in groups if g.side == side],
            "refrigerant": _refrigerant(refrigerants.get(side)),
        }
    section["leakage_tco2e"] = _number(plan.leakage_tco2e)
    if plan.service_level_mode:
        section["service_level"] = {
            "metric": plan.service_level_metric,
            "mode": plan.service_level_mode,
            "pairs": [
                {
                    "location": p.location,
                    "baseline": _number(p.baseline),
                    "project": _number(p.project),
                }
                for p in plan.service_pairs.all()
            ],
        }
    else:
        section["service_level"] = None
    if plan.gwp_edition:
        section["gwp_edition"] = plan.gwp_edition
    return section


def _group(group: EquipmentGroup, months: list[tuple]) -> dict:
    """A group as the format writes it; `months`: its periods' PERIOD_COLUMNS."""
    data: dict[str, Any] = {"name": group.name, "count": group.count}
    if group.shape != EquipmentGroup.Shape.PERIODS:
        for name in EquipmentGroup.SHAPE_FIELDS[group.shape]:
            data[name] = _number(getattr(group, name))
    else:
        data["periods"] = [
            {"period": month, "energy_kwh": _number(energy_kwh)}
            if energy_kwh is not None
            else {"period": month, "power_kw": _number(power_kw), "hours": _number(hours)}
            for month, power_kw, hours, energy_kwh in months
        ]
    return {key: value for key, value in data.items() if value is not None}


def _refrigerant(refrigerant) -> dict | None:
    if refrigerant is None:
        return None
    return _compact(
        {
            "code": refrigerant.code,
            "annual_quantity_t": _number(refrigerant.annual_quantity_t),
            "gwp": _number(refrigerant.gwp),
            "odp": _number(refrigerant.odp),
        }
    )


def decimal_text(value: Decimal) -> str:
    """A Decimal as the format writes it: plain digits, no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _number(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _in_order(section: dict, order) -> dict:
    """The keys of `section` in the format's order, then any the schema adds."""
    keys = [*order, *(key for key in section if key not in order)]
    return {key: section[key] for key in keys if key in section}


def _compact(data: dict) -> dict:
    """Drop keys whose value is empty; a draft leaves them out of the document."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}
