"""Verification of a monitoring report by its verification body, and the plan's
authority's decision on it: every state change after submission goes through
`report_transition` (submission itself is projects.monitoring.entry.report_submit).

submitted → under verification → verified → approved (credits issued), with
"changes requested" back to the applicant from the verifier (while verifying) or
from the authority (once verified); the applicant edits and submits again, which
freezes a new MonitoringReportVersion. The verifier records the verified
reduction (whole tonnes, never above the claim of the submitted version) and
attaches the verification statement (查證總結報告); sending a report back clears
the verified reduction, and a statement counts only if it was uploaded after the
report's latest submission.

Each write locks the report row (approval locks the plan first, as issuing does,
so that two approvals at once run one after the other: the second finds the
report approved and is refused) and checks the user's permission on the locked
row. A page carries the report's `revision`; an action sent from a page read
before another write (a second tab) is refused with `StaleReport`, nothing
changed. Refusals raise MonitoringError (or ValidationError keyed by field)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from projects import notifications
from projects.credits.models import CreditIssuance
from projects.credits.services import CreditError, holder_for_plan, issue_credits
from projects.models import Plan
from projects.monitoring.models import (
    MonitoringAttachment,
    MonitoringComment,
    MonitoringEvent,
    MonitoringReport,
)
from projects.monitoring.permissions import (
    can_comment_report,
    can_decide,
    can_reply_report,
    can_verify,
)
from projects.monitoring.services import MonitoringError
from projects.services import create_comment, mark_resolved

Status = MonitoringReport.Status
VERIFIER, AUTHORITY = notifications.VERIFIER, notifications.AUTHORITY
APPLICANT = notifications.APPLICANT
PASSING = ("pass", "not_applicable")
REDUCTION_FIELD = "verified_reduction_tco2e"


class StaleReport(MonitoringError):
    """The page was read before the report last changed (another tab, another person)."""


class VerificationIncomplete(MonitoringError):
    """Completing verification or approving was refused; `problems` says why."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class ReportTransition:
    name: str
    sources: tuple[str, ...]
    target: str
    actor: str  # VERIFIER (of the named body) or AUTHORITY (a reviewer of the plan's authority)
    label: str
    notify: tuple[str, ...]  # who hears of it by e-mail
    needs_comment: bool = False
    style: str = "primary"


TRANSITIONS = {
    t.name: t
    for t in (
        ReportTransition(
            "start_verification",
            (Status.SUBMITTED,),
            Status.UNDER_VERIFICATION,
            VERIFIER,
            pgettext_lazy("monitoring action", "開始查證"),
            (APPLICANT,),
        ),
        ReportTransition(
            "return_to_applicant",
            (Status.SUBMITTED, Status.UNDER_VERIFICATION),
            Status.CHANGES_REQUESTED,
            VERIFIER,
            pgettext_lazy("monitoring action", "退回申請者修正"),
            (APPLICANT,),
            needs_comment=True,
            style="warning",
        ),
        ReportTransition(
            "complete_verification",
            (Status.SUBMITTED, Status.UNDER_VERIFICATION),
            Status.VERIFIED,
            VERIFIER,
            pgettext_lazy("monitoring action", "完成查證"),
            (APPLICANT, AUTHORITY),
            style="success",
        ),
        ReportTransition(
            "request_changes",
            (Status.VERIFIED,),
            Status.CHANGES_REQUESTED,
            AUTHORITY,
            pgettext_lazy("monitoring action", "退回修正"),
            (APPLICANT, VERIFIER),
            needs_comment=True,
            style="warning",
        ),
        ReportTransition(
            "approve",
            (Status.VERIFIED,),
            Status.APPROVED,
            AUTHORITY,
            pgettext_lazy("monitoring action", "核准並核發減量額度"),
            (APPLICANT, VERIFIER),
            style="success",
        ),
    )
}


def _may_act(user, report: MonitoringReport, transition: ReportTransition) -> bool:
    if transition.actor == VERIFIER:
        return can_verify(user, report)
    return can_decide(user, report)


def available_transitions(report: MonitoringReport, user) -> list[ReportTransition]:
    return [
        t for t in TRANSITIONS.values() if report.status in t.sources and _may_act(user, report, t)
    ]


# -- what verification and approval need -------------------------------------------


def current_statement(report: MonitoringReport) -> MonitoringAttachment | None:
    """The verification statement of the latest submission: the last one uploaded
    since the report was last submitted."""
    statements = report.attachments.filter(kind=MonitoringAttachment.Kind.VERIFICATION_STATEMENT)
    if report.submitted_at is not None:
        statements = statements.filter(uploaded_at__gte=report.submitted_at)
    return statements.order_by("-uploaded_at", "-pk").first()


def claimed_reduction(report: MonitoringReport) -> int | None:
    """The reduction claimed by the submitted version (whole tonnes)."""
    if report.current_version_id is None:
        return None
    return report.current_version.reduction_tco2e


def failing_checks(report: MonitoringReport) -> list[dict]:
    """The submitted version's checks that are neither pass nor not applicable."""
    if report.current_version_id is None:
        return []
    return failing_in(report.current_version.results or {})


def failing_in(results: dict) -> list[dict]:
    """The checks of calculated `results` that are neither pass nor not applicable."""
    return [check for check in results.get("checks", []) if check.get("status") not in PASSING]


def verification_problems(report: MonitoringReport) -> list[str]:
    """What keeps the report from being verified or approved: a submitted version
    whose checks all pass (or do not apply), the verified reduction, the statement."""
    from projects.presentation import check_detail, check_label

    problems = []
    if report.current_version_id is None:
        problems.append(_("監測報告書尚未送出。"))
    for check in failing_checks(report):
        problems.append(
            _("檢核未通過：%(check)s（%(detail)s）")
            % {
                "check": check_label(check["id"], report.current_version.results.get("format")),
                "detail": check_detail(check),
            }
        )
    if report.verified_reduction_tco2e is None:
        problems.append(_("查驗機構尚未填寫查證減量。"))
    if current_statement(report) is None:
        problems.append(_("查驗機構尚未上傳本次送出的查證總結報告 (PDF)。"))
    return problems


# -- the writes -----------------------------------------------------------------------


def _locked(report: MonitoringReport, *, plan: bool = False) -> MonitoringReport:
    """The report row locked (after its plan's row, when `plan`: the order issuing
    credits uses), read afresh."""
    if plan:
        list(Plan.objects.select_for_update().filter(pk=report.plan_id).values_list("pk"))
    return (
        MonitoringReport.objects.select_for_update(of=("self",))
        .select_related("plan", "current_version", "verification_body")
        .get(pk=report.pk)
    )


def check_revision(report: MonitoringReport, revision) -> None:
    """Refuse (StaleReport) an action sent from a page read at another `revision` of
    the locked `report`; None (no page, e.g. a command) is not checked."""
    if revision is not None and int(revision) != report.revision:
        raise StaleReport(
            _(
                "您開啟此頁後，監測報告書已有變更（其他人或另一個分頁），因此這次沒有執行。"
                "請檢視目前的內容後再操作；您輸入的內容仍在頁面上。"
            )
        )


def bump_revision(report: MonitoringReport) -> None:
    """One more write on the report: pages read at an older revision are stale."""
    MonitoringReport.objects.filter(pk=report.pk).update(revision=F("revision") + 1)
    report.revision += 1


def _start_if_submitted(report: MonitoringReport, user) -> None:
    """A verifier's first write on a submitted report starts its verification."""
    if report.status == Status.SUBMITTED:
        report.status = Status.UNDER_VERIFICATION
        report.save(update_fields=["status", "updated_at"])
        MonitoringEvent.objects.create(
            report=report,
            user=user,
            kind=MonitoringEvent.Kind.TRANSITION,
            from_status=Status.SUBMITTED,
            to_status=Status.UNDER_VERIFICATION,
        )


def validate_verified_reduction(report: MonitoringReport, value) -> int:
    """A verified reduction: whole tonnes, not negative, not above the claim of the
    submitted version. Raises ValidationError at `verified_reduction_tco2e`."""
    if value is None or isinstance(value, bool) or int(value) != value:
        raise ValidationError({REDUCTION_FIELD: _("查證減量請填整數公噸。")})
    value = int(value)
    if value < 0:
        raise ValidationError({REDUCTION_FIELD: _("查證減量不可為負數。")})
    claimed = claimed_reduction(report)
    if claimed is not None and value > claimed:
        raise ValidationError(
            {
                REDUCTION_FIELD: _(
                    "查證減量 %(verified)s tCO2e 不得高於報告書申報的 %(claimed)s tCO2e。"
                )
                % {"verified": f"{value:,}", "claimed": f"{claimed:,}"}
            }
        )
    return value


@transaction.atomic
def record_verified_reduction(
    report: MonitoringReport, *, by, value, revision=None
) -> MonitoringReport:
    """The verifier records the verified reduction (recorded in the history)."""
    locked = _locked(report)
    if not can_verify(by, locked):
        raise MonitoringError(
            _("監測報告書目前為「%(status)s」，您不能填寫查證減量。")
            % {"status": locked.get_status_display()}
        )
    check_revision(locked, revision)
    value = validate_verified_reduction(locked, value)
    before = locked.verified_reduction_tco2e
    _start_if_submitted(locked, by)
    locked.verified_reduction_tco2e = value
    locked.save(update_fields=[REDUCTION_FIELD, "updated_at"])
    bump_revision(locked)
    MonitoringEvent.objects.create(
        report=locked,
        user=by,
        kind=MonitoringEvent.Kind.VERIFICATION,
        message=_("查證減量 %(verified)s tCO2e（申報 %(claimed)s tCO2e）。")
        % {"verified": f"{value:,}", "claimed": f"{claimed_reduction(locked):,}"},
        changes=[
            {"path": "verification.verified_reduction_tco2e", "before": before, "after": value}
        ],
    )
    return locked


STATEMENT_LABEL = "查證總結報告"


@transaction.atomic
def attach_statement(
    report: MonitoringReport, *, by, file, description: str = "", revision=None
) -> MonitoringAttachment:
    """The verifier attaches the verification statement (a PDF checked by the form)."""
    locked = _locked(report)
    if not can_verify(by, locked):
        raise MonitoringError(
            _("監測報告書目前為「%(status)s」，您不能上傳查證總結報告。")
            % {"status": locked.get_status_display()}
        )
    check_revision(locked, revision)
    _start_if_submitted(locked, by)
    attachment = MonitoringAttachment(
        report=locked,
        kind=MonitoringAttachment.Kind.VERIFICATION_STATEMENT,
        label=STATEMENT_LABEL,
        description=description.strip() or STATEMENT_LABEL,
        file=file,
        order=locked.attachments.count(),
        uploaded_by=by,
    )
    attachment.full_clean()
    attachment.save()
    bump_revision(locked)
    MonitoringEvent.objects.create(
        report=locked,
        user=by,
        kind=MonitoringEvent.Kind.VERIFICATION,
        message=_("上傳查證總結報告：%(description)s") % {"description": attachment.description},
    )
    return attachment


def report_transition(
    *,
    report: MonitoringReport,
    user,
    name: str,
    comment: str = "",
    revision=None,
    on_mail_failure=None,
) -> MonitoringReport:
    """Take one transition, all of it or nothing; raise MonitoringError if not allowed.

    Completing verification needs the verified reduction and the statement;
    approving needs those and a submitted version whose checks all pass, and
    issues the verified whole tonnes as credits in the same transaction (once:
    a report with an issuance is never approved again). The mail goes out once
    the transition has committed; if that fails, `on_mail_failure()` is called."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise MonitoringError(_("沒有這個動作。"))
    with transaction.atomic():
        report = _transition(report, user, transition, comment.strip(), revision)

    def notify():
        sent = notifications.report_transition_made(
            report=report,
            label=str(transition.label),
            audiences=transition.notify,
            user=user,
            comment=comment.strip(),
        )
        if not sent and on_mail_failure is not None:
            on_mail_failure()

    transaction.on_commit(notify)
    return report


def _transition(report, user, transition: ReportTransition, comment: str, revision):
    locked = _locked(report, plan=transition.name == "approve")
    if locked.status not in transition.sources:
        raise MonitoringError(
            _("監測報告書目前為「%(status)s」，不能%(action)s。")
            % {"status": locked.get_status_display(), "action": transition.label}
        )
    if not _may_act(user, locked, transition):
        raise MonitoringError(_("您沒有權限%(action)s。") % {"action": transition.label})
    check_revision(locked, revision)
    if transition.needs_comment and not comment:
        raise MonitoringError(
            _("請填寫意見，說明%(action)s的理由。") % {"action": transition.label}
        )
    if transition.name in ("complete_verification", "approve"):
        problems = verification_problems(locked)
        if problems:
            raise VerificationIncomplete(
                _("尚不能%(action)s：") % {"action": transition.label}, problems
            )
    message = comment
    if transition.name == "approve":
        message = "\n".join(filter(None, [_issue(locked, user), comment]))
    from_status = locked.status
    locked.status = transition.target
    fields = ["status", "updated_at"]
    if (
        transition.target == Status.CHANGES_REQUESTED
        and locked.verified_reduction_tco2e is not None
    ):
        # The next submission is verified afresh.
        locked.verified_reduction_tco2e = None
        fields.append(REDUCTION_FIELD)
    locked.save(update_fields=fields)
    bump_revision(locked)
    MonitoringEvent.objects.create(
        report=locked,
        user=user,
        kind=MonitoringEvent.Kind.TRANSITION,
        from_status=from_status,
        to_status=locked.status,
        message=message,
    )
    if comment:
        MonitoringComment.objects.create(
            report=locked,
            version=locked.current_version,
            section=MonitoringComment.Section.GENERAL,
            author=user,
            text=comment,
        )
    if locked.status == Status.APPROVED:  # the approved PDF is rendered and stored
        version_id = locked.current_version_id
        transaction.on_commit(lambda: _store_approved_pdf(version_id))
    return locked


def _store_approved_pdf(version_id: int) -> None:
    from reports.services import approved_pdf_schedule  # reports builds on projects

    approved_pdf_schedule(version_id, monitoring=True)


def _issue(report: MonitoringReport, user) -> str:
    """Issue the verified whole tonnes into the account the plan names; what was
    issued, for the history. Zero verified tonnes issue nothing."""
    if CreditIssuance.objects.filter(report=report).exists():
        raise MonitoringError(_("此監測報告書的減量額度已核發過。"))
    quantity = report.verified_reduction_tco2e
    holder = holder_for_plan(report.plan)
    if not quantity:
        return _("查證減量為 0 tCO2e，未核發減量額度。")
    try:
        entry = issue_credits(
            plan=report.plan,
            quantity=quantity,
            period_end=report.period_end,
            monitoring_number=report.number,
            by=user,
            report=report,
        )
    except CreditError as refusal:
        raise MonitoringError(refusal.message) from None
    issuance = entry.issuance
    return _("核發 %(quantity)s tCO2e 減量額度（%(serials)s）至 %(holder)s 的帳戶。") % {
        "quantity": f"{quantity:,}",
        "serials": issuance.serial(1, issuance.quantity),
        "holder": holder.name,
    }


# -- comments (as the plan review's: projects.services.comment_add) -------------------


@transaction.atomic
def comment_add(
    *, report: MonitoringReport, user, section: str, field: str, text: str, parent=None
) -> MonitoringComment:
    """A verifier's or the authority's comment on a section, or a reply by either
    side or the applicant's editors."""
    locked = _locked(report)
    return create_comment(
        owner=locked,
        owner_field="report",
        model=MonitoringComment,
        event_model=MonitoringEvent,
        user=user,
        section=section,
        field=field,
        text=text,
        parent=parent,
        may_reply=lambda: can_reply_report(user, locked),
        may_comment=lambda: can_comment_report(user, locked),
        refusal=_(
            "只有查驗機構（查證中）或主管機關（查證完成後）可以提出意見；申請者請以回覆方式說明。"
        ),
        error=MonitoringError,
    )


@transaction.atomic
def comment_resolve(*, comment: MonitoringComment, user) -> None:
    locked = _locked(comment.report)
    if not can_comment_report(user, locked):
        raise MonitoringError(_("只有查驗機構或主管機關可以標示意見已處理。"))
    mark_resolved(comment, user)


def notify_submitted(report: MonitoringReport, user) -> None:
    """After a submission commits: the named body's verifiers hear of it."""
    label = str(pgettext_lazy("monitoring action", "送查證"))
    transaction.on_commit(
        lambda: notifications.report_transition_made(
            report=report, label=label, audiences=(VERIFIER,), user=user
        )
    )
