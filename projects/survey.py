"""The stakeholder survey of section 五: tables and sentences computed from the
answers (paper tallies and online responses), never typed.

`survey_data` gathers a plan's tiers, questions and answers (paper and online
added up) in the shape of the interchange document's `consultation`, and
`compute` works on that shape alone, so the page, the frozen document and the
PDF show the same figures. Percentages are whole numbers, rounded half up, as
the reference plan shows them (26 of 42 is 62 %); an option's share is of all
respondents."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from projects.models import (
    PaperTally,
    Plan,
    Question,
    ResponseAnswer,
    StakeholderTier,
    SurveyLink,
    SurveyResponse,
    survey_token,
)


def percent(part: int, whole: int) -> int | None:
    """part ÷ whole as a whole percentage, half up; None when whole is 0."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass
class TierRow:
    name: str
    month: str
    sent: int
    returned: int
    rate: int | None = None
    share: int | None = None


@dataclass
class OptionResult:
    text: str
    per_tier: list[int]
    total: int
    share: int | None  # of all respondents
    response: str = ""  # the applicant's answer to it, printed after its share


@dataclass
class QuestionResult:
    number: int
    kind: str
    text: str
    yes_no: list[tuple[int, int]] = field(default_factory=list)  # (是, 否) per tier
    yes_share: int | None = None
    options: list[OptionResult] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    lead: str = ""  # the verb of the summary sentences (認為可以)


@dataclass
class SurveyResults:
    tiers: list[TierRow]
    sent: int
    returned: int
    rate: int | None
    questions: list[QuestionResult]

    def summary(self) -> list[str]:
        """The sentences of the reference plan, written from the figures."""
        lines = []
        if self.sent:
            lines.append(
                _("共計發送%(sent)d份，收回%(returned)d份，回收率%(rate)s%%。")
                % {"sent": self.sent, "returned": self.returned, "rate": self.rate}
            )
        largest = max(self.tiers, key=lambda row: row.returned, default=None)
        if largest and self.returned:
            lines.append(
                _("針對調查對象人數分析，以%(tier)s人數占比%(share)s%%最多。")
                % {"tier": largest.name, "share": largest.share}
            )
        for result in self.questions:
            lines.extend(result.sentences)
        return lines

    def tally_paragraph(self) -> str:
        """The figures of 意見蒐集 worded as the registered chiller plan words them
        before its 回覆情形統計表 (…已於109年11月完成公眾意見調查表，共計發送42份，
        收回42份，各級人員平均回收率達100%。針對調查對象人數分析，以第4級人數占比
        62%最多，相關資訊彙整如表所示。), with 本專案 for the applicant's own name and
        the rate of all tiers together (returned ÷ sent, 整體回收率), not a mean."""
        if not self.sent:
            return ""
        months = sorted({row.month for row in self.tiers if row.month})
        when = ""
        if months:
            when = _roc_month_long(months[0])
            if len(months) > 1:
                when = _("%(first)s至%(last)s") % {
                    "first": when,
                    "last": _roc_month_long(months[-1]),
                }
        text = (
            _("本專案已於%(when)s完成公眾意見調查表，") % {"when": when}
            if when
            else _("本專案公眾意見調查表")
        )
        text += _("共計發送%(sent)d份，收回%(returned)d份，整體回收率達%(rate)s%%。") % {
            "sent": self.sent,
            "returned": self.returned,
            "rate": self.rate,
        }
        largest = max(self.tiers, key=lambda row: row.returned, default=None)
        if largest and self.returned:
            text += _("針對調查對象人數分析，以%(tier)s人數占比%(share)s%%最多，") % {
                "tier": largest.name,
                "share": largest.share,
            }
        return text + _("相關資訊彙整如表所示。")

    def question_paragraphs(self) -> list[str]:
        """One paragraph per multi-choice question, its options' shares in one
        sentence as the registered plan writes them (針對公眾意見第6題，有86%的受訪者
        認為可以減少溫室氣體排放；88%的受訪者…), each followed by the applicant's
        answer to it where there is one (…造成產氣不穩定，本店將提出設備相符證明；)."""
        paragraphs = []
        for result in self.questions:
            parts = [
                _("%(share)d%%的受訪者%(lead)s%(option)s")
                % {"share": option.share, "lead": result.lead, "option": option.text}
                + (
                    f"，{option.response.strip().rstrip('。；，')}"
                    if option.response.strip()
                    else ""
                )
                for option in result.options
                if option.share is not None
            ]
            if parts:
                paragraphs.append(
                    _("針對公眾意見第%(number)d題，有%(parts)s。")
                    % {"number": result.number, "parts": "；".join(parts)}
                )
        return paragraphs


def _roc_month_long(month: str) -> str:
    """ "2020-11" as 109年11月."""
    year, number = month.split("-")
    return _("%(year)d年%(month)d月") % {"year": int(year) - 1911, "month": int(number)}


def compute(consultation: dict) -> SurveyResults:
    """Tables and sentences from a `consultation` object of the document."""
    tiers = consultation.get("tiers", [])
    questions = consultation.get("questions", [])
    rows = [
        TierRow(
            name=t["name"],
            month=t.get("survey_month", ""),
            sent=t.get("sent") or 0,
            returned=t.get("returned") or 0,
        )
        for t in tiers
    ]
    sent = sum(row.sent for row in rows)
    returned = sum(row.returned for row in rows)
    for row in rows:
        row.rate = percent(row.returned, row.sent)
        row.share = percent(row.returned, returned)
    answers = [
        {a["question"]: a for a in t.get("answers", [])} for t in tiers
    ]  # per tier: question index → answer
    results = []
    for index, question in enumerate(questions):
        result = QuestionResult(
            number=index + 1,
            kind=question["kind"],
            text=question["text"],
            lead=question.get("summary_lead") or _("選擇"),
        )
        if question["kind"] == Question.Kind.MULTI:
            responses = question.get("responses", [])
            for o, option in enumerate(question.get("options", [])):
                per_tier = [_option_count(tier_answers, index, o) for tier_answers in answers]
                total = sum(per_tier)
                share = percent(total, returned)
                response = responses[o] if o < len(responses) else ""
                result.options.append(OptionResult(option, per_tier, total, share, response))
                if share is not None:
                    result.sentences.append(
                        _("第%(number)d題，有%(share)d%%的受訪者%(lead)s%(option)s。")
                        % {
                            "number": index + 1,
                            "share": share,
                            "lead": result.lead,
                            "option": option,
                        }
                    )
        else:
            result.yes_no = [
                (
                    tier_answers.get(index, {}).get("yes", 0),
                    tier_answers.get(index, {}).get("no", 0),
                )
                for tier_answers in answers
            ]
            result.yes_share = percent(sum(y for y, _n in result.yes_no), returned)
        results.append(result)
    return SurveyResults(
        tiers=rows, sent=sent, returned=returned, rate=percent(returned, sent), questions=results
    )


def _option_count(tier_answers: dict, question: int, option: int) -> int:
    counts = tier_answers.get(question, {}).get("options", [])
    return counts[option] if option < len(counts) else 0


def online_counts(plan: Plan) -> dict[int, int]:
    """Online responses per tier id."""
    return dict(
        SurveyResponse.objects.filter(tier__plan=plan)
        .values("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )


def survey_data(plan: Plan) -> dict:
    """The plan's tiers and questionnaire with paper and online answers added up,
    in the shape of the document's `consultation` (`tiers`, `questions`)."""
    tiers = list(plan.stakeholder_tiers.all())
    questions = list(plan.questions.prefetch_related("options"))
    online = online_counts(plan)
    paper_yes_no = {
        (t.tier_id, t.question_id): (t.yes, t.no)
        for t in PaperTally.objects.filter(tier__plan=plan, option=None)
    }
    paper_options = {
        (t.tier_id, t.option_id): t.count
        for t in PaperTally.objects.filter(tier__plan=plan, option__isnull=False)
    }
    web_yes_no = {
        (a["response__tier"], a["question"]): (a["y"], a["n"])
        for a in ResponseAnswer.objects.filter(question__plan=plan)
        .values("response__tier", "question")
        .annotate(y=Count("pk", filter=Q(yes=True)), n=Count("pk", filter=Q(yes=False)))
    }
    web_options = defaultdict(int)
    for tier_id, option_id in ResponseAnswer.options.through.objects.filter(
        responseanswer__question__plan=plan
    ).values_list("responseanswer__response__tier", "questionoption"):
        web_options[(tier_id, option_id)] += 1

    def answers(tier) -> list[dict]:
        found = []
        for index, question in enumerate(questions):
            if question.kind == Question.Kind.MULTI:
                counts = [
                    paper_options.get((tier.pk, o.pk), 0) + web_options[(tier.pk, o.pk)]
                    for o in question.options.all()
                ]
                if any(counts):
                    found.append({"question": index, "options": counts})
            else:
                paper = paper_yes_no.get((tier.pk, question.pk), (0, 0))
                web = web_yes_no.get((tier.pk, question.pk), (0, 0))
                if paper[0] + web[0] or paper[1] + web[1]:
                    found.append(
                        {"question": index, "yes": paper[0] + web[0], "no": paper[1] + web[1]}
                    )
        return found

    return {
        "tiers": [
            {
                "name": tier.name,
                "definition": tier.definition,
                "targets": tier.targets,
                "survey_month": tier.survey_month,
                "sent": tier.copies_sent,
                "returned": (tier.copies_returned or 0) + online.get(tier.pk, 0),
                "answers": answers(tier),
            }
            for tier in tiers
        ],
        "questions": [
            {
                "kind": question.kind,
                "text": question.text,
                "summary_lead": question.summary_lead,
                "options": [option.text for option in question.options.all()],
                **_responses(question),
            }
            for question in questions
        ],
    }


def _responses(question: Question) -> dict:
    """`responses` (one per option) when the applicant answered any option."""
    responses = [option.response for option in question.options.all()]
    return {"responses": responses} if any(responses) else {}


# Taking answers online. A tier takes at most the copies sent less the paper
# copies returned, one answer per browser, and only while the plan is editable:
# a submitted or approved plan's content never changes through its survey.


class SurveyRefused(Exception):
    """An online answer not taken; `reason` is "closed", "full" or "answered"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def accepts_answers(plan: Plan) -> bool:
    """Open, and the plan still editable (answers pause while it is under review)."""
    return plan.survey_open and plan.status in Plan.EDITABLE_STATUSES


def online_room(tier: StakeholderTier, online: int) -> int:
    """Online answers the tier may still take: copies sent − paper returned − online."""
    return max(0, (tier.copies_sent or 0) - (tier.copies_returned or 0) - online)


def browser_id(cookie: str) -> str:
    """What is stored of a browser's cookie: its SHA-256, never the cookie itself."""
    return hashlib.sha256(cookie.encode()).hexdigest() if cookie else ""


def refusal(tier: StakeholderTier, browser: str) -> str | None:
    """Why the tier would not take an answer from this browser now, or None."""
    if not accepts_answers(tier.plan):
        return "closed"
    if browser and tier.responses.filter(browser=browser).exists():
        return "answered"
    if not online_room(tier, tier.responses.count()):
        return "full"
    return None


@transaction.atomic
def record_response(*, tier_id: int, questions, data: dict, browser: str) -> SurveyResponse:
    """Record one online answer, checked again under lock; raise SurveyRefused.

    The plan row is locked first (as a submission locks it, so an answer is
    either in the frozen version or refused), then the tier row, so that
    concurrent answers are counted one after the other."""
    try:
        plan_id = StakeholderTier.objects.values_list("plan_id", flat=True).get(pk=tier_id)
        plan = Plan.objects.select_for_update().only("status", "survey_open").get(pk=plan_id)
        tier = StakeholderTier.objects.select_for_update().get(pk=tier_id)
    except (StakeholderTier.DoesNotExist, Plan.DoesNotExist):
        raise SurveyRefused("closed") from None  # the tier was removed meanwhile
    tier.plan = plan
    reason = refusal(tier, browser)
    if reason:
        raise SurveyRefused(reason)
    response = SurveyResponse.objects.create(tier=tier, browser=browser)
    for question in questions:
        value = data.get(f"q{question.pk}")
        answer = ResponseAnswer.objects.create(
            response=response,
            question=question,
            yes={"yes": True, "no": False}.get(value) if question.kind == "yes_no" else None,
            text=value if question.kind == "text" and value else "",
        )
        if question.kind == "multi" and value:
            answer.options.set(value)
    return response


def set_survey_open(plan: Plan, is_open: bool) -> None:
    """Open or close the online survey; the caller holds the plan row locked.

    Opening a closed survey gives every tier a new link token, so a link handed
    out before closing finds nothing."""
    if is_open and not plan.survey_open:
        for tier in plan.stakeholder_tiers.all():
            SurveyLink.objects.update_or_create(tier=tier, defaults={"token": survey_token()})
    elif is_open:
        for tier in plan.stakeholder_tiers.filter(link__isnull=True):
            SurveyLink.objects.create(tier=tier)
    plan.survey_open = is_open
    Plan.objects.filter(pk=plan.pk).update(survey_open=is_open)
