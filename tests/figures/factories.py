"""factory_boy factories of the figures app, built on the shared ones (tests/factories.py)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from tests.factories import FirmFactory, IncubatorFactory


class FiguresRequestFactory(factory.django.DjangoModelFactory):
    """A request for 2025's figures, all fields, due on 2026-03-31."""

    class Meta:
        model = FiguresRequest

    incubator = factory.SubFactory(IncubatorFactory)
    year = 2025
    due_on = datetime.date(2026, 3, 31)
    fields = factory.LazyFunction(list)
    message = ""


class FiguresSubmissionFactory(factory.django.DjangoModelFactory):
    """A firm's answer to a request, not started, its link valid for 60 days from now."""

    class Meta:
        model = FiguresSubmission

    request = factory.SubFactory(FiguresRequestFactory)
    firm = factory.SubFactory(FirmFactory)
    status = SubmissionStatus.NOT_STARTED
    values = factory.LazyFunction(dict)
    link_expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=60))

    class Params:
        submitted = factory.Trait(
            status=SubmissionStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            submitted_by="张三 <zhang@example.org>",
        )
        accepted = factory.Trait(
            status=SubmissionStatus.ACCEPTED,
            submitted_at=factory.LazyFunction(timezone.now),
            submitted_by="张三 <zhang@example.org>",
            reviewed_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(
            status=SubmissionStatus.RETURNED,
            submitted_at=factory.LazyFunction(timezone.now),
            reviewed_at=factory.LazyFunction(timezone.now),
            review_comment="请核对研发费用。",
        )
