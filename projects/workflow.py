"""The review workflow: every state change of a plan goes through here.

draft → submitted → under review → changes requested → (submitted again) →
approved or rejected; an applicant may withdraw a submitted plan before review
starts. A transition that is not allowed raises PlanError and changes nothing.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from methodologies.engine import DocumentErrors
from methodologies.reference import reference_snapshot, snapshot_results
from projects import notifications, schema
from projects.consistency import CREDITING_YEARS
from projects.dates import crediting_period, roc_long, year_count
from projects.interchange import plan_document
from projects.models import Plan, PlanEvent, PlanVersion
from projects.permissions import is_applicant_editor, is_reviewer
from projects.presentation import check_detail, check_label, describe_error
from projects.services import PlanError, plan_calculate

Status = Plan.Status
APPLICANT, REVIEWER = "applicant", "reviewer"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    actor: str  # who may take it: APPLICANT (an editor) or REVIEWER
    label: str
    needs_comment: bool = False
    style: str = "primary"


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit",
            (Status.DRAFT, Status.CHANGES_REQUESTED),
            Status.SUBMITTED,
            APPLICANT,
            pgettext_lazy("review action", "送審"),
        ),
        Transition(
            "withdraw",
            (Status.SUBMITTED,),
            Status.DRAFT,
            APPLICANT,
            pgettext_lazy("review action", "撤回送審"),
            style="outline-secondary",
        ),
        Transition(
            "start_review",
            (Status.SUBMITTED,),
            Status.UNDER_REVIEW,
            REVIEWER,
            pgettext_lazy("review action", "開始審查"),
        ),
        Transition(
            "request_changes",
            (Status.UNDER_REVIEW,),
            Status.CHANGES_REQUESTED,
            REVIEWER,
            pgettext_lazy("review action", "退回修正"),
            needs_comment=True,
            style="warning",
        ),
        Transition(
            "approve",
            (Status.UNDER_REVIEW,),
            Status.APPROVED,
            REVIEWER,
            pgettext_lazy("review action", "核准"),
            style="success",
        ),
        Transition(
            "reject",
            (Status.UNDER_REVIEW,),
            Status.REJECTED,
            REVIEWER,
            pgettext_lazy("review action", "駁回"),
            needs_comment=True,
            style="danger",
        ),
    )
}


class SubmissionIncomplete(PlanError):
    """Submitting was refused; `problems` says what is missing, with where."""

    def __init__(self, problems: list["Problem"]):
        super().__init__(_("計畫書尚未完整，無法送審。"))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    section: str  # section slug
    field: str  # the form field's HTML name, "" for the section as a whole
    message: str


def _may_act(user, plan: Plan, transition: Transition) -> bool:
    if transition.actor == APPLICANT:
        return is_applicant_editor(user, plan)
    return is_reviewer(user, plan)


def available_transitions(plan: Plan, user) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if plan.status in t.sources and _may_act(user, plan, t)]


CALCULATION_PROBLEMS_SHOWN = 10  # the calculation page lists them all


def submission_problems(plan: Plan) -> list[Problem]:
    """Everything that keeps the plan from being submitted."""
    # Each section's blank required fields and rules, as the navigator sees them;
    # the calculation's own problems are listed below, from the engine.
    problems = [
        Problem(m.section, m.field, m.message)
        for slug in schema.TABLES
        for m in schema.section_problems(plan, slug, rules=slug != "calculation")
    ]
    problem = _crediting_period_problem(plan)
    if problem:
        problems.append(problem)
    if plan.type == Plan.Type.SUB_PROJECT and not plan.programme_id:
        problems.append(Problem("activity", "", _("方案型子專案必須屬於一個方案型抵換專案。")))
    try:
        results = plan_calculate(plan).to_json()
    except DocumentErrors as errors:
        # Each missing or wrong input, named (a draft may have saved it empty).
        shown = errors.errors[:CALCULATION_PROBLEMS_SHOWN]
        problems.extend(
            Problem(
                "calculation",
                "",
                _("計算方法尚未完整：%(error)s") % {"error": describe_error(error)},
            )
            for error in shown
        )
        if len(errors.errors) > len(shown):
            more = len(errors.errors) - len(shown)
            problems.append(
                Problem(
                    "calculation",
                    "",
                    ngettext(
                        "計算方法另有 %(count)d 個問題，請見計算方法頁。",
                        "計算方法另有 %(count)d 個問題，請見計算方法頁。",
                        more,
                    )
                    % {"count": more},
                )
            )
    else:
        for check in results["checks"]:
            if check["status"] == "fail":
                problems.append(
                    Problem(
                        "calculation",
                        "",
                        _("檢核未通過：%(check)s（%(detail)s）")
                        % {"check": check_label(check["id"]), "detail": check_detail(check)},
                    )
                )
    return problems


def open_comment_count(owner) -> int:
    """Comment threads not marked resolved (replies do not count), of a plan or of a
    monitoring report."""
    return owner.comments.filter(parent=None, resolved_at=None).count()


def _crediting_period_problem(plan: Plan) -> Problem | None:
    """The crediting period must be as long as its type allows: 固定型 10
    years, 展延型 7 years, from its start, the end inclusive."""
    years = CREDITING_YEARS.get(plan.crediting)
    if not (years and plan.crediting_start and plan.crediting_end):
        return None
    expected_end = crediting_period(plan.crediting_start, years)[1]
    if plan.crediting_end == expected_end:
        return None
    return Problem(
        "activity",
        "plan-crediting_end",
        _(
            "計入期 %(start)s 至 %(end)s 為 %(length)s 年，與%(type)s的 %(years)d 年不符；"
            "依起始日應至 %(expected)s。"
        )
        % {
            "start": roc_long(plan.crediting_start),
            "end": roc_long(plan.crediting_end),
            "length": year_count(plan.crediting_start, plan.crediting_end),
            "type": plan.get_crediting_display(),
            "years": years,
            "expected": roc_long(expected_end),
        },
    )


@transaction.atomic
def plan_transition(
    *,
    plan: Plan,
    user,
    name: str,
    comment: str = "",
    on_mail_failure=None,
    confirm_open_comments: bool | int = False,
) -> Plan:
    """Take one transition, all of it or nothing; raise PlanError if not allowed.

    Approving a plan with open comment threads needs `confirm_open_comments`: the
    number of open comments the reviewer confirmed (a comment added since is not
    approved over silently), or True for any number.

    The other side is mailed once the transition has committed; if that fails
    (logged in projects.notifications), `on_mail_failure()` is called."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise PlanError(_("沒有這個動作。"))
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status not in transition.sources:
        raise PlanError(
            _("計畫書目前為「%(status)s」，不能%(action)s。")
            % {"status": plan.get_status_display(), "action": transition.label}
        )
    if not _may_act(user, plan, transition):
        raise PlanError(_("您沒有權限%(action)s。") % {"action": transition.label})
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise PlanError(_("請填寫意見，說明%(action)s的理由。") % {"action": transition.label})
    if name == "approve" and confirm_open_comments is not True:
        count = open_comment_count(plan)
        if count > int(confirm_open_comments):
            raise PlanError(
                ngettext(
                    "仍有 %(count)d 則未處理的意見；請先處理，或勾選確認後再核准。",
                    "仍有 %(count)d 則未處理的意見；請先處理，或勾選確認後再核准。",
                    count,
                )
                % {"count": count}
            )
    if name == "submit":
        problems = submission_problems(plan)
        if problems:
            raise SubmissionIncomplete(problems)
        _freeze_version(plan, user)
    from_status = plan.status
    plan.status = transition.target
    plan.save(update_fields=["status", "current_version", "submitted_at", "updated_at"])
    PlanEvent.objects.create(
        plan=plan,
        user=user,
        kind=PlanEvent.Kind.TRANSITION,
        from_status=from_status,
        to_status=plan.status,
        message=comment,
    )
    if comment and transition.actor == REVIEWER:
        plan.comments.create(
            version=plan.current_version, section="general", author=user, text=comment
        )
    if plan.status == Status.APPROVED:  # the approved PDF is rendered and stored
        transaction.on_commit(lambda: _store_approved_pdf(plan.current_version_id))

    def notify():
        sent = notifications.transition_made(
            plan=plan, transition=transition, user=user, comment=comment
        )
        if not sent and on_mail_failure is not None:
            on_mail_failure()

    transaction.on_commit(notify)
    return plan


def _freeze_version(plan: Plan, user) -> PlanVersion:
    """Freeze the plan as a version that stands alone: its document, its results and
    every reference figure they were computed with (methodologies.reference)."""
    document = plan_document(plan)
    reference = reference_snapshot(document)
    results = snapshot_results(document, reference).to_json()
    number = (plan.current_version.number if plan.current_version_id else 0) + 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        document=document,
        results=results,
        reference=reference,
        annual_reduction_tco2e=int(results["annual_reduction_tco2e"]),
        total_reduction_tco2e=int(results["total_reduction_tco2e"]),
        created_by=user,
    )
    plan.current_version = version
    plan.submitted_at = timezone.now()
    plan.results = results
    Plan.objects.filter(pk=plan.pk).update(results=results)
    return version


def _store_approved_pdf(version_id: int) -> None:
    """After an approval commits: the approved PDF is rendered and stored."""
    from reports.services import approved_pdf_schedule  # reports builds on projects

    approved_pdf_schedule(version_id)
