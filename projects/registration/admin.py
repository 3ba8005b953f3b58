from django.contrib import admin

from projects.registration.models import NumberingScheme


@admin.register(NumberingScheme)
class NumberingSchemeAdmin(admin.ModelAdmin):
    """The pattern and next sequence number of an authority or a programme; the
    pattern's syntax is in the field's help text."""

    list_display = ["__str__", "authority", "programme", "pattern", "next_sequence"]
    list_select_related = ["authority", "programme"]
    autocomplete_fields = ["authority"]
