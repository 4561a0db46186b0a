"""Queue a recompute of a firm's cohort when a record its score reads changes.

Figures, certifications, financing, residencies (they place the firm in a region), distinctions
and incidents (bonus and negative items) and the firm itself (its founding date decides the
stage) are written by the admin, imports, the figures requests, the partner API and the demo:
hooking the saves means none of them can forget. The receivers only queue a firm id; the work
runs in a task after the commit (scoring.services.firm_scores_queue). Bulk writes that send no
signals are caught by the nightly pass.
"""

from django.db.models.signals import post_delete, post_save, pre_delete

from portfolio.models import (
    Certification,
    ComplianceIncident,
    Distinction,
    FinancingEvent,
    Firm,
    Residency,
    YearlyFigures,
)
from scoring.models import FirmScore
from scoring.services import firm_scores_queue

FIRM_RECORDS = (YearlyFigures, Certification, FinancingEvent, Residency, Distinction, ComplianceIncident)


def _record_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw:
        firm_scores_queue(firm_id=instance.firm_id)


def _firm_saved(sender, instance: Firm, raw: bool = False, **kwargs) -> None:
    if not raw:
        firm_scores_queue(firm_id=instance.pk)


def _firm_deleted(sender, instance: Firm, **kwargs) -> None:
    """A firm leaving moves its cohort's percentiles: queue another member, whose recompute
    covers the cohort."""
    key = FirmScore.objects.filter(firm_id=instance.pk).values_list("cohort_key", flat=True).first()
    if key:
        other = (
            FirmScore.objects.filter(cohort_key=key)
            .exclude(firm_id=instance.pk)
            .values_list("firm_id", flat=True)
        )
        if (firm_id := other.first()) is not None:
            firm_scores_queue(firm_id=firm_id)


for model in FIRM_RECORDS:
    post_save.connect(_record_changed, sender=model, dispatch_uid=f"scoring_{model.__name__}_saved")
    post_delete.connect(_record_changed, sender=model, dispatch_uid=f"scoring_{model.__name__}_deleted")
post_save.connect(_firm_saved, sender=Firm, dispatch_uid="scoring_firm_saved")
pre_delete.connect(_firm_deleted, sender=Firm, dispatch_uid="scoring_firm_deleted")
