"""The stakeholder survey of section 五: tables and sentences computed from the
answers (paper tallies and online responses), never typed.

`survey_data` gathers a plan's tiers, questions and answers (paper and online
added up) in the shape of the interchange document's `consultation`, and
`compute` works on that shape alone, so the page, the frozen document and the
PDF show the same figures. Percentages are whole numbers, rounded half up, as
the reference plan shows them (26 of 42 is 62 %); an option's share is of all
respondents."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from projects.models import PaperTally, Plan, Question, ResponseAnswer, SurveyResponse


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


@dataclass
class QuestionResult:
    number: int
    kind: str
    text: str
    yes_no: list[tuple[int, int]] = field(default_factory=list)  # (是, 否) per tier
    yes_share: int | None = None
    options: list[OptionResult] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)


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
        result = QuestionResult(number=index + 1, kind=question["kind"], text=question["text"])
        if question["kind"] == Question.Kind.MULTI:
            for o, option in enumerate(question.get("options", [])):
                per_tier = [_option_count(tier_answers, index, o) for tier_answers in answers]
                total = sum(per_tier)
                share = percent(total, returned)
                result.options.append(OptionResult(option, per_tier, total, share))
                if share is not None:
                    result.sentences.append(
                        _("第%(number)d題，有%(share)d%%的受訪者%(lead)s%(option)s。")
                        % {
                            "number": index + 1,
                            "share": share,
                            "lead": question.get("summary_lead") or _("選擇"),
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
            }
            for question in questions
        ],
    }
