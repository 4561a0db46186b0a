"""The incubator scope: one rule, applied by scope.py's helpers, and nowhere else by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts.models import IncubatorMembership
from partners.models import BankRecommendation
from portfolio.models import Firm, Incubator, Residency
from portfolio.selectors.scope import firms_for_user, scope_to_incubators, scope_to_user
from tests.factories import (
    FirmFactory,
    IncubatorFactory,
    MembershipFactory,
    RecommendationFactory,
    ResidencyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def two_incubators():
    mine, theirs = IncubatorFactory(), IncubatorFactory()
    my_firm, their_firm = FirmFactory(), FirmFactory()
    ResidencyFactory(firm=my_firm, incubator=mine)
    ResidencyFactory(firm=their_firm, incubator=theirs)
    RecommendationFactory(firm=my_firm, incubator=mine)
    RecommendationFactory(firm=their_firm, incubator=theirs)
    staff = UserFactory(is_staff=True)
    MembershipFactory(user=staff, incubator=mine)
    return mine, theirs, my_firm, their_firm, staff


def test_staff_see_the_records_of_their_incubators_only(two_incubators):
    mine, _, my_firm, _, staff = two_incubators
    assert list(scope_to_incubators(Incubator.objects.all(), staff, "")) == [mine]
    assert [r.incubator for r in scope_to_incubators(Residency.objects.all(), staff)] == [mine]
    assert [r.firm for r in scope_to_incubators(BankRecommendation.objects.all(), staff)] == [my_firm]
    assert [m.incubator for m in scope_to_incubators(IncubatorMembership.objects.all(), staff)] == [mine]
    assert list(firms_for_user(staff)) == [my_firm]
    assert [r.firm for r in scope_to_user(Residency.objects.all(), staff)] == [my_firm]


def test_superusers_see_everything(two_incubators):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert scope_to_incubators(Residency.objects.all(), superuser).count() == 2
    assert firms_for_user(superuser).count() == Firm.objects.count()


def test_staff_without_a_membership_see_nothing(two_incubators):
    loner = UserFactory(is_staff=True)
    assert not scope_to_incubators(Residency.objects.all(), loner).exists()
    assert not firms_for_user(loner).exists()


# The rules' own homes; anywhere else, these spellings mean a hand-written copy of a rule.
HAND_WRITTEN = {
    r"incubator_ids_for_user\(": {"portfolio/selectors/scope.py"},
    r"revoked_at__gt\b|starts_on__lte\b": {"partners/models/consents.py"},
}


@pytest.mark.parametrize("pattern", list(HAND_WRITTEN))
def test_no_hand_written_copy_of_a_scope_rule(pattern):
    sources = [
        p
        for app in ("accounts", "portfolio", "partners", "config")
        for p in (ROOT / app).rglob("*.py")
        if "migrations" not in p.parts
    ]
    offenders = {
        str(p.relative_to(ROOT)) for p in sources if re.search(pattern, p.read_text(encoding="utf-8"))
    }
    assert offenders <= HAND_WRITTEN[pattern]
