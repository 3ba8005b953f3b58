from django.contrib import admin

from methodologies.models import (
    ApplicabilityCondition,
    EmissionFactor,
    LineLossRate,
    Methodology,
    Refrigerant,
    RefrigerantGwp,
    Regulation,
    SavingTarget,
)


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    list_display = ["year", "value", "unconfirmed", "source", "published_on"]
    list_filter = ["unconfirmed"]
    list_editable = ["unconfirmed"]


@admin.register(LineLossRate)
class LineLossRateAdmin(admin.ModelAdmin):
    list_display = ["year", "rate", "unconfirmed", "source"]
    list_filter = ["unconfirmed"]


class RefrigerantGwpInline(admin.TabularInline):
    model = RefrigerantGwp
    extra = 0
    fields = ["edition", "value", "published_as", "unconfirmed", "source"]


@admin.register(Refrigerant)
class RefrigerantAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "odp", "unconfirmed"]
    list_filter = ["unconfirmed"]
    search_fields = ["code", "name"]
    inlines = [RefrigerantGwpInline]


class ApplicabilityConditionInline(admin.StackedInline):
    model = ApplicabilityCondition
    extra = 0


@admin.register(Methodology)
class MethodologyAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "title_zh"]
    inlines = [ApplicabilityConditionInline]


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "order", "unconfirmed"]
    list_filter = ["group"]
    list_editable = ["order"]


@admin.register(SavingTarget)
class SavingTargetAdmin(admin.ModelAdmin):
    list_display = ["first_year", "last_year", "min_contract_kw", "max_contract_kw", "rate_percent"]
