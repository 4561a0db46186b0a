"""``{% staff_dashboard as dashboard %}``: the admin home's tiles for the user of the request."""

from __future__ import annotations

from django import template
from django.utils import timezone

from portfolio.selectors.dashboard import dashboard_for

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_dashboard(context):
    request = context.get("request")
    if request is None or not request.user.is_active:
        return None
    return dashboard_for(request.user, timezone.localdate())
