"""Two reminder passes at once expire each lapsed certificate once (issue 9, item 12)."""

from __future__ import annotations

import contextlib
import datetime
import threading

import pytest
from django.db import connection
from django.db.models.signals import pre_save

from portfolio.choices import CertificationStatus
from portfolio.models import Certification
from portfolio.services.certifications import certifications_expire_lapsed
from tests.factories import CertificationFactory
from tests.real_services import require


# Two connections need committed rows; the kinds seeded by the migrations are restored first,
# since another transactional test may have flushed them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_passes_expire_each_certificate_once():
    require(connection.vendor == "postgresql", "a PostgreSQL test database (set DATABASE_URL)")
    lapsed = [CertificationFactory(issued_on=datetime.date(2020, 1 + i, 1)) for i in range(4)]
    # Each pass pauses at its first expiry until the other one has reached its own: both have
    # read the lapsed certificates before either writes.
    barrier = threading.Barrier(2, timeout=5)
    paused = threading.local()

    def pause_once(sender, instance, **kwargs):
        if instance.status == CertificationStatus.EXPIRED and not getattr(paused, "done", False):
            paused.done = True
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()

    counts: list[int] = []
    errors: list[BaseException] = []

    def run_pass():
        try:
            counts.append(certifications_expire_lapsed(today=datetime.date(2024, 6, 1)))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    pre_save.connect(pause_once, sender=Certification, dispatch_uid="test_pause_once")
    try:
        threads = [threading.Thread(target=run_pass) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        pre_save.disconnect(sender=Certification, dispatch_uid="test_pause_once")
    assert not errors, errors
    assert sorted(counts) != [4, 4]
    assert sum(counts) == len(lapsed)
    expired_rows = Certification.history.filter(status=CertificationStatus.EXPIRED, history_type="~")
    assert sorted(expired_rows.values_list("id", flat=True)) == sorted(c.pk for c in lapsed)
