"""The firm list's "ladder stage" filter: the admin home's funnel, one stage at a time.

It applies the funnel's own conditions (``portfolio.selectors.dashboard.stage_condition``), so
the count on a funnel bar and the list it links to agree.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.selectors.dashboard import STAGES, stage_condition


class LadderStageFilter(admin.SimpleListFilter):
    title = _("ladder stage")
    parameter_name = "stage"

    def lookups(self, request, model_admin):
        return list(STAGES.items())

    def queryset(self, request, queryset):
        if self.value() not in STAGES:
            return queryset
        return queryset.filter(stage_condition(self.value(), request.user, timezone.localdate()))
