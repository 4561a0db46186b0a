"""The Torch statistics return in the admin: from an incubator (its page's link, or the action on
the incubator list) to a page with the report year, the filing window, the validation report and
the workbook's download. Staff reach only their own incubators: any other answers 404.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from figures.torch.returns import TorchReturn, torch_return_build
from figures.torch.workbook import workbook_bytes, workbook_filename
from portfolio.models import Incubator

FIRST_YEAR = 1949
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportYearForm(forms.Form):
    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.IntegerField(
            label=_("Report year"),
            min_value=FIRST_YEAR,
            max_value=today.year,
            help_text=_("The fiscal year reported on; the return is filed early in the next year."),
        )


def window_state(ret: TorchReturn, today: datetime.date) -> str:
    if today < ret.window.opens_on:
        return "upcoming"
    return "open" if today <= ret.window.closes_on else "closed"


class TorchReturnAdminMixin:
    """For the incubator admin: the return's page, its link on the incubator page, its action."""

    change_form_template = "admin/figures/torch/incubator_change_form.html"
    actions = ["torch_return"]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/torch-return/",
                self.admin_site.admin_view(self.torch_return_view),
                name="portfolio_incubator_torch_return",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Torch statistics return"), permissions=["view"])
    def torch_return(self, request: HttpRequest, queryset):
        incubators = list(queryset.order_by("name")[:100])
        if len(incubators) == 1:
            return redirect(reverse("admin:portfolio_incubator_torch_return", args=[incubators[0].pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Torch statistics return"),
            "incubators": incubators,
        }
        return TemplateResponse(request, "admin/figures/torch/choose.html", context)

    def _torch_incubator(self, request: HttpRequest, object_id: str) -> Incubator:
        object_id = unquote(object_id)
        incubator = self.get_queryset(request).filter(pk=object_id).first() if object_id.isdigit() else None
        if incubator is None:
            raise Http404(_("No incubator with this ID in your incubators."))
        return incubator

    def torch_return_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        incubator = self._torch_incubator(request, object_id)
        if not self.has_view_permission(request, incubator):
            raise PermissionDenied
        today = timezone.localdate()
        form = ReportYearForm(request.GET if "year" in request.GET else {"year": today.year - 1}, today=today)
        ret = (
            torch_return_build(incubator=incubator, year=form.cleaned_data["year"])
            if form.is_valid()
            else None
        )
        if ret is not None and request.GET.get("format") == "xlsx":
            response = HttpResponse(workbook_bytes(ret), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{workbook_filename(ret)}"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": incubator,
            "title": _("Torch statistics return"),
            "form": form,
            "ret": ret,
            "window_state": window_state(ret, today) if ret else "",
            "money_label": ret.rules.money.label if ret else "",
        }
        return TemplateResponse(request, "admin/figures/torch/return.html", context)
