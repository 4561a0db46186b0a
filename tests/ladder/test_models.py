import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from ladder.engine.rules import NoRulesInForce, load_shipped_rules
from ladder.models import RuleSet
from ladder.selectors import ruleset_in_force, rulesets_active
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 6, 1)


def test_the_migration_loaded_the_shipped_versions():
    assert set(RuleSet.objects.values_list("version", flat=True)) == {
        rs.version for rs in load_shipped_rules()
    }
    assert {rs.version for rs in rulesets_active()} == {rs.version for rs in load_shipped_rules()}


def test_clean_reports_rule_data_errors_on_the_data_field():
    row = RuleSet.objects.get(version="tsme-2022")
    row.data["tech_staff"]["bands"][0]["min"] = 0.3
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "tsme-2022: data.tech_staff.bands[0].min" in error.value.message_dict["data"][0]


def test_an_active_duplicate_date_is_refused():
    row = RuleSet.objects.get(version="tsme-2022")
    row.pk, row.version = None, "tsme-2022b"
    with pytest.raises(IntegrityError):
        row.save()


def test_selector_uses_active_rows_in_one_query(django_assert_num_queries):
    row = RuleSet.objects.get(version="tsme-2022")
    row.pk, row.version, row.effective_from = None, "tsme-2025", datetime.date(2025, 1, 1)
    row.save()
    with django_assert_num_queries(1):
        rulesets = rulesets_active()
    assert ruleset_in_force("tsme", ON, rulesets=rulesets).version == "tsme-2025"
    RuleSet.objects.filter(version="tsme-2025").update(active=False)
    assert ruleset_in_force("tsme", ON).version == "tsme-2022"


def test_selector_falls_back_to_the_yaml_when_the_table_is_empty():
    RuleSet.objects.all().delete()
    assert ruleset_in_force("graduation", ON).version == "incubator-2018"
    with pytest.raises(NoRulesInForce):
        ruleset_in_force("hnte", datetime.date(2000, 1, 1))


def test_history_is_recorded():
    row = RuleSet.objects.get(version="hnte-2016")
    row.notes = "checked"
    row.save()
    assert row.history.count() == 1


def test_admin_staff_see_superusers_edit(client, admin_client):
    row = RuleSet.objects.get(version="incubator-2018")
    url = f"/admin/ladder/ruleset/{row.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200 and b"UNVERIFIED" in page.content
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="data"' not in page.content  # read-only for staff
    assert client.post(url, {"version": "x"}).status_code == 403
