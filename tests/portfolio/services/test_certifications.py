import datetime

import pytest

from portfolio.choices import CertificationStatus, DeadlineStatus
from portfolio.services.certifications import (
    certification_renew,
    certifications_expire_lapsed,
    deadline_mark_done,
)
from tests.factories import CertificationFactory, FirmFactory, kind

pytestmark = pytest.mark.django_db


def test_granted_hnte_gets_annual_reports_and_recertification():
    cert = CertificationFactory(issued_on=datetime.date(2023, 12, 1))
    assert cert.expires_on == datetime.date(2026, 11, 30)
    due = sorted((d.obligation.code, d.due_on) for d in cert.deadlines.all())
    assert due == [
        ("annual-report", datetime.date(2024, 5, 31)),
        ("annual-report", datetime.date(2025, 5, 31)),
        ("annual-report", datetime.date(2026, 5, 31)),
        ("recertification", datetime.date(2026, 11, 30)),
    ]


def test_renewal_closes_open_deadlines_of_the_old_certificate():
    cert = CertificationFactory(issued_on=datetime.date(2023, 12, 1))
    renewed = certification_renew(certification=cert, issued_on=datetime.date(2026, 11, 1))
    assert not cert.deadlines.filter(status=DeadlineStatus.OPEN).exists()
    assert renewed.deadlines.filter(status=DeadlineStatus.OPEN).count() == 4


def test_new_expiry_supersedes_the_old_expiry_deadline():
    cert = CertificationFactory(kind=kind("medical_device"), issued_on=datetime.date(2021, 6, 1))
    assert [d.due_on for d in cert.deadlines.all()] == [datetime.date(2025, 11, 30)]
    cert.expires_on = datetime.date(2031, 5, 31)
    cert.save()
    statuses = {d.due_on: d.status for d in cert.deadlines.all()}
    assert statuses == {
        datetime.date(2025, 11, 30): DeadlineStatus.CLOSED,
        datetime.date(2030, 11, 30): DeadlineStatus.OPEN,
    }


def test_revoked_certificate_has_no_open_deadlines():
    cert = CertificationFactory(issued_on=datetime.date(2024, 12, 1))
    cert.status = CertificationStatus.REVOKED
    cert.save()
    assert not cert.deadlines.filter(status=DeadlineStatus.OPEN).exists()


def test_done_deadline_stays_done_when_resynced():
    cert = CertificationFactory(issued_on=datetime.date(2023, 12, 1))
    first = cert.deadlines.order_by("due_on").first()
    deadline_mark_done(deadline=first, done_on=datetime.date(2024, 5, 20))
    cert.save()
    first.refresh_from_db()
    assert first.status == DeadlineStatus.DONE


def test_lapsed_certificate_keeps_only_its_expiry_duty_open():
    cert = CertificationFactory(issued_on=datetime.date(2020, 12, 1))
    assert certifications_expire_lapsed(today=datetime.date(2024, 1, 1)) == 1
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.EXPIRED
    open_codes = [(d.obligation.code, d.due_on) for d in cert.deadlines.filter(status=DeadlineStatus.OPEN)]
    assert open_codes == [("recertification", datetime.date(2023, 11, 30))]


def test_expire_lapsed_is_safe_to_run_twice():
    CertificationFactory(issued_on=datetime.date(2020, 12, 1))
    assert certifications_expire_lapsed(today=datetime.date(2024, 1, 1)) == 1
    assert certifications_expire_lapsed(today=datetime.date(2024, 1, 1)) == 0


def test_newer_certificate_of_the_kind_supersedes_the_older_one():
    firm = FirmFactory()
    old = CertificationFactory(firm=firm, issued_on=datetime.date(2017, 12, 1))
    assert old.deadlines.filter(status=DeadlineStatus.OPEN).exists()
    new = CertificationFactory(firm=firm, issued_on=datetime.date(2020, 12, 1))
    assert not old.deadlines.filter(status=DeadlineStatus.OPEN).exists()
    assert new.deadlines.filter(status=DeadlineStatus.OPEN).count() == 4


def test_a_planned_certificate_does_not_supersede_a_granted_one():
    firm = FirmFactory()
    old = CertificationFactory(firm=firm, issued_on=datetime.date(2023, 12, 1))
    CertificationFactory(firm=firm, issued_on=datetime.date(2026, 12, 1), status=CertificationStatus.PLANNED)
    assert old.deadlines.filter(status=DeadlineStatus.OPEN).count() == 4


def test_a_pool_membership_does_not_lapse_and_its_next_review_follows_the_done_one(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: datetime.date(2026, 3, 1))
    membership = CertificationFactory(kind=kind("listing_pool"), issued_on=datetime.date(2019, 6, 10))
    assert membership.expires_on is None
    assert certifications_expire_lapsed(today=datetime.date(2030, 1, 1)) == 0
    [review] = membership.deadlines.all()
    assert (review.obligation.code, review.due_on) == ("annual-review", datetime.date(2026, 6, 10))
    deadline_mark_done(deadline=review, done_on=datetime.date(2026, 5, 20))
    assert [(d.due_on, d.status) for d in membership.deadlines.order_by("due_on")] == [
        (datetime.date(2026, 6, 10), DeadlineStatus.DONE),
        (datetime.date(2027, 6, 10), DeadlineStatus.OPEN),
    ]


def _count_syncs(monkeypatch) -> list[int]:
    """Ids of the certificates synced, one per call, from here on."""
    from portfolio.services import certifications

    calls: list[int] = []
    sync_one = certifications._sync_one

    def counting(certification, *args, **kwargs):
        calls.append(certification.pk)
        return sync_one(certification, *args, **kwargs)

    monkeypatch.setattr(certifications, "_sync_one", counting)
    return calls


def test_deadline_sync_is_linear_in_a_firms_certificates(monkeypatch):
    # Each save syncs the saved certificate and the one it takes over from, not every older
    # one: 51 saves made 954 syncs when every older certificate was re-synced.
    firm = FirmFactory()
    calls = _count_syncs(monkeypatch)
    certs = [
        CertificationFactory(firm=firm, issued_on=datetime.date(2021, 1, 4) + datetime.timedelta(weeks=i))
        for i in range(51)
    ]
    assert len(calls) == 1 + 50 * 2
    assert [c.pk for c in certs if c.deadlines.filter(status=DeadlineStatus.OPEN).exists()] == [certs[-1].pk]

    calls.clear()
    certs[-1].status = CertificationStatus.REVOKED
    certs[-1].save()  # the one before is no longer superseded: its deadlines reopen
    assert calls == [certs[-1].pk, certs[-2].pk]
    assert [c.pk for c in certs if c.deadlines.filter(status=DeadlineStatus.OPEN).exists()] == [certs[-2].pk]


def test_an_older_certificate_saved_late_is_superseded_and_syncs_only_the_newest(monkeypatch):
    firm = FirmFactory()
    new = CertificationFactory(firm=firm, issued_on=datetime.date(2023, 12, 1))
    middle = CertificationFactory(firm=firm, issued_on=datetime.date(2022, 12, 1))
    calls = _count_syncs(monkeypatch)
    old = CertificationFactory(firm=firm, issued_on=datetime.date(2020, 12, 1))
    assert calls == [old.pk, new.pk]
    assert not old.deadlines.filter(status=DeadlineStatus.OPEN).exists()
    assert not middle.deadlines.filter(status=DeadlineStatus.OPEN).exists()
    assert new.deadlines.filter(status=DeadlineStatus.OPEN).count() == 4


def test_an_out_of_step_older_certificate_is_brought_in_step(monkeypatch):
    firm = FirmFactory()
    old = CertificationFactory(firm=firm, issued_on=datetime.date(2022, 12, 1))
    new = CertificationFactory(firm=firm, issued_on=datetime.date(2023, 12, 1))
    old.deadlines.update(status=DeadlineStatus.OPEN)  # e.g. rows loaded raw, without the signal
    new.save()
    assert not old.deadlines.filter(status=DeadlineStatus.OPEN).exists()
