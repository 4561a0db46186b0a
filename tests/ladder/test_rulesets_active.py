"""The active rule sets are read on every call and parsed once per content of their row."""

import datetime

import pytest

from ladder.models import RuleSet as RuleSetRow
from ladder.selectors import rulesets_active

pytestmark = pytest.mark.django_db


def by_version() -> dict:
    return {ruleset.version: ruleset for ruleset in rulesets_active()}


def test_an_unchanged_row_is_not_parsed_again():
    first, second = by_version(), by_version()
    assert first and first.keys() == second.keys()
    assert all(second[version] is first[version] for version in first)


def test_any_change_to_a_row_is_read_at_once_even_without_save():
    before = by_version()
    row = RuleSetRow.objects.filter(active=True).first()
    data = {**row.data}
    RuleSetRow.objects.filter(pk=row.pk).update(notes="edited", effective_from=datetime.date(2001, 2, 3))
    after = by_version()
    assert (after[row.version].notes, after[row.version].effective_from) == (
        "edited",
        datetime.date(2001, 2, 3),
    )
    assert after[row.version] is not before[row.version]
    assert all(after[v] is before[v] for v in before if v != row.version)
    assert after[row.version].data == before[row.version].data
    RuleSetRow.objects.filter(pk=row.pk).update(active=False)
    assert row.version not in by_version()
    RuleSetRow.objects.filter(pk=row.pk).update(active=True, data=data)
    assert by_version()[row.version].notes == "edited"


def test_the_shipped_rules_while_the_table_is_empty():
    RuleSetRow.objects.all().delete()
    assert {ruleset.rule for ruleset in rulesets_active()} == {"tsme", "hnte", "incubation"}
