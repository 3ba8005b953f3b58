from django.contrib import admin

from projects.models import (
    Attachment,
    CreditAccount,
    CreditBlock,
    CreditIssuance,
    EquipmentGroup,
    GroupPeriod,
    LedgerEntry,
    LedgerRange,
    Membership,
    Organisation,
    Participant,
    Plan,
    PlanEvent,
    PlanVersion,
    Programme,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "version", "authority", "city", "is_open", "holds_credits"]
    list_filter = ["is_open", "holds_credits"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "type", "technology", "status", "updated_at"]
    list_filter = ["type", "technology", "status"]
    search_fields = ["title", "number", "organisation__name"]
    inlines = [ParticipantInline, AttachmentInline]


class GroupPeriodInline(admin.TabularInline):
    model = GroupPeriod
    extra = 0


@admin.register(EquipmentGroup)
class EquipmentGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "side", "shape", "count"]
    list_filter = ["side", "shape"]
    inlines = [GroupPeriodInline]


@admin.register(PlanVersion)
class PlanVersionAdmin(admin.ModelAdmin):
    """Frozen versions are a record: administrators may look, never change."""

    list_display = ["plan", "number", "created_by", "created_at", "total_reduction_tco2e"]
    readonly_fields = [
        "plan",
        "number",
        "document",
        "results",
        "annual_reduction_tco2e",
        "total_reduction_tco2e",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanEvent)
class PlanEventAdmin(admin.ModelAdmin):
    list_display = ["plan", "created_at", "user", "kind", "from_status", "to_status"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# -- the credit registry: read-only here; every move goes through the services ----


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LedgerRangeInline(admin.TabularInline):
    model = LedgerRange
    fields = ["issuance", "first", "last"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "quantity", "from_account", "to_account", "user"]
    list_filter = ["kind", "purpose"]
    inlines = [LedgerRangeInline]


@admin.register(CreditAccount)
class CreditAccountAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "created_at"]
    search_fields = ["organisation__name", "organisation__tax_id"]


@admin.register(CreditIssuance)
class CreditIssuanceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "plan", "monitoring_number", "period_end", "quantity"]


@admin.register(CreditBlock)
class CreditBlockAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "account", "transfers", "retired_by"]
