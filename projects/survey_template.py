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
ENVIRONMENT = {
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
}


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
                QuestionOption(question=question, order=j, text=option)
                for j, option in enumerate(options)
            )
