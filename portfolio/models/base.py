from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.choices import RecordOrigin


class Sourced(models.Model):
    """Where a record came from: staff, a partner, an import, or a source article it cites."""

    key = models.SlugField(
        _("stable key"),
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Stable identifier of a record loaded from fixtures or imports; empty otherwise."),
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=RecordOrigin.choices, default=RecordOrigin.STAFF
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the facts come from, e.g. the article's file name."),
    )
    source_quote = models.TextField(_("source quote"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True
