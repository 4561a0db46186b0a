"""Keep deadlines in step with certifications, whichever way a certification is saved.

The admin, the importer, the API and the fixture loader all write certifications; doing this
here means none of them can forget. The work itself lives in the service.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from portfolio.models import Certification
from portfolio.services.certifications import certification_fill_expiry, certification_sync_deadlines


@receiver(pre_save, sender=Certification, dispatch_uid="certification_fill_expiry")
def _fill_expiry(sender, instance: Certification, raw: bool = False, **kwargs) -> None:
    if not raw:
        certification_fill_expiry(certification=instance)


@receiver(post_save, sender=Certification, dispatch_uid="certification_sync_deadlines")
def _sync_deadlines(sender, instance: Certification, raw: bool = False, **kwargs) -> None:
    if not raw:
        certification_sync_deadlines(certification=instance)
