"""What the demo scenario must stay out of.

Statistics and exports meant for authorities (the Torch yearly statistics, lists filed with a
science bureau) read sourced records through ``for_authorities``, which leaves out the demo
layer unless asked for it. Staff screens and the partner API show demo records, labelled.
"""

from __future__ import annotations

from django.db.models import QuerySet

from portfolio.choices import RecordOrigin


def for_authorities(queryset: QuerySet, *, include_demo: bool = False) -> QuerySet:
    """The sourced records (or records under a firm's certification, ``origin`` on the model)
    fit for a report to an authority: demo records only when ``include_demo``."""
    return queryset if include_demo else queryset.exclude(origin=RecordOrigin.DEMO)
