"""The firm's dossier: a read-only overview of one firm on one screen (editing stays on the
firm's change page)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ladder.admin_views import panel_context
from portfolio.admin.display import date_with_precision, due_html, incubation_clock_html
from portfolio.selectors.dossier import firm_dossier


def dossier_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    # The admin's own scoped lookup: another incubator's firm is not found.
    firm = model_admin.get_object(request, object_id)
    if firm is None:
        raise Http404(_("No such firm."))
    on = timezone.localdate()
    dossier = firm_dossier(firm, request.user, on)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": firm,
        "title": _("Dossier: %(firm)s") % {"firm": firm.name},
        "dossier": dossier,
        "stays": [
            (stay, incubation_clock_html(stay.months_in(on), stay.months_left(on), stay.limit_months))
            for stay in dossier.residencies
        ],
        "timeline": [(entry, date_with_precision(entry.on, entry.precision)) for entry in dossier.timeline],
        "deadlines": [(d, due_html(d.due_on, on, precision=d.due_precision)) for d in dossier.deadlines],
        "ladder": panel_context(firm.pk, on),
        "on": on,
        "has_change_permission": model_admin.has_change_permission(request, firm),
    }
    return TemplateResponse(request, "admin/portfolio/firm/dossier.html", context)
