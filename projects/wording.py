"""Section 三's applicability conditions as the registered chiller plan words them
(another translation of AMS-II.C 15.0 than the reference data's, which is the
lighting plan's), with its footnote on condition 3's ODP. The section page offers
them to a chiller plan ("套用參考計畫書用語"); the chiller demo plan carries them.
Document content, not interface: not translated. [1] marks where the footnote is
called (reports.context.condition_texts)."""

CHILLER_CONDITIONS = {
    1: (
        "此方法僅適用於專案情境所安裝節能設備的服務水準（例如額定容量或輸出）介於"
        "基線情境設備服務水準的 90% 至 150%。\n"
        "服務水準的範例包括：照明設備的光輸出、水加熱系統的水輸出和溫度，及空調的"
        "額定熱輸出容量。\n"
        "專案情境的節能設備與基線情境設備的關係，可為一對一替換（例如用新的高效冰箱替換"
        "低效冰箱）或多對一（例如用中央冷水機組替換小型多台冷水機組）。"
        "後者可加總比較專案和基線的服務水準。"
    ),
    2: (
        "改造專案的基線及容量增加的要求在小規模 CDM 方法學通用指南的第 20 至 21 段中說明。"
        "如果第 y 年的專案產出大於歷史平均產出（專案實施前近三年平均），且未論證增量產能的"
        "基線，則第 y 年的產出值 y 年的上限為歷史平均產出值。"
    ),
    3: "若能效設備包含冷媒，則在改善專案中，該冷媒應不含臭氧消耗數值(ODP)[1]。",
    4: (
        "該方法的排放減量額度僅來自於，使用更高效的設備，以減少電力和/或化石燃料消耗。 "
        "但是，專案排放的計算須包括任何專案設備中使用冷媒的增量排放量(與基線相比較)。"
    ),
    5: "單一專案年節電量不得大於60GWh、化石燃料年節熱量不得高於 180GWh。",
}
CHILLER_CONDITIONS_FOOTNOTE = (
    "https://www.epa.gov/ozone-layer-protection/ozone-depleting-substances"
)


def reference_conditions(technology: str, reference_texts: dict[int, str]) -> dict[int, str]:
    """The wording "套用參考計畫書用語" offers for each condition: the registered
    chiller plan's to a chiller plan, else the reference data's (the lighting plan's)."""
    if technology == "chiller":
        return dict(CHILLER_CONDITIONS)
    return dict(reference_texts)


def reference_conditions_footnote(technology: str) -> str:
    return CHILLER_CONDITIONS_FOOTNOTE if technology == "chiller" else ""
