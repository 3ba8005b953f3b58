from django.contrib import admin

from projects.models import (
    Attachment,
    EquipmentGroup,
    GroupPeriod,
    Membership,
    Organisation,
    Participant,
    Plan,
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
    list_display = ["title", "version", "authority", "city", "is_open"]
    list_filter = ["is_open"]


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
