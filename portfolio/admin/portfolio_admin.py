from django.contrib import admin

from portfolio.models import Incubator


@admin.register(Incubator)
class IncubatorAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "kind", "level"]
    search_fields = ["name", "name_en"]
