"""Rule sets in the admin: every staff member may read them, only superusers change them."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ladder.models import RuleSet
from portfolio.admin.mixins import RuleDataPermissions


@admin.register(RuleSet)
class RuleSetAdmin(RuleDataPermissions, SimpleHistoryAdmin):
    list_display = ("version", "rule", "effective_from", "effective_precision", "active", "verification")
    list_filter = ("rule", "active")
    search_fields = ("version", "source", "notes")
    readonly_fields = ("created_at", "updated_at", "verification")
    fields = (
        "rule",
        "version",
        "effective_from",
        "effective_precision",
        "source",
        "notes",
        "verification",
        "unverified",
        "data",
        "active",
        "created_at",
        "updated_at",
    )

    @admin.display(description=_("verification"))
    def verification(self, obj: RuleSet) -> str:
        if not obj.unverified:
            return _("verified")
        return format_html(
            '<strong style="color:#ba2121">{}</strong> {}',
            _("UNVERIFIED:"),
            ", ".join(str(path) for path in obj.unverified),
        )
