"""Score packs in the admin: every staff member may read them, only superusers change them.

A superuser loads another pack (a zone's own, the official table once it is in hand) by adding
one here, its data validated by the same parser as the shipped file, and switches to it with
the action "Activate"; every firm's score is then recomputed with it and records its version.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portfolio.admin.mixins import RuleDataPermissions
from scoring.models import FirmScore, ScorePack
from scoring.services import score_pack_activate, scores_queue_all


@admin.register(ScorePack)
class ScorePackAdmin(RuleDataPermissions, SimpleHistoryAdmin):
    list_display = ("version", "title", "label", "active", "verification", "updated_at")
    list_filter = ("label", "active")
    search_fields = ("version", "title", "title_en", "source")
    readonly_fields = ("active", "verification", "created_at", "updated_at")
    fields = (
        "version",
        "label",
        "title",
        "title_en",
        "source",
        "notes",
        "verification",
        "unverified",
        "data",
        "active",
        "created_at",
        "updated_at",
    )
    actions = ["activate"]

    @admin.display(description=_("verification"))
    def verification(self, obj: ScorePack) -> str:
        if not obj.unverified:
            return _("verified")
        return format_html(
            '<strong style="color:#ba2121">{}</strong> {}',
            _("UNVERIFIED:"),
            ", ".join(str(path) for path in obj.unverified),
        )

    @admin.action(description=_("Activate (score every firm with this pack)"))
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one pack to activate."), messages.ERROR)
            return
        try:
            pack = score_pack_activate(pack=queryset.get())
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return
        self.message_user(
            request,
            _("%(version)s is now active; every firm's score is being recomputed with it.")
            % {"version": pack.version},
        )

    def save_model(self, request, obj: ScorePack, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.active:
            scores_queue_all()
            self.message_user(request, _("The active pack changed; every firm's score is being recomputed."))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("activate", None)
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        # The active pack, and any pack a stored score names, is kept: a score is explained with
        # the words of the pack it used.
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or not (obj.active or FirmScore.objects.filter(pack_version=obj.version).exists())
