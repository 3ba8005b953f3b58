"""Business actions on plans. Views and commands call these; they never write
models directly."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.engine import (
    MONITORING_FORMAT,
    DocumentErrors,
    FieldError,
    MonitoringInput,
    Results,
    calculate,
    calculate_monitoring,
    parse_calculation_document,
    parse_monitoring_document,
)
from methodologies.models import Methodology, Regulation
from methodologies.reference import load_reference_data, reference_data_read_once
from projects import compare, consistency, dates, figures, schema, survey_template
from projects.consistency import CREDITING_YEARS
from projects.interchange import (
    FORMAT,
    PlanDocument,
    calculation_document,
    plan_document,
    read_document,
)
from projects.models import (
    ApplicabilityAnswer,
    Attachment,
    EquipmentGroup,
    EquipmentItem,
    GroupPeriod,
    Organisation,
    PaperTally,
    ParameterNote,
    Participant,
    Plan,
    PlanEvent,
    PlanFigure,
    PlanRefrigerant,
    Programme,
    Question,
    QuestionOption,
    RegulationChoice,
    ReviewComment,
    SavingMeasure,
    ScheduleStep,
    ServiceLevelPair,
    StakeholderTier,
)
from projects.permissions import can_delete, is_applicant_editor, is_reviewer
from projects.presentation import describe_error
from projects.sections import save_unless_stale

audit_log = logging.getLogger("projects.audit")


class PlanError(Exception):
    """A business rule refused the action; the message is for the user."""


class PlanNotEditable(PlanError):
    """The plan was submitted (or the user lost the right to edit) meanwhile."""


def document_read(document) -> PlanDocument:
    """Validate a whole `offset-plan/1` document against today's reference data."""
    codes = set(Regulation.objects.values_list("code", flat=True))
    parsed = read_document(document, load_reference_data(), regulation_codes=codes)
    if parsed.methodology is not None:
        code, version = parsed.methodology
        if not Methodology.objects.filter(code=code, version=version).exists():
            raise DocumentErrors(
                [FieldError("plan.methodology", f"unknown methodology {code} {version}")]
            )
    return parsed


def monitoring_document_read(document) -> MonitoringInput:
    """Validate a whole `offset-monitoring/1` document against today's reference data: the
    emission factor published for its `emission_factor.year`, refrigerants' GWP by edition."""
    return parse_monitoring_document(document, load_reference_data())


DOCUMENT_FORMATS = (FORMAT, MONITORING_FORMAT)


def document_results(document) -> dict:
    """The results JSON of a plan or a monitoring document, told apart by its `format`
    (`offset-plan-results/1` or `offset-monitoring-results/1`); DocumentErrors when it is
    refused, a format neither of the two at `format`."""
    if not isinstance(document, dict):
        document_read(document)  # refused at `$`
    kind = document.get("format")
    if kind == MONITORING_FORMAT:
        return calculate_monitoring(monitoring_document_read(document)).to_json()
    if kind == FORMAT:
        return calculate(document_read(document).calculation).to_json()
    if kind is None:
        raise DocumentErrors([FieldError("format", "required")])
    choices = ", ".join(f'"{choice}"' for choice in DOCUMENT_FORMATS)
    raise DocumentErrors(
        [
            FieldError(
                "format",
                f"must be one of {choices}",
                "not_in_choices",
                {"choices": DOCUMENT_FORMATS},
            )
        ]
    )


@transaction.atomic
def plan_import(
    *, document, organisation: Organisation | None = None, create_programmes: bool = False
) -> Plan:
    """Create a plan from a document, all of it or nothing.

    The plan belongs to `organisation`, or to the applicant organisation named
    in `plan.organization` (created if new). A sub-project joins the open
    programme of that title and version; `create_programmes` (administrators'
    command line only) creates a missing programme and its authority."""
    parsed = document_read(document)
    if organisation is None:
        if not parsed.organisation_name:
            raise DocumentErrors(
                [FieldError("plan.organization", "required to import without an organisation")]
            )
        organisation, created = Organisation.objects.get_or_create(
            name=parsed.organisation_name, defaults={"kind": Organisation.Kind.APPLICANT}
        )
    plan = Plan(organisation=organisation)
    _apply_document(plan, parsed, create_programmes=create_programmes)
    Attachment.objects.bulk_create(
        _checked((Attachment(plan=plan, **row) for row in parsed.attachments), "attachments")
    )
    _create_figures(plan, parsed.figures)
    plan_refresh_results(plan)
    return plan


@transaction.atomic
def plan_replace(*, plan: Plan, document, user) -> Plan:
    """Replace a draft's content with a document (e.g. one edited offline).

    The plan keeps its organisation and its uploaded attachments; everything
    else comes from the document, all of it or nothing."""
    parsed = document_read(document)
    plan = _lock_editable(
        plan, user=user, refusal=_("計畫書目前為「%(status)s」，無法以檔案取代內容。")
    )
    if plan.current_version_id and _programme_key(parsed.programme) != _programme_key(
        plan.programme
    ):
        # Fixed from the first submission on: the review stays where it started.
        raise DocumentErrors(
            [FieldError("plan.programme", "cannot change after the plan was first submitted")]
        )
    before = plan_document(plan) if plan.current_version_id else None
    for related in (
        plan.participants,
        plan.schedule,
        plan.equipment,
        plan.applicability,
        plan.regulations,
        plan.saving_measures,
        plan.groups,
        plan.refrigerants,
        plan.service_pairs,
        plan.parameter_notes,
        plan.stakeholder_tiers,
        plan.questions,
    ):
        related.all().delete()
    # Figures travel in the document: the draft's are replaced by the document's.
    old_files = [(f.image.storage, f.image.name) for f in plan.figures.all()]
    plan.figures.all().delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in old_files])
    # Fields the document leaves out go back to their defaults.
    fresh = Plan(pk=plan.pk, organisation=plan.organisation, created_at=plan.created_at)
    fresh.status = plan.status
    fresh.authority = plan.authority
    fresh.current_version = plan.current_version
    fresh.submitted_at = plan.submitted_at
    fresh.revision = plan.revision + 1  # a page read before this replace is stale
    fresh._state.adding = False  # an update of the same row
    _apply_document(fresh, parsed)
    _create_figures(fresh, parsed.figures)
    plan_refresh_results(fresh)
    if before is not None:
        record_changes(plan=fresh, user=user, before=before, after=plan_document(fresh))
    return fresh


def _programme_key(programme) -> tuple | None:
    """A programme (a model or a document's `plan.programme`) as title and version."""
    if not programme:
        return None
    if isinstance(programme, dict):
        return (programme["title"], programme["version"])
    return (programme.title, programme.version)


def _apply_document(plan: Plan, parsed: PlanDocument, *, create_programmes=False) -> None:
    """Set the plan's fields from a validated document, save it and its rows."""
    current = plan.programme_id
    plan.programme = _programme(parsed.programme, create=create_programmes, current=current)
    plan.methodology = None
    if parsed.methodology:
        code, version = parsed.methodology
        plan.methodology = Methodology.objects.get(code=code, version=version)
    for name, value in parsed.plan_fields.items():
        setattr(plan, name, value)
    try:
        plan.full_clean()
    except ValidationError as error:
        raise DocumentErrors(_field_errors(error, "plan")) from error
    plan.save()
    _save_rows(plan, parsed)


def _programme(data: dict | None, *, create: bool, current: int | None) -> Programme | None:
    """The programme a document names: an existing one the plan may join, or
    (for administrators' imports) a new one under its authority."""
    if not data:
        return None
    programme = (
        Programme.objects.select_related("authority")
        .filter(title=data["title"], version=data["version"])
        .first()
    )
    path = "plan.programme"
    if programme is None:
        if not create:
            raise DocumentErrors([FieldError(path, "no programme with this title and version")])
        authority, created = Organisation.objects.get_or_create(
            name=data["authority"], defaults={"kind": Organisation.Kind.AUTHORITY}
        )
        if authority.kind != Organisation.Kind.AUTHORITY:
            raise DocumentErrors(
                [FieldError(f"{path}.authority", "names an organisation that is not an authority")]
            )
        return Programme.objects.create(
            title=data["title"], version=data["version"], authority=authority
        )
    if programme.authority.name != data["authority"]:
        raise DocumentErrors(
            [FieldError(f"{path}.authority", f"the programme is run by {programme.authority.name}")]
        )
    if not programme.is_open and programme.pk != current:
        raise DocumentErrors([FieldError(path, "the programme takes no new sub-projects")])
    return programme


def _field_errors(error: ValidationError, path: str, index: int | None = None) -> list[FieldError]:
    """Model validation errors as document errors; a model field stands for its key."""
    where = path if index is None else f"{path}[{index}]"
    return [
        FieldError(schema.field_path(where, name) if name != "__all__" else where, str(m))
        for name, messages in error.message_dict.items()
        for m in messages
    ]


def _checked(objects, path: str, *, first: int = 0):
    """Validate new rows as the models say (lengths, ranges) before inserting them;
    `path` is the document list they come from, `first` the index of the first."""
    objects = list(objects)
    errors = []
    for index, obj in enumerate(objects, start=first):
        errors.extend(_row_errors(obj, path, index))
    if errors:
        raise DocumentErrors(errors)
    return objects


def _check(obj, path: str):
    """_checked for one object that stands at `path` itself."""
    errors = _row_errors(obj, path, None)
    if errors:
        raise DocumentErrors(errors)
    return obj


def _row_errors(obj, path: str, index: int | None) -> list[FieldError]:
    exclude = [f.name for f in obj._meta.fields if f.is_relation]
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return _field_errors(error, path, index)
    return []


def _save_survey(plan: Plan, parsed: PlanDocument) -> None:
    """Questions with their options, tiers, and each tier's answers as paper tallies."""
    questions = []
    for row in parsed.questions:
        question = _check(
            Question(
                plan=plan,
                order=row["order"],
                kind=row["kind"],
                text=row["text"],
                summary_lead=row["summary_lead"],
            ),
            f"consultation.questions[{row['order']}]",
        )
        question.save()
        responses = row.get("responses") or []
        options = QuestionOption.objects.bulk_create(
            QuestionOption(
                question=question,
                order=j,
                text=text,
                response=responses[j] if j < len(responses) else "",
            )
            for j, text in enumerate(row["options"])
        )
        questions.append((question, options))
    tallies = []
    for row in parsed.tiers:
        answers = row.pop("answers", [])
        tier = _check(StakeholderTier(plan=plan, **row), f"consultation.tiers[{row['order']}]")
        tier.save()
        for answer in answers:
            question, options = questions[answer["question"]]
            if "options" in answer:
                tallies.extend(
                    PaperTally(tier=tier, question=question, option=option, count=count)
                    for option, count in zip(options, answer["options"], strict=False)
                )
            else:
                tallies.append(
                    PaperTally(tier=tier, question=question, yes=answer["yes"], no=answer["no"])
                )
    PaperTally.objects.bulk_create(tallies)


def _save_rows(plan: Plan, parsed: PlanDocument) -> None:
    calc = parsed.calculation
    Participant.objects.bulk_create(
        _checked(
            (Participant(plan=plan, **row) for row in parsed.participants), "plan.participants"
        )
    )
    ScheduleStep.objects.bulk_create(
        _checked((ScheduleStep(plan=plan, **row) for row in parsed.schedule), "plan.schedule")
    )
    EquipmentItem.objects.bulk_create(
        _checked((EquipmentItem(plan=plan, **row) for row in parsed.equipment), "plan.equipment")
    )
    ApplicabilityAnswer.objects.bulk_create(
        ApplicabilityAnswer(plan=plan, **row) for row in parsed.applicability
    )
    regulations = Regulation.objects.in_bulk(
        [code for code, _ in parsed.regulations], field_name="code"
    )
    RegulationChoice.objects.bulk_create(
        RegulationChoice(plan=plan, regulation=regulations[code], explanation=explanation)
        for code, explanation in parsed.regulations
    )
    SavingMeasure.objects.bulk_create(
        _checked(
            (SavingMeasure(plan=plan, **row) for row in parsed.saving_measures),
            "additionality.saving_rate.measures",
        )
    )
    ParameterNote.objects.bulk_create(
        _checked(
            (ParameterNote(plan=plan, **row) for row in parsed.parameter_notes),
            "plan.calculation_notes.parameters",
        )
    )
    _save_survey(plan, parsed)
    for side_name, side in (("baseline", calc.baseline), ("project", calc.project)):
        for order, group in enumerate(side.groups):
            row = EquipmentGroup(
                plan=plan,
                side=side_name,
                order=order,
                shape=group.shape,
                name=group.name,
                count=group.count,
                power_kw=group.power_kw,
                capacity_rt=group.capacity_rt,
                kw_per_rt=group.kw_per_rt,
                annual_hours=group.annual_hours,
            )
            _check(row, f"calculation.{side_name}.groups[{order}]").save()
            GroupPeriod.objects.bulk_create(
                GroupPeriod(
                    group=row,
                    month=period.period,
                    power_kw=period.power_kw,
                    hours=period.hours,
                    energy_kwh=period.energy_kwh,
                )
                for period in group.periods
            )
        refrigerant = side.refrigerant
        if refrigerant is not None:
            _check(
                PlanRefrigerant(
                    plan=plan,
                    side=side_name,
                    code=refrigerant.code,
                    annual_quantity_t=refrigerant.annual_quantity_t,
                    gwp=None if refrigerant.gwp_from_table else refrigerant.gwp,
                    odp=None if refrigerant.odp_from_table else refrigerant.odp,
                ),
                f"calculation.{side_name}.refrigerant",
            ).save()
    if calc.service_level is not None:
        ServiceLevelPair.objects.bulk_create(
            _checked(
                (
                    ServiceLevelPair(
                        plan=plan,
                        order=i,
                        location=pair.location,
                        baseline=pair.baseline,
                        project=pair.project,
                    )
                    for i, pair in enumerate(calc.service_level.pairs)
                ),
                "calculation.service_level.pairs",
            )
        )


def plan_refresh_results(plan: Plan) -> None:
    """Store the engine's results on the plan (None while inputs are incomplete)."""
    try:
        plan.results = plan_calculate(plan).to_json()
    except DocumentErrors:
        plan.results = None
    Plan.objects.filter(pk=plan.pk).update(results=plan.results)


def plan_calculate(plan: Plan) -> Results:
    """The engine's results for a stored plan; raises DocumentErrors saying what
    is missing or wrong (a draft may be incomplete)."""
    return calculate(parse_calculation_document(calculation_document(plan), load_reference_data()))


def plan_create(
    *, user, organisation, type, title, technology, programme=None, authority=None
) -> Plan:
    """A new draft plan with the defaults both reference plans share."""
    if (
        not user.is_superuser
        and not organisation.membership_set.filter(user=user, role="editor").exists()
    ):
        raise PlanError(_("您不是此單位的編輯者。"))
    if programme is not None and not programme.is_open:
        raise PlanError(_("此方案型抵換專案已不再接受新的子專案。"))
    plan = Plan(
        organisation=organisation,
        programme=programme if type == Plan.Type.SUB_PROJECT else None,
        authority=authority if type == Plan.Type.INDIVIDUAL else None,
        type=type,
        title=title,
        technology=technology,
        applicant_name=organisation.name,
        methodology=Methodology.objects.filter(code="AMS-II.C").order_by("-version").first(),
        sector="03",
        application_kind=Plan.ApplicationKind.NEW,
        crediting=Plan.Crediting.FIXED,
        category=Plan.Category.ENERGY_SAVING,
    )
    if type == Plan.Type.INDIVIDUAL:
        # Section 五 starts from the registered plan's wording, to be edited; a
        # sub-project leaves 五 to its programme (an empty 五 prints nothing).
        for field, text in survey_template.environment_texts(plan).items():
            setattr(plan, field, text)
    plan.full_clean()
    plan.save()
    ApplicabilityAnswer.objects.bulk_create(
        ApplicabilityAnswer(plan=plan, condition=number) for number in schema.CONDITIONS
    )
    return plan


def plan_section_save(*, plan: Plan, editor_class, data, files, user):
    """Save one section page (all its forms) and refresh the plan's figures.

    One writer per plan at a time: the plan row is locked, the right to edit is
    checked again under the lock, and the forms are built on the locked row so
    that they write only their own fields over what is saved now. A page read
    at an older revision is not saved: the editor comes back with `conflicts`
    listing the saved values beside the sent ones, and nothing typed is lost.
    Returns the editor; `editor.saved` says whether it was saved."""
    with transaction.atomic():
        locked = _lock_editable(
            plan,
            user=user,
            refusal=_("計畫書目前為「%(status)s」，無法儲存；您輸入的內容仍在頁面上。"),
        )
        # Read before the forms are validated, which sets their values on `locked`.
        before = plan_document(locked) if locked.current_version_id else None
        editor, saved = save_unless_stale(editor_class, locked, data, files)
        if not saved:
            return editor
        Plan.objects.filter(pk=locked.pk).update(revision=F("revision") + 1)
        locked.refresh_from_db()
        _fill_crediting_period(locked)
        plan_refresh_results(locked)
        if before is not None:
            record_changes(plan=locked, user=user, before=before, after=plan_document(locked))
        editor.plan = locked
        editor.saved = True
        return editor


def record_changes(*, plan: Plan, user, before: dict, after: dict) -> None:
    """Log every field that changed in a plan that has been submitted before."""
    found = compare.changes(before, after)
    if found:
        PlanEvent.objects.create(plan=plan, user=user, kind=PlanEvent.Kind.CHANGE, changes=found)


def _fill_crediting_period(plan: Plan) -> None:
    """The crediting period follows from its start (else the project's start
    date) and the crediting type; whatever the applicant typed is kept."""
    start = plan.crediting_start or plan.start_date
    if plan.crediting_end or not start or not plan.crediting:
        return
    plan.crediting_start, plan.crediting_end = crediting_period_for(start, plan.crediting)
    Plan.objects.filter(pk=plan.pk).update(
        crediting_start=plan.crediting_start, crediting_end=plan.crediting_end
    )


def crediting_period_for(start, crediting: str):
    """固定型 10 years, 展延型 7 years, from the start date, end inclusive."""
    return dates.crediting_period(start, CREDITING_YEARS[crediting])


@dataclass
class FiguresPreview:
    """The figures of a page's unsaved values (or why there are none)."""

    results: dict | None
    errors: list[str]


@dataclass
class Preview(FiguresPreview):
    warnings: list[str]
    saving_rate: object
    group_figures: dict | None = None  # consistency.group_figures, by side


class _RollBack(Exception):
    pass


def rolled_back(work) -> dict:
    """Run `work()` (it returns a dict) in a transaction that is always rolled back,
    with one read of the reference tables; return what it returned. An exception
    `work` raises goes through. The plan and monitoring previews save, calculate
    and roll back this way."""
    outcome: dict = {}
    try:
        with transaction.atomic(), reference_data_read_once():
            outcome.update(work())
            raise _RollBack
    except _RollBack:
        pass
    return outcome


def plan_preview(*, user, pk, editor_class, data, files) -> tuple[object, Preview | None]:
    """The figures for the page's unsaved values: save, calculate, roll back.

    The forms are built on the plan row locked inside the transaction, so a save
    under way is waited for rather than collided with, and nothing is ever
    committed. The plan is looked up among those `user` may change, in the
    query that locks it (Plan.DoesNotExist otherwise). Returns the editor and
    the preview (None when the forms are invalid); no query per row."""

    # The forms, the calculation and the checks share one read of the tables.
    def work():
        locked = Plan.objects.editable_by(user).select_for_update().get(pk=pk)
        return preview_on(locked, editor_class, data, files)

    outcome = rolled_back(work)
    return outcome["editor"], outcome.get("preview")


def preview_on(plan: Plan, editor_class, data, files) -> dict:
    """Inside a transaction the caller rolls back: the page's values saved on `plan`,
    calculated and checked. {"editor": …, "preview": Preview, or none when invalid}.
    The plan pages preview their plan this way, the public calculator a scratch plan."""
    editor = editor_class(plan, data, files)
    if not editor.is_valid():
        return {"editor": editor}
    editor.save()
    # The forms wrote their values into `plan`; its refrigerants are
    # read once, for the calculation and for the checks.
    prefetch_related_objects([plan], "refrigerants")
    groups = None
    try:
        # One read of the document for the results and the groups' energies.
        calculation = parse_calculation_document(calculation_document(plan), load_reference_data())
        results = calculate(calculation).to_json()
        groups = consistency.group_figures(calculation)
        errors = []
    except DocumentErrors as error:
        results, errors = None, [describe_error(item) for item in error.errors]
    plan.results = results
    preview = Preview(
        results=results,
        errors=errors,
        warnings=consistency.warnings(plan),
        saving_rate=consistency.saving_rate(plan),
        group_figures=groups,
    )
    return {"editor": editor, "preview": preview}


ATTACHMENT_NUMERALS = "一二三四五六七八九十"


def numbered_label(prefix: str, count: int) -> str:
    """The label of the item after `count` others: 附件一 … 附件十, then 附件11."""
    if count < len(ATTACHMENT_NUMERALS):
        return f"{prefix}{ATTACHMENT_NUMERALS[count]}"
    return f"{prefix}{count + 1}"


def next_attachment_label(plan: Plan) -> str:
    return numbered_label("附件", plan.attachments.count())


def _lock_editable(plan: Plan, *, user=None, refusal: str = "") -> Plan:
    """The plan row, locked, if it can still be changed (not submitted meanwhile)
    — by `user`, when given; otherwise raise PlanNotEditable with `refusal`, a
    message naming the plan's %(status)s."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if user is not None:
        editable = Plan.objects.editable_by(user).filter(pk=locked.pk).exists()
    else:
        editable = locked.status in Plan.EDITABLE_STATUSES
    if not editable:
        refusal = refusal or _("計畫書目前為「%(status)s」，無法變更附件。")
        raise PlanNotEditable(refusal % {"status": locked.get_status_display()})
    return locked


@transaction.atomic
def attachment_add(*, plan: Plan, label: str, description: str, file) -> Attachment:
    """An attachment is part of the document: added only while the plan can change."""
    plan = _lock_editable(plan)
    order = plan.attachments.count()
    attachment = Attachment(plan=plan, label=label, description=description, file=file, order=order)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def figure_add(*, plan: Plan, slot: str, caption: str, content: bytes) -> PlanFigure:
    """Place an image in a slot of the 計畫書 (checked, downscaled for print), only
    while the plan can change; the plan's figures must still fit in a document."""
    plan = _lock_editable(plan)
    try:
        image = figures.print_image(content)
    except figures.FigureError as refusal:
        raise PlanError(str(refusal)) from None
    existing = list(plan.figures.values_list("size", flat=True))
    if len(existing) >= figures.PLAN_MAX_FIGURES:
        raise PlanError(
            _("一份計畫書最多 %(count)d 張圖片。") % {"count": figures.PLAN_MAX_FIGURES}
        )
    if sum(existing) + len(image.content) > figures.PLAN_MAX_BYTES:
        raise PlanError(_("計畫書的圖片合計不可超過 3 MB（匯出檔的大小上限）。"))
    figure = PlanFigure(
        plan=plan,
        slot=slot,
        caption=caption.strip(),
        order=len(existing),
        media_type=image.media_type,
        sha256=image.sha256,
        size=len(image.content),
    )
    figure.image.save(_figure_name(image), ContentFile(image.content), save=False)
    stored = figure.image.name
    try:
        figure.full_clean()
        figure.save()
    except Exception:
        figure.image.storage.delete(stored)
        raise
    return figure


def _figure_name(image: figures.PrintImage) -> str:
    return f"{image.sha256[:16]}.{figures.EXTENSIONS[image.media_type]}"


@transaction.atomic
def figure_delete(*, plan: Plan, figure: PlanFigure) -> None:
    """Remove a draft's figure; its file goes once the deletion has committed (a
    submitted version keeps its own copy of the image in its document)."""
    _lock_editable(plan)
    name, storage = figure.image.name, figure.image.storage
    figure.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _create_figures(plan: Plan, rows: list[dict]) -> None:
    """The document's figures (already checked by the reader) as the plan's."""
    for row in rows:
        image = row["image"]
        figure = PlanFigure(
            plan=plan,
            slot=row["slot"],
            caption=row["caption"],
            order=row["order"],
            media_type=image.media_type,
            sha256=image.sha256,
            size=len(image.content),
        )
        figure.image.save(_figure_name(image), ContentFile(image.content), save=False)
        figure.save()


@transaction.atomic
def attachment_delete(*, plan: Plan, attachment: Attachment) -> None:
    _lock_editable(plan)
    attachment.file.delete(save=False)
    attachment.delete()


def create_comment(
    *,
    owner,
    owner_field,
    model,
    event_model,
    user,
    section,
    field,
    text,
    parent,
    may_reply,
    may_comment,
    refusal: str,
    error,
):
    """A comment on a section of `owner` (a plan or a monitoring report), or a reply
    in one of its threads, with its COMMENT event. `may_reply` and `may_comment` are
    asked only when needed; a refusal raises `error`."""
    if parent:
        thread = owner.comments.filter(pk=parent, parent=None).first()
        if thread is None:
            raise error(_("找不到要回覆的意見。"))
        if not may_reply():
            raise error(_("您沒有權限回覆意見。"))
        section, field = thread.section, thread.field
    elif not may_comment():
        raise error(refusal)
    comment = model.objects.create(
        **{owner_field: owner},
        version=owner.current_version,
        parent_id=parent or None,
        section=section,
        field=field,
        author=user,
        text=text.strip(),
    )
    event_model.objects.create(
        **{owner_field: owner}, user=user, kind=event_model.Kind.COMMENT, message=comment.text
    )
    return comment


def mark_resolved(comment, user) -> None:
    comment.resolved_at = timezone.now()
    comment.resolved_by = user
    comment.save(update_fields=["resolved_at", "resolved_by"])


def comment_add(*, plan: Plan, user, section: str, field: str, text: str, parent=None):
    """A reviewer's comment on a section, or a reply by either side."""
    reviewer = is_reviewer(user, plan)
    return create_comment(
        owner=plan,
        owner_field="plan",
        model=ReviewComment,
        event_model=PlanEvent,
        user=user,
        section=section,
        field=field,
        text=text,
        parent=parent,
        may_reply=lambda: reviewer or is_applicant_editor(user, plan),
        may_comment=lambda: reviewer,
        refusal=_("只有審查者可以提出審查意見；申請者請以回覆方式說明。"),
        error=PlanError,
    )


def comment_resolve(*, comment, user) -> None:
    if not is_reviewer(user, comment.plan):
        raise PlanError(_("只有審查者可以標示意見已處理。"))
    mark_resolved(comment, user)


def plan_delete(*, plan: Plan, user) -> None:
    """Delete a draft that was never submitted, with its rows and its attachments'
    files (removed once the deletion has committed).

    Its PlanEvent rows go with it (they cascade), so the deletion is recorded in
    the "projects.audit" log: who, which plan, its title."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().filter(pk=plan.pk).first()
        if locked is None:
            raise PlanError(_("此計畫書已刪除。"))
        if not can_delete(user, locked):
            raise PlanError(_("只有從未送審的草稿可以刪除。"))
        files = [a.file for a in locked.attachments.all() if a.file]
        files += [f.image for f in locked.figures.all()]
        pk, title = locked.pk, locked.title
        locked.delete()

        def done():
            audit_log.info("plan deleted: user=%s plan=%s title=%r", user.pk, pk, title)
            for file in files:
                file.storage.delete(file.name)

        transaction.on_commit(done)


def plans_refresh_results_for_reference_change() -> int:
    """Recompute `Plan.results` of every editable plan that takes a figure from the
    reference tables (its emission factor by year, or a refrigerant), after reference
    data changed; returns how many changed. Frozen versions keep their own figures
    (PlanVersion.reference) and are never touched."""
    editable = Plan.objects.filter(status__in=Plan.EDITABLE_STATUSES)
    ids = set(editable.filter(emission_factor_value__isnull=True).values_list("pk", flat=True))
    ids |= set(PlanRefrigerant.objects.filter(plan__in=editable).values_list("plan_id", flat=True))
    reference = load_reference_data()
    changed = 0
    for plan in Plan.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=100):
        try:
            results = calculate(parse_calculation_document(plan_document(plan), reference))
            results = results.to_json()
        except DocumentErrors:
            results = None
        if results != plan.results:
            # Only if no save came in meanwhile (it wrote newer results of its own).
            changed += Plan.objects.filter(
                pk=plan.pk, revision=plan.revision, status__in=Plan.EDITABLE_STATUSES
            ).update(results=results)
    return changed
