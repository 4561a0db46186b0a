"""Factories and a small scene for the figures emails' tests (built on tests/factories.py)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.models import Language, StaffRole
from figures.models import FiguresRequest, FiguresSubmission, SubmissionStatus
from tests.factories import (
    ContactFactory,
    FirmFactory,
    IncubatorFactory,
    MembershipFactory,
    ResidencyFactory,
    StaffUserFactory,
)

DUE = datetime.date(2026, 3, 31)


class RequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiguresRequest

    incubator = factory.SubFactory(IncubatorFactory)
    year = 2025
    due_on = DUE
    message = "请在截止日前填报。"


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FiguresSubmission

    request = factory.SubFactory(RequestFactory)
    firm = factory.SubFactory(FirmFactory)
    status = SubmissionStatus.NOT_STARTED
    link_expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=365 * 3))


def staff(incubator, email: str, role: str = StaffRole.LIAISON, language: str = Language.CHINESE):
    user = StaffUserFactory(email=email, preferred_language=language)
    MembershipFactory(user=user, incubator=incubator, role=role)
    return user


def firm_in(incubator, liaison=None, *, name: str, contacts: tuple[tuple[str, str], ...] = ()):
    """A firm resident in ``incubator`` with ``liaison`` and contacts given as (email, language)."""
    firm = FirmFactory(name=name, name_en=f"{name} (en)")
    ResidencyFactory(firm=firm, incubator=incubator, liaison=liaison)
    for email, language in contacts:
        ContactFactory(firm=firm, email=email, preferred_language=language)
    return firm
