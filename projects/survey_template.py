"""The chiller reference plan's stakeholder tiers and questionnaire, offered to
every plan as a starting point (the applicant may edit, reorder and extend it)."""

from django.db import transaction
from django.db.models import F

from projects.models import Plan, Question, QuestionOption, StakeholderTier

TIERS = [
    ("第一級", "與專案技術/設備常態運轉直接相關人員", "相關/鄰近製程運轉操作同仁"),
    ("第二級", "與專案技術活動實施部分過程相關人員", "處理設備操作、維修保養人員"),
    ("第三級", "於專案活動實施場域內其他人員", "公司內其他部門同仁/主管、集團公司同仁/主管"),
    (
        "第四級",
        "與專案活動非直接相關，但可能因專案活動對環境/社會/經濟之影響而間接相關人員",
        "附近居民、鄰近事業、服務中心、一般大眾等",
    ),
]
# kind, text, summary lead, options
QUESTIONS = [
    ("yes_no", "您是否知道全球暖化/氣候變遷為近年來備受關注的環境議題之一?", "", []),
    (
        "yes_no",
        "您是否知道{organisation}近年來持續致力於推動節能減碳及溫室氣體減量管理工作?",
        "",
        [],
    ),
    ("yes_no", "您是否知道降低設備運轉耗電，能減少溫室氣體排放量?", "", []),
    ("yes_no", "您是否知道提升設備運轉效率可減少事業耗電及溫室氣體的排放?", "", []),
    ("yes_no", "您認為{organisation}執行本專案，對社會、經濟及環境是否有正面的影響？", "", []),
    (
        "multi",
        "承第5題，您認為本專案產生之正面影響為何? (可複選)",
        "認為可以",
        [
            "減少溫室氣體排放",
            "節省公司內用電",
            "提升系統運轉/操作效率",
            "具有節能減碳示範推廣意義，有效提升企業社會形象",
        ],
    ),
    (
        "multi",
        "承第5題，您認為本專案產生之負面影響為何? (可複選)",
        "認為",
        [
            "監控系統與既有設備不相容，造成運轉不穩定",
            "施工過程會引起粉塵飛揚",
            "施工過程噪音及震動頻繁",
            "施工過程設備運輸車輛進出頻繁影響廠內/鄰近交通",
        ],
    ),
    (
        "multi",
        "承第7題，您認為在本專案施工時，需注意何種事項以減輕可能造成之負面影響? (可複選)",
        "認為應",
        [
            "加強導入設備與既有系統相容性評估",
            "落實施工粉塵處理",
            "落實噪音及震動管控措施",
            "設備載運車輛進出控制",
        ],
    ),
    ("text", "是否尚有其他寶貴意見?", "", []),
]
# The answer printed after an option's share (…造成運轉不穩定，將提出設備相符證明；),
# as the registered chiller plan answers question 7's concerns.
OPTION_RESPONSES = {
    "監控系統與既有設備不相容，造成運轉不穩定": "將提出設備相符證明",
    "施工過程會引起粉塵飛揚": "將持續加強施工控管，減少粉塵產生",
    "施工過程噪音及震動頻繁": "將持續加強施工控管，減少粉塵與噪音產生",
    "施工過程設備運輸車輛進出頻繁影響廠內/鄰近交通": (
        "於專案施工階段將請守衛密切注意車輛進廠動向並協助指揮車輛進場，避免交通堵塞"
    ),
}
# Section 五's prose as the registered chiller plan words it, its own names
# generalised ({organisation}: the applicant; {title}: the plan's title): a new
# individual plan starts with it (services.plan_create) and the section page
# offers it again beside each box. Document content, not interface: not translated.
ENVIRONMENT = {
    "environment_summary": (
        "本專案係以高效率設備取代既有設備，專案範圍皆於{organisation}之場域內，"
        "影響到其他環境的衝擊非常低。{organisation}完成設備改善工程專案後，"
        "將有助於降低溫室氣體排放，減少對環境之衝擊。專案活動汰換之設備將進行報廢，"
        "依報廢紀錄確保無洩漏。\n"
        "以下謹針對施工期間及專案活動執行減量期間，本專案對於週遭環境之影響，進行以下分析。"
    ),
    "environment_construction": (
        "本專案屬設備效能提升專案，施工地點在原設備所在地，並不會衍生新的廢氣、廢水等環境衝擊，"
        "但專案工程可能產生工程噪音與少量事業廢棄物，對此，本單位於施工期間對於此工程所可能產生的"
        "噪音、廢棄物等環境問題將依法規規定處理及加強防制/源頭減量，以降低對於環境之影響。"
    ),
    "environment_crediting": (
        "設備汰換後，除了可以穩定系統運轉、有效提升能源使用效率外，將可減少電力耗用，"
        "降低溫室氣體排放量，可降低環境衝擊；改善後亦不會增加外部廢氣量或塵土等問題，"
        "對周遭環境無負面影響，亦不會造成外部的環境影響。"
    ),
    # Before the table of tiers (表12 公眾意見調查對象); the tiers of TIERS.
    "consultation_identification": (
        "本專案依重要性，將直接影響對象區分為四級，"
        "第一級為「與專案技術活動/設備常態運轉直接相關人員、相關/鄰近製程運轉操作同仁」，"
        "第二級為「與專案技術活動實施部分過程相關人員、處理設備操作、維修保養人員」，"
        "第三級為「公司內其他部門同仁/主管、集團公司同仁/主管」"
        "及第四級「附近居民、鄰近事業、服務中心、一般大眾」，如下表所示。"
    ),
    # Before the computed 共計發送…份 and the 回覆情形統計表.
    "consultation_collection": (
        "為使利害相關者充分暸解專案執行內容，並蒐集社會大眾對於本專案推行之意見，"
        "以確認專案活動對利害相關者造成之影響，{organisation}依據影響的對象層面，"
        "設計「{title}」公眾意見調查表，針對可能影響之對象分別發送填寫。"
    ),
    # Opens 意見總結: the yes/no questions 1–5 of QUESTIONS, which no sentence computes.
    "consultation_summary": (
        "茲分析「{title}」意見調查對象與回覆情形，受訪者針對本專案多表示肯定與支持，"
        "調查結果如下表所示。針對公眾意見1~5問題，主要是針對受訪者對於全球暖化、"
        "{organisation}近年減碳行動、本專案的影響認知，依受訪結果，受訪者普遍聽過全球暖化之名詞，"
        "並了解{organisation}持續進行的減碳活動，對於本專案提升設備運轉效率、減少電力使用、"
        "降低溫室氣體排放及對整體環境的影響多秉持著正面看法。"
    ),
    # After the computed shares of questions 6–8 (question 7's concerns are answered
    # option by option: OPTION_RESPONSES): what they lead to, and question 9.
    "consultation_responses": (
        "承上所述，{organisation}將致力於降低專案施工/運作階段任何可能之負面衝擊。"
        "而第9題全體受訪者皆尊重專業、無意見。"
    ),
    "consultation_conclusion": (
        "整體而言，利害相關者全數贊成本專案之執行，顯見本專案之影響屬於正面且對於環境永續"
        "提供積極之貢獻。此外，考量到部份第四級人員對於{organisation}歷年來於溫室氣體減量之"
        "努力/效能提升效益之認知有限，{organisation}未來將藉由參與政府成果發表會、安環會議、"
        "主管機關查訪等場合，對內、外進行本計畫改善過程宣導及為節能減碳及空氣汙染防制"
        "所做之努力及成效，以示善盡溫室氣體減量之決心。"
    ),
}


def environment_texts(plan: Plan) -> dict[str, str]:
    """ENVIRONMENT with the plan's applicant and title in place of the registered
    plan's own (家福股份有限公司, 汰換為高效率變頻冰水主機)."""
    names = {
        "organisation": plan.applicant_name or plan.organisation.name,
        "title": plan.title,
    }
    return {field: text.format(**names) for field, text in ENVIRONMENT.items()}


@transaction.atomic
def apply_template(plan: Plan) -> None:
    """Add the reference tiers and questions where the plan has none yet; a section
    五 page read before is then out of date (the plan's revision moves on)."""
    Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
    organisation = plan.applicant_name or plan.organisation.name
    if not plan.stakeholder_tiers.exists():
        StakeholderTier.objects.bulk_create(
            StakeholderTier(plan=plan, order=i, name=name, definition=definition, targets=targets)
            for i, (name, definition, targets) in enumerate(TIERS)
        )
    if not plan.questions.exists():
        for i, (kind, text, lead, options) in enumerate(QUESTIONS):
            question = Question.objects.create(
                plan=plan,
                order=i,
                kind=kind,
                text=text.format(organisation=organisation),
                summary_lead=lead,
            )
            QuestionOption.objects.bulk_create(
                QuestionOption(
                    question=question,
                    order=j,
                    text=option,
                    response=OPTION_RESPONSES.get(option, ""),
                )
                for j, option in enumerate(options)
            )
