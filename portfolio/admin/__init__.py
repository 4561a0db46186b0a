"""The staff admin for the portfolio, one module per area."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portfolio.admin import (  # noqa: F401 - registers the model admins
    certifications,
    financing,
    firms,
    incubators,
    ladder_inputs,
    mentoring,
    reminders,
)

# Shown in Chinese by default (LANGUAGE_CODE zh-hans) once the lead's translation pass lands.
admin.site.site_header = _("Incubator portfolio administration")
admin.site.site_title = _("Incubator portfolio")
admin.site.index_title = _("Portfolio of the incubators")
