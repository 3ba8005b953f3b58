"""Seed the published reference figures of ../shared/reference/taiwan-reference-data.md.

Figures marked *unconfirmed* there are stored with unconfirmed=True so that an
administrator can confirm or correct them in the admin."""

from decimal import Decimal as D

from django.db import migrations

ENERGY_ADMINISTRATION = "經濟部能源署（原能源局）電力排碳係數公告"
TAIPOWER = "台灣電力公司 線路損失率"
IPCC = "IPCC 第 {} 次評估報告 GWP-100"
MONTREAL = "蒙特婁議定書 臭氧破壞潛勢"

EMISSION_FACTORS = [
    (2013, "0.522", False, ""),
    (2016, "0.529", False, ""),
    (2017, "0.554", False, ""),
    (2018, "0.533", False, ""),
    (2019, "0.509", False, ""),
    (2020, "0.502", False, ""),
    (2021, "0.509", False, ""),
    (2022, "0.495", False, ""),
    (2023, "0.494", False, ""),
    (2024, "0.474", False, "2025 年公告"),
    (2025, "0.467", True, ""),
]

LINE_LOSSES = [
    (2009, "0.0486"),
    (2010, "0.0466"),
    (2011, "0.0476"),
    (2012, "0.0442"),
    (2013, "0.0425"),
    (2014, "0.0409"),
    (2018, "0.0394"),
]

# code, name, odp, {edition: (published text, unconfirmed)}
REFRIGERANTS = [
    ("R-22", "HCFC-22", "0.055", {"AR4": ("1810", False), "AR5": ("1760", False), "AR6": ("1960", True)}),
    ("R-123", "HCFC-123", "0.02", {"AR4": ("77", False), "AR5": ("79", False), "AR6": ("90", True)}),
    ("R-134a", "HFC-134a", "0", {"AR4": ("1430", False), "AR5": ("1300", False), "AR6": ("1530", False)}),
    ("R-32", "HFC-32", "0", {"AR4": ("675", False), "AR5": ("677", False), "AR6": ("771", False)}),
    ("R-410A", "HFC-410A", "0", {"AR4": ("2088", False), "AR5": ("1924", False), "AR6": ("2256", False)}),
    ("R-407C", "HFC-407C", "0", {"AR4": ("1774", False), "AR5": ("1624", False), "AR6": ("1908", False)}),
    ("R-404A", "HFC-404A", "0", {"AR4": ("3922", False), "AR5": ("3943", False), "AR6": ("4728", False)}),
    ("R-1234yf", "HFO-1234yf", "0", {"AR4": ("<1", False), "AR5": ("<1", False), "AR6": ("<1", False)}),
    ("R-290", "丙烷 propane", "0", {"AR4": ("3", True), "AR5": ("5", True), "AR6": ("0.02", True)}),
    ("R-717", "氨 ammonia", "0", {"AR4": ("0", False), "AR5": ("0", False), "AR6": ("0", False)}),
]

CONDITIONS = [
    (
        1,
        "service_level",
        "計畫安裝之高效率設備所提供的服務水平，必須介於基線所使用之設備的 90~150% 之間。"
        "就服務水平舉例，照明設備為照度，水加熱系統為水輸出量及溫度，空調為額定輸出能力。"
        "專案與基線之服務水平的比例計算，可以是一對一汰換或是多對一汰換，"
        "故專案及基線的服務水平可以是加總計算比較。",
    ),
    (
        2,
        "",
        "關於基線及專案若涉及輸出能力增加之相關規定在本減量方法的第20、21點描述。"
        "若專案第 y 年的輸出能力大於過去3年的歷史平均輸出能力(以專案實施前3年)，"
        "且證明超出基線輸出能力的部分未被使用，則第 y 年的輸出能力將以歷史平均輸出能力作為上限。",
    ),
    (
        3,
        "refrigerant_odp",
        "如果安裝之高效率設備包含冷媒，在專案實施後的設備不能使用具有臭氧破壞潛勢(ODP)的冷媒。",
    ),
    (
        4,
        "positive_reduction",
        "本專案的減量額度必須是因為使用高效率設備而減少電力或化石燃料所導致的。"
        "此外，相較於基線情境之下，專案實施後任何增加的排放都必須納入計算，"
        "例如跟專案設備有關的冷媒使用。",
    ),
    (
        5,
        "savings_cap",
        "單一專案的總節能量，就提高電力使用效率類的專案，每年不能超過60GWh。"
        "就提高化石燃料使用效率類的專案，每年熱輸入量的上限為180GWh。",
    ),
]

REGULATIONS = [
    ("central", "eia-act", "環境影響評估法"),
    ("central", "air-pollution-act", "空氣污染防制法"),
    ("central", "boiler-emission-standard", "鍋爐空氣污染物排放標準"),
    ("central", "energy-management-act", "能源管理法"),
    ("central", "energy-saving-target-rule", "能源用戶訂定節約能源目標及執行計畫規定"),
    ("central", "renewable-energy-act", "再生能源發展條例"),
    ("local", "taoyuan-low-carbon", "桃園市發展低碳綠色城市自治條例"),
    ("local", "taichung-low-carbon", "臺中市發展低碳城市自治條例"),
    ("local", "tainan-low-carbon", "臺南市低碳城市自治條例"),
    ("local", "kaohsiung-environment", "高雄市環境維護管理自治條例"),
    ("policy", "phase1-control-target", "第一期溫室氣體階段管制目標-電力排放係數目標之涵蓋範圍"),
    ("policy", "sector-action-plan", "部門溫室氣體排放管制行動方案-電力排放係數目標之涵蓋範圍"),
]

SAVING_RULE = "能源用戶訂定節約能源目標及執行計畫規定"
SAVING_TARGETS = [
    (2015, 2024, 800, None, "1", "契約容量超過 800 kW 之能源用戶"),
    (2025, 2028, 800, 10000, "1", "契約容量 801–10,000 kW"),
    (2025, 2028, 10000, None, "1.5", "契約容量超過 10,000 kW 及國營事業"),
]


def seed(apps, schema_editor):
    EmissionFactor = apps.get_model("methodologies", "EmissionFactor")
    LineLossRate = apps.get_model("methodologies", "LineLossRate")
    Refrigerant = apps.get_model("methodologies", "Refrigerant")
    RefrigerantGwp = apps.get_model("methodologies", "RefrigerantGwp")
    Methodology = apps.get_model("methodologies", "Methodology")
    ApplicabilityCondition = apps.get_model("methodologies", "ApplicabilityCondition")
    Regulation = apps.get_model("methodologies", "Regulation")
    SavingTarget = apps.get_model("methodologies", "SavingTarget")

    for year, value, unconfirmed, note in EMISSION_FACTORS:
        EmissionFactor.objects.create(
            year=year,
            value=D(value),
            unconfirmed=unconfirmed,
            source=f"{ENERGY_ADMINISTRATION}（{year - 1911} 年度）{note}",
        )
    for year, rate in LINE_LOSSES:
        LineLossRate.objects.create(year=year, rate=D(rate), source=f"{TAIPOWER}（{year} 年）")
    for code, name, odp, gwps in REFRIGERANTS:
        refrigerant = Refrigerant.objects.create(
            code=code,
            name=name,
            odp=D(odp),
            source=MONTREAL,
            unconfirmed=any(unconfirmed for _, unconfirmed in gwps.values()),
        )
        for edition, (published, unconfirmed) in gwps.items():
            below_one = published.startswith("<")
            RefrigerantGwp.objects.create(
                refrigerant=refrigerant,
                edition=edition,
                value=D("1") if below_one else D(published),
                published_as=published if below_one else "",
                unconfirmed=unconfirmed,
                source=IPCC.format(edition[2]),
            )
    methodology = Methodology.objects.create(
        code="AMS-II.C",
        version="15.0",
        title_zh="需求端利用特定技術的能源效率活動",
        title_en="Demand-side energy efficiency activities for specific technologies",
        sector="03",
        sector_name="能源需求業",
    )
    for number, check_id, text in CONDITIONS:
        ApplicabilityCondition.objects.create(
            methodology=methodology, number=number, check_id=check_id, text=text
        )
    for order, (group, code, name) in enumerate(REGULATIONS):
        Regulation.objects.create(group=group, code=code, name=name, order=order)
    for first, last, low, high, rate, note in SAVING_TARGETS:
        SavingTarget.objects.create(
            first_year=first,
            last_year=last,
            min_contract_kw=low,
            max_contract_kw=high,
            rate_percent=D(rate),
            note=note,
            source=SAVING_RULE,
        )


class Migration(migrations.Migration):
    dependencies = [("methodologies", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
